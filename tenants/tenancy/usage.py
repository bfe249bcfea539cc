"""What each namespace uses: its ResourceQuota status and running pods, collected in two cluster-wide LISTs.

`summarize` is pure; `collect_usage` reads the cluster and stores one NamespaceUsage row per managed
namespace in bulk, so the portal and the admin desk read usage from the database, never from the cluster.
Running pods count as activity for the expiry rules.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tenants.engine.config import MANAGED_BY
from tenants.engine.quantities import served_amount
from tenants.infra.settings import kube_cluster
from tenants.models import ManagedNamespace, NamespaceUsage

log = logging.getLogger(__name__)

QUOTA_NAME = "campus-quota"
# What the portal draws as bars: (quota key, label, unit divisor, unit).
BARS = (("requests.cpu", "CPU", 1, "cores"), ("requests.memory", "Memory", 2**30, "GiB"), ("pods", "Pods", 1, ""))


@dataclass
class Usage:
    hard: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    pods_running: int = 0
    images: list[dict] = field(default_factory=list)


def summarize(quotas: list[dict], pods: list[dict]) -> dict[str, Usage]:
    """Namespace → usage, from campus's quotas (status.hard/used) and every pod in the cluster."""
    usage: dict[str, Usage] = {}
    for quota in quotas:
        if quota["metadata"]["name"] == QUOTA_NAME:
            status = quota.get("status") or {}
            usage[quota["metadata"]["namespace"]] = Usage(hard=dict(status.get("hard") or {}),
                                                          used=dict(status.get("used") or {}))
    for pod in pods:
        if (pod.get("status") or {}).get("phase") != "Running":
            continue
        entry = usage.setdefault(pod["metadata"]["namespace"], Usage())
        entry.pods_running += 1
        entry.images += [{"image": c.get("image", ""), "pod": pod["metadata"]["name"], "container": c["name"]}
                         for c in (pod.get("spec") or {}).get("containers") or []]
    return usage


def bars(hard: dict[str, str], used: dict[str, str]) -> list[dict]:
    """The quota bars of one namespace: label, used and hard in display units, and the percentage used."""
    result = []
    for key, label, divisor, unit in BARS:
        if key not in hard:
            continue
        limit, current = served_amount(hard[key]) / divisor, served_amount(used.get(key, "0")) / divisor
        percent = int(min(100, current * 100 / limit)) if limit else 0
        result.append({"key": key, "label": label, "used": _display(current), "hard": _display(limit), "unit": unit,
                       "percent": percent})
    return result


def _display(amount) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".") or "0"


PodObserver = Callable[[dict[str, list[dict]], datetime], None]
_POD_OBSERVERS: list[PodObserver] = []


def register_pod_observer(observer: PodObserver) -> None:
    """Another app looks at every campus namespace's pods as usage collection reads them (after each resync),
    instead of listing them again: it gets {namespace: [pods]} and the time. Registered in its `ready()`."""
    if observer not in _POD_OBSERVERS:
        _POD_OBSERVERS.append(observer)


def collect_usage(now: datetime | None = None) -> int:
    """Refresh every managed namespace's usage; returns how many namespaces were recorded."""
    now = now or timezone.now()
    kube = kube_cluster()
    try:
        quotas = kube.list_labelled("ResourceQuota", f"{MANAGED_BY[0]}={MANAGED_BY[1]}")
        pods = kube.list_labelled("Pod", "")
    finally:
        kube.close()
    summary = summarize(quotas, pods)
    namespaces = dict(ManagedNamespace.objects.values_list("name", "pk"))
    stored = {u.namespace_id: u for u in NamespaceUsage.objects.filter(namespace_id__in=namespaces.values())}
    created, updated = [], []
    for name, pk in namespaces.items():
        usage = summary.get(name, Usage())
        row = stored.get(pk) or NamespaceUsage(namespace_id=pk)
        row.collected_at, row.hard, row.used = now, usage.hard, usage.used
        row.pods_running, row.images = usage.pods_running, usage.images
        (updated if row.pk else created).append(row)
    with transaction.atomic():
        NamespaceUsage.objects.bulk_create(created, batch_size=500)
        NamespaceUsage.objects.bulk_update(updated, ["collected_at", "hard", "used", "pods_running", "images"],
                                           batch_size=500)
        active = [name for name, usage in summary.items() if usage.pods_running and name in namespaces]
        ManagedNamespace.objects.filter(name__in=active).update(last_activity_at=now)
    by_namespace: dict[str, list[dict]] = {name: [] for name in namespaces}
    for pod in pods:
        if pod["metadata"].get("namespace") in by_namespace:
            by_namespace[pod["metadata"]["namespace"]].append(pod)
    for observer in _POD_OBSERVERS:
        try:
            observer(by_namespace, now)
        except Exception:  # one app's report never stops usage collection
            log.exception("pod observer %s failed", getattr(observer, "__name__", observer))
    return len(namespaces)
