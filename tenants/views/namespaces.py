"""The student's namespaces: the dashboard and one namespace's page."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tenants.engine.tiers import effective
from tenants.infra.kube import KubeError
from tenants.infra.settings import kube_cluster, tenancy_config
from tenants.selectors import namespaces as selectors
from tenants.tenancy.usage import bars

log = logging.getLogger(__name__)


@login_required
def dashboard(request):
    roles = sorted(request.user.groups.values_list("name", flat=True))
    rows = selectors.namespaces_of(request.user)
    collected = [row["usage"].collected_at for row in rows if row["usage"]]
    return render(request, "tenants/dashboard.html", {"roles": roles, "rows": rows,
                                                      "usage_at": min(collected) if collected else None})


@login_required
def namespace_detail(request, name: str):
    namespace = selectors.visible_namespace(request.user, name)
    if namespace is None:
        raise Http404("no such namespace of yours")
    config = tenancy_config()
    tier = effective(config.tiers[namespace.tier], namespace.quota_overrides) if namespace.tier in config.tiers \
        else None
    usage = getattr(namespace, "usage", None)
    used = usage.used if usage else {}
    return render(request, "tenants/namespace.html", {
        "namespace": namespace, "role": selectors.namespace_role(request.user, namespace),
        "members": selectors.members_of(namespace), "usage": usage,
        "bars": bars(usage.hard, usage.used) if usage else [],
        "quota": [(key, value, used.get(key, "")) for key, value in sorted(tier.quota.items())] if tier else [],
        "limits": sorted(tier.limits.items()) if tier else [],
        "pods": _running_in(namespace.name),
        "extension_days": settings.CAMPUS_EXTENSION_DAYS, "max_extensions": settings.CAMPUS_MAX_EXTENSIONS,
    })


def _running_in(namespace: str) -> list[dict] | None:
    """What runs there, live from the cluster; None when the cluster cannot be asked right now."""
    kube = kube_cluster()
    try:
        pods = kube.list_labelled("Pod", "", namespace=namespace)
    except (KubeError, OSError) as error:
        log.warning("listing pods in %s failed: %s", namespace, error)
        return None
    finally:
        kube.close()
    now = timezone.now()
    rows = []
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        status = pod.get("status") or {}
        started = pod["metadata"].get("creationTimestamp")
        rows.append({
            "name": pod["metadata"]["name"], "phase": status.get("phase", "Unknown"),
            "images": [c.get("image", "") for c in (pod.get("spec") or {}).get("containers") or []],
            "restarts": sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or []),
            "age": _age(now, started),
        })
    return rows


def _age(now, timestamp: str | None) -> str:
    if not timestamp:
        return ""
    seconds = int((now - timezone.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"
