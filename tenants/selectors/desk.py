"""Reads for the admin desk: the cluster overview and the audit log. Query counts do not grow per namespace."""

from datetime import timedelta

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from tenants.engine.quantities import served_amount
from tenants.models import AuditEntry, GitLabEvent, HeldPlan, ManagedNamespace, NamespaceUsage, OwnershipConflict

IDLE_AFTER = timedelta(days=14)
EXPIRING_WITHIN = timedelta(days=14)
TOP = 10


def cluster_overview() -> dict:
    usages = list(NamespaceUsage.objects.select_related("namespace"))
    consumers = sorted(usages, key=lambda u: (served_amount(u.used.get("requests.cpu", "0")),
                                              served_amount(u.used.get("requests.memory", "0"))), reverse=True)
    idle_before = timezone.now() - IDLE_AFTER
    images: dict[str, list[str]] = {}
    for usage in usages:
        for running in usage.images:
            images.setdefault(running["image"], []).append(f"{usage.namespace.name}/{running['pod']}")
    last_sync = AuditEntry.objects.filter(trigger="resync").aggregate(at=Max("at"))["at"]
    return {
        "by_tier": list(ManagedNamespace.objects.values("tier").annotate(count=Count("pk")).order_by("tier")),
        "by_stage": list(ManagedNamespace.objects.values("stage").annotate(count=Count("pk")).order_by("stage")),
        "top_consumers": [{"namespace": u.namespace, "pods": u.pods_running,
                           "cpu": f"{u.used.get('requests.cpu', '0')} of {u.hard.get('requests.cpu', '—')}",
                           "memory": f"{u.used.get('requests.memory', '0')} of {u.hard.get('requests.memory', '—')}"}
                          for u in consumers[:TOP] if u.used],
        "idle": [u.namespace for u in usages if not u.pods_running and (
            u.namespace.last_activity_at is None or u.namespace.last_activity_at < idle_before)],
        "images": sorted(images.items()),
        "last_sync": last_sync,
        "events": dict(GitLabEvent.objects.values_list("status").annotate(count=Count("pk"))),
        "held_plans": list(HeldPlan.objects.filter(status=HeldPlan.Status.HELD)),
        "conflicts": list(OwnershipConflict.objects.all()[:TOP * 5]),
        **lifecycle_lists(),
        "recent_errors": list(AuditEntry.objects.filter(action="error").order_by("-at")[:TOP]),
    }


def audit_entries(filters: dict) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-at")
    if filters.get("namespace"):
        entries = entries.filter(namespace__icontains=filters["namespace"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("trigger"):
        entries = entries.filter(trigger__startswith=filters["trigger"])
    if filters.get("since"):
        entries = entries.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(at__date__lte=filters["until"])
    return entries


def lifecycle_lists() -> dict:
    """Expiring soon, suspended and archived namespaces, for the admin desk."""
    today = timezone.localdate()
    namespaces = ManagedNamespace.objects.select_related("owner").order_by("expires_on", "name")
    return {
        "expiring": list(namespaces.filter(stage__in=["active", "warned"], expires_on__lte=today + EXPIRING_WITHIN)),
        "suspended": list(namespaces.filter(stage=ManagedNamespace.Stage.SUSPENDED)),
        "archived": list(namespaces.filter(stage=ManagedNamespace.Stage.ARCHIVED)),
    }
