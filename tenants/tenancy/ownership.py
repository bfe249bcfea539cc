"""Objects campus wanted whose names belong to someone else: recorded for the desk and the audit, never taken.

A conflict is recorded (or seen again) each time campus finds one, and cleared once campus has created its own
object under that name.
"""

import logging

from tenants.infra import audit
from tenants.models import OwnershipConflict

log = logging.getLogger(__name__)


def record_conflict(kind: str, namespace: str, name: str, tenant: str, resolution: str, trigger: str) -> None:
    where = f"{namespace}/{name}" if namespace else name
    log.warning("%s %s exists and is not campus's: %s", kind, where, resolution)
    OwnershipConflict.objects.update_or_create(kind=kind, namespace=namespace, name=name,
                                               defaults={"tenant": tenant, "resolution": resolution})
    audit.record(audit.Action.CONFLICT, trigger=trigger, kind=kind, namespace=namespace or name, name=name,
                 reason=f"exists and was not created by campus; {resolution}; wanted for {tenant}")


def open_conflicts() -> set[tuple[str, str, str]]:
    return set(OwnershipConflict.objects.values_list("kind", "namespace", "name"))


def clear_conflict(kind: str, namespace: str, name: str) -> None:
    OwnershipConflict.objects.filter(kind=kind, namespace=namespace, name=name).delete()
