"""The audit trail's one way in: every entry has an action from `Action`, a trigger, what it is about and why.

Reasons are cut to the column's length, and never carry secrets: callers pass what campus did and why, not the
credentials it used.
"""

from enum import StrEnum

from tenants.infra.models import AuditEntry

REASON_LENGTH = 2000


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DRIFT = "drift"  # an update that undid someone else's change
    ERROR = "error"
    HELD = "held"
    CONFLICT = "conflict"
    APPROVE = "approve"
    DENY = "deny"
    WARN = "warn"
    EXTEND = "extend"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    ARCHIVE = "archive"


def record(action: Action, *, trigger: str, kind: str, namespace: str = "", name: str = "",
           reason: str = "") -> AuditEntry:
    return AuditEntry.objects.create(trigger=trigger[:64], action=Action(action).value, kind=kind,
                                     namespace=namespace, name=name, reason=reason[:REASON_LENGTH])


def namespace_event(action: Action, namespace: str, reason: str, trigger: str) -> AuditEntry:
    """Something that happened to a whole namespace (a stage, a warning, an extension)."""
    return record(action, trigger=trigger, kind="Namespace", namespace=namespace, name=namespace, reason=reason)


def failure(step: str, error: Exception | str, *, trigger: str, kind: str, namespace: str, name: str) -> AuditEntry:
    return record(Action.ERROR, trigger=trigger, kind=kind, namespace=namespace, name=name,
                  reason=f"{step} failed: {error}")
