"""Which pods run without tracing, cluster-wide: recorded from the pods usage collection reads after each resync
(pods started while the webhook was down have no decision), and shown on the admin desk."""

from datetime import datetime

from django.db import transaction

from tenants.models import ManagedNamespace
from tenants.tracing.models import UntracedPods
from tenants.tracing.panels import FINISHED, untraced


def record_untraced(pods_by_namespace: dict[str, list[dict]], now: datetime) -> None:
    ids = dict(ManagedNamespace.objects.filter(name__in=pods_by_namespace).values_list("name", "pk"))
    found = {}
    for name, pods in pods_by_namespace.items():
        running = [pod for pod in pods if (pod.get("status") or {}).get("phase") not in FINISHED]
        rows = [[pod["metadata"]["name"], why] for pod in running
                if (why := untraced(pod["metadata"].get("annotations") or {}))]
        if rows and name in ids:
            found[ids[name]] = (sorted(rows), len(running) - len(rows))
    with transaction.atomic():
        UntracedPods.objects.exclude(namespace_id__in=found).delete()
        for pk, (rows, traced) in found.items():
            UntracedPods.objects.update_or_create(namespace_id=pk, defaults={"pods": rows, "traced": traced,
                                                                             "collected_at": now})


def desk_panel(request) -> dict | None:
    rows = list(UntracedPods.objects.select_related("namespace").order_by("namespace__name")[:50])
    return {"template": "tracing/desk_panel.html", "rows": rows}
