"""Desired versus observed: what to create, update and delete. Pure and O(objects).

Safety rules (see docs/architecture.md):
- only campus-labelled objects are compared, updated or deleted; a missing one is *created*, never applied over
  whatever else might carry its name (the adapter's create refuses to take over);
- an update is planned when a field campus owns differs from what it renders (drift), and replaces exactly
  those fields;
- when the GitLab read was incomplete nothing is deleted (a member list that could not be read whole renders no
  RoleBindings, so its people keep theirs); more removals of access, or namespace deletions, than the guards allow
  wait for an admin.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from tenants.engine import access
from tenants.engine.access import Removal
from tenants.engine.config import COMPONENT_LABEL, MANAGED_BY, TENANCY, TenancyConfig
from tenants.engine.drift import changed_by, differences


@dataclass(frozen=True)
class Action:
    verb: str  # create, update, delete
    kind: str
    namespace: str
    name: str
    reason: str
    obj: dict | None = None  # create and update: the rendered object (update: with any access kept)
    observed: dict | None = None  # update: the object as read, which the update replaces campus's fields in
    uid: str = ""  # update and delete: the observed object's uid, a precondition
    drift: tuple[str, ...] = ()  # update: the fields that differ
    changed_by: str = ""  # update: who last wrote the object, where known

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind, self.namespace, self.name

    def describe(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.verb:6} {self.kind:14} {where}  ({self.reason})"


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    held: list[Action] = field(default_factory=list)  # namespace deletions waiting for an admin
    held_reason: str = ""
    held_removals: list[Removal] = field(default_factory=list)  # access removals waiting for an admin
    removals_reason: str = ""
    skipped_deletions: int = 0  # deletions not planned because the GitLab read was incomplete

    def count(self, verb: str) -> int:
        return sum(1 for a in self.actions if a.verb == verb)

    def lines(self) -> list[str]:
        lines = [a.describe() for a in self.actions]
        lines += [f"held   {a.kind:14} {a.name}  ({a.reason})" for a in self.held]
        if self.held_reason:
            lines.append(f"deletion guard: {self.held_reason}")
        lines += [f"held   access         {removal.describe()}" for removal in self.held_removals]
        if self.removals_reason:
            lines.append(f"access guard: {self.removals_reason}")
        if self.skipped_deletions:
            lines.append(f"{self.skipped_deletions} deletion(s) skipped: the GitLab read was incomplete")
        summary = ", ".join(f"{self.count(v)} to {v}" for v in ("create", "update", "delete"))
        return [*lines, f"plan: {summary}, {len(self.held) + len(self.held_removals)} held"]


def object_key(obj: dict) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def is_managed(obj: dict) -> bool:
    """campus's, whichever part of campus wrote it."""
    return (obj["metadata"].get("labels") or {}).get(MANAGED_BY[0]) == MANAGED_BY[1]


def component_of(obj: dict) -> str:
    return (obj["metadata"].get("labels") or {}).get(COMPONENT_LABEL) or TENANCY


def owned_by(obj: dict, component: str) -> bool:
    return is_managed(obj) and component_of(obj) == component


def _tenant(key: tuple[str, str, str]) -> str:
    return key[1] or key[2]


@dataclass(frozen=True)
class Guards:
    """What the guards measure against and what an admin already approved."""

    approved_removals: frozenset[Removal] = frozenset()
    managed_namespaces: int | None = None  # all of campus's namespaces (default: those observed)
    bound_subjects: int | None = None  # everyone campus has bound anywhere (default: those observed)
    own_managers: frozenset[str] = frozenset({"campus"})
    # Off for campus's own decisions (a suspension leaves every member view only): the access guard is there
    # for what a GitLab answer would take away, and mass suspensions have the reclaim guard.
    guard_access: bool = True


