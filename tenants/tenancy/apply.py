"""Carrying out a plan: create, replace or delete object by object, audit each, hold what a guard stopped."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from tenants.engine.drift import replacement
from tenants.engine.plan import Action, Plan, is_managed
from tenants.infra import audit
from tenants.infra.kube import KubeCluster, KubeError
from tenants.models import HeldPlan, ManagedNamespace
from tenants.signals import announce, namespace_reclaimed
from tenants.tenancy.ownership import clear_conflict, open_conflicts, record_conflict

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    plan: Plan
    applied: int = 0
    failures: list[str] = field(default_factory=list)
    held_plan: HeldPlan | None = None  # namespace deletions held by the deletion guard
    held_access: HeldPlan | None = None  # access removals held by the access guard
    incomplete: list[str] = field(default_factory=list)  # what the GitLab read could not get
    conflicts: int = 0  # objects campus wanted whose names belong to others
    kube_calls: dict[str, int] = field(default_factory=dict)  # Kubernetes requests by verb


def apply_plan(kube: KubeCluster, plan: Plan, trigger: str, progress: Callable[[int, int], None] | None,
               wanted_for: dict[str, str] | None = None) -> SyncResult:
    """Carry out the plan one object at a time; a failure is recorded and the run goes on. A create refused
    because the name is taken is a conflict: nothing else is written into a namespace that is not campus's."""
    result, known_conflicts, refused = SyncResult(plan=plan), open_conflicts(), set()
    for done, action in enumerate(plan.actions, 1):
        if action.namespace in refused:
            continue
        try:
            _apply_action(kube, action)
        except KubeError as error:
            if action.verb == "create" and error.status == 409:
                result.conflicts += 1
                if action.kind == "Namespace":
                    refused.add(action.name)
                record_conflict(action.kind, action.namespace, action.name,
                                (wanted_for or {}).get(action.namespace or action.name, "a tenant"),
                                "left as it is; campus's own is not created", trigger)
            else:
                result.failures.append(f"{action.describe()}: {error}")
                audit.failure(action.verb, error, trigger=trigger, kind=action.kind,
                              namespace=action.namespace or action.name, name=action.name)
        else:
            result.applied += 1
            if action.key in known_conflicts:
                clear_conflict(*action.key)
            audit.record(audit.Action.DRIFT if action.changed_by else audit.Action(action.verb), trigger=trigger,
                         kind=action.kind, namespace=action.namespace or action.name, name=action.name,
                         reason=action.reason)
        if progress:
            progress(done, len(plan.actions))
    if plan.held:
        result.held_plan = _hold(trigger, HeldPlan.Step.DELETE, plan.held_reason, [a.name for a in plan.held])
    if plan.held_removals:
        result.held_access = _hold(trigger, HeldPlan.Step.REMOVE_ACCESS, plan.removals_reason,
                                   sorted({r.namespace for r in plan.held_removals}),
                                   [r.as_dict() for r in plan.held_removals])
    return result


def _hold(trigger: str, step: str, reason: str, namespaces: list[str], removals: list | None = None) -> HeldPlan:
    """One held plan per distinct decision: a resync every few minutes finds the same one waiting."""
    held = HeldPlan.objects.filter(status=HeldPlan.Status.HELD, step=step, namespaces=namespaces,
                                   removals=removals or []).first()
    if held is None:
        held = HeldPlan.objects.create(trigger=trigger, step=step, reason=reason, namespaces=namespaces,
                                       removals=removals or [])
        audit.record(audit.Action.HELD, trigger=trigger, kind="Namespace" if removals is None else "RoleBinding",
                     reason=f"held plan #{held.pk}: {reason}")
    return held


def _apply_action(kube: KubeCluster, action: Action) -> None:
    if action.verb == "delete":
        kube.delete(action.kind, action.namespace, action.name, uid=action.uid)
        if action.kind == "Namespace":
            forget(action.name)
    elif action.verb == "update":
        _replace(kube, action)
    else:
        kube.create(action.obj)


def _replace(kube: KubeCluster, action: Action, attempts: int = 3) -> None:
    """Write campus's fields into the object as read. Controllers keep writing status (a quota's usage), so a
    409 means: read it again and, if it is still the same campus object, write into the fresh copy."""
    current = action.observed
    for attempt in range(attempts):
        try:
            kube.replace(replacement(action.obj, current))
            return
        except KubeError as error:
            if error.status != 409 or attempt == attempts - 1:
                raise
        current = kube.get(action.kind, action.namespace, action.name)
        if current is None or not is_managed(current) or current["metadata"].get("uid") != action.uid:
            raise KubeError(409, "Conflict", "replaced by an object campus does not own since it was read")


def forget(name: str) -> None:
    """campus's records of a deleted namespace go; other capabilities are told to release what they hold."""
    record = ManagedNamespace.objects.select_related("owner").filter(name=name).first()
    if record is None:
        return
    with transaction.atomic():
        record.delete()
        announce(namespace_reclaimed, name=name, kind=record.kind, owner=record.owner.username if record.owner else "")
