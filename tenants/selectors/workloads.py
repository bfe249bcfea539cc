"""What runs in a namespace, read live from the cluster for the namespace page."""

import logging

from django.utils import timezone

from tenants.infra.kube import KubeError
from tenants.infra.settings import kube_cluster

log = logging.getLogger(__name__)


def running_pods(namespace: str) -> list[dict] | None:
    """The namespace's pods as rows (name, phase, images, restarts, age); None when the cluster cannot be asked
    right now (the page says so instead of failing)."""
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
        rows.append({
            "name": pod["metadata"]["name"], "phase": status.get("phase", "Unknown"),
            "images": [c.get("image", "") for c in (pod.get("spec") or {}).get("containers") or []],
            "restarts": sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or []),
            "age": _age(now, pod["metadata"].get("creationTimestamp")),
            "annotations": pod["metadata"].get("annotations") or {},
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