def make_plan(desired: Iterable[dict], observed: Iterable[dict], *, complete: bool, config: TenancyConfig,
              scope: set[str] | None = None, reasons: dict[str, str] | None = None,
              guards: Guards = Guards(), component: str = TENANCY) -> Plan:
    """`scope`: when set, only observed objects in these namespaces are considered (a webhook's partial sync).
    `reasons`: why each tenant namespace is wanted, for the audit trail. Only `component`'s objects are compared
    and pruned: other parts of campus keep theirs."""
    reasons = reasons or {}
    wanted = {object_key(obj): obj for obj in desired}
    present = {object_key(obj): obj for obj in observed if owned_by(obj, component)}
    if scope is not None:
        present = {k: o for k, o in present.items() if _tenant(k) in scope}
    plan = Plan()
    unwanted = [key for key in present if key not in wanted]
    deletions = _deletions(plan, unwanted, complete, present, config, guards)
    _hold_removals(plan, wanted, present, deletions, config, guards)
    for key, obj in wanted.items():
        why = reasons.get(_tenant(key), "wanted")
        current = present.get(key)
        if current is None:
            plan.actions.append(Action("create", *key, f"missing; {why}", obj))
            continue
        target = _with_access_kept(obj, current, plan)
        drift = differences(target, current)
        if drift:
            who = changed_by(current, guards.own_managers)
            plan.actions.append(Action("update", *key, f"{', '.join(drift)} differ{'s' if len(drift) == 1 else ''}"
                                       f"{f' (last changed by {who})' if who else ''}; {why}",
                                       target, current, current["metadata"].get("uid", ""), tuple(drift), who))
    plan.actions.extend(deletions)
    return plan


def _deletions(plan: Plan, unwanted: list, complete: bool, present: dict, config: TenancyConfig,
               guards: Guards) -> list[Action]:
    if not complete:
        plan.skipped_deletions = len(unwanted)
        return []
    doomed_namespaces = {key[2] for key in unwanted if key[0] == "Namespace"}
    deletions = [Action("delete", *key, "no longer wanted", uid=present[key]["metadata"].get("uid", ""))
                 for key in unwanted if key[0] == "Namespace" or key[1] not in doomed_namespaces]
    namespace_deletions = [a for a in deletions if a.kind == "Namespace"]
    managed = guards.managed_namespaces
    if managed is None:
        managed = sum(1 for key in present if key[0] == "Namespace")
    limit = max(min(config.max_namespace_deletions, int(managed * config.max_namespace_deletion_share)), 1)
    if len(namespace_deletions) > limit:
        plan.held = namespace_deletions
        plan.held_reason = (f"{len(namespace_deletions)} namespace deletions exceed the limit of {limit} "
                            f"({config.max_namespace_deletions} or {config.max_namespace_deletion_share:.0%} "
                            f"of {managed})")
        deletions = [a for a in deletions if a.kind != "Namespace"]
    return deletions


def _hold_removals(plan: Plan, wanted: dict, present: dict, deletions: list[Action], config: TenancyConfig,
                   guards: Guards) -> None:
    """Count every access removal the plan would make; past the guard's limit they are held, all of them."""
    deleted = {a.key for a in deletions}
    candidates = []
    for key, current in present.items():
        if key[0] == "RoleBinding" and (key in wanted or key in deleted):
            candidates += access.removals(current, wanted.get(key))
    counted = [r for r in candidates if r not in guards.approved_removals and guards.guard_access]
    bound = guards.bound_subjects
    if bound is None:
        bound = sum(len(o.get("subjects") or []) for k, o in present.items() if k[0] == "RoleBinding")
    limit = access.removal_limit(bound, config)
    if len(counted) > limit:
        plan.held_removals = counted
        plan.removals_reason = access.guard_reason(len(counted), limit, bound, config)
    withheld = {(r.namespace, r.role) for r in plan.held_removals}
    deletions[:] = [a for a in deletions if not (a.kind == "RoleBinding" and (
        a.namespace, (present[a.key].get("roleRef") or {}).get("name", "")) in withheld)]


def _with_access_kept(obj: dict, current: dict, plan: Plan) -> dict:
    if obj["kind"] != "RoleBinding":
        return obj
    meta, role = current["metadata"], (current.get("roleRef") or {}).get("name", "")
    kept = [r for r in plan.held_removals if r.namespace == meta.get("namespace", "") and r.role == role]
    return access.keeping(obj, current, kept) if kept else obj
