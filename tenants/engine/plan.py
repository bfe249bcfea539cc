"""Desired versus observed: what to create, update and delete. Pure and O(objects).

Safety rules (see docs/architecture.md): only campus-labelled objects are ever deleted; when the GitLab
read was incomplete nothing is deleted; more namespace deletions than the guard allows are held for an
admin instead of applied.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from tenants.engine.config import MANAGED_BY, TenancyConfig
from tenants.engine.desired import SPEC_HASH


@dataclass(frozen=True)
class Action:
    verb: str  # create, update, delete
    kind: str
    namespace: str
    name: str
    reason: str
    obj: dict | None = None  # the desired object for create and update

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
    skipped_deletions: int = 0  # deletions not planned because the GitLab read was incomplete

    def count(self, verb: str) -> int:
        return sum(1 for a in self.actions if a.verb == verb)

    def lines(self) -> list[str]:
        lines = [a.describe() for a in self.actions]
        lines += [f"held   {a.kind:14} {a.name}  ({a.reason})" for a in self.held]
        if self.held_reason:
            lines.append(f"deletion guard: {self.held_reason}")
        if self.skipped_deletions:
            lines.append(f"{self.skipped_deletions} deletion(s) skipped: the GitLab read was incomplete")
        summary = ", ".join(f"{self.count(v)} to {v}" for v in ("create", "update", "delete"))
        return [*lines, f"plan: {summary}, {len(self.held)} held"]


def _key(obj: dict) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def _managed(obj: dict) -> bool:
    return (obj["metadata"].get("labels") or {}).get(MANAGED_BY[0]) == MANAGED_BY[1]


def make_plan(desired: Iterable[dict], observed: Iterable[dict], *, complete: bool, config: TenancyConfig,
              scope: set[str] | None = None, reasons: dict[str, str] | None = None) -> Plan:
    """`scope`: when set, only observed objects in these namespaces are considered (a webhook's partial sync).
    `reasons`: why each tenant namespace is wanted, for the audit trail."""
    reasons = reasons or {}
    wanted = {_key(obj): obj for obj in desired}
    present = {_key(obj): obj for obj in observed if _managed(obj)}
    if scope is not None:
        present = {k: o for k, o in present.items() if (k[1] or k[2]) in scope}
    plan = Plan()
    for key, obj in wanted.items():
        tenant = key[1] or key[2]
        why = reasons.get(tenant, "wanted")
        current = present.get(key)
        if current is None:
            plan.actions.append(Action("create", *key, f"missing; {why}", obj))
        elif (current["metadata"].get("annotations") or {}).get(SPEC_HASH) != obj["metadata"]["annotations"][SPEC_HASH]:
            plan.actions.append(Action("update", *key, f"differs; {why}", obj))
    unwanted = [key for key in present if key not in wanted]
    if not complete:
        plan.skipped_deletions = len(unwanted)
        return plan
    doomed_namespaces = {key[2] for key in unwanted if key[0] == "Namespace"}
    deletions = [Action("delete", *key, "no longer wanted") for key in unwanted
                 if key[0] == "Namespace" or key[1] not in doomed_namespaces]  # a namespace takes its contents
    namespace_deletions = [a for a in deletions if a.kind == "Namespace"]
    managed_namespaces = sum(1 for key in present if key[0] == "Namespace")
    limit = min(config.max_namespace_deletions, int(managed_namespaces * config.max_namespace_deletion_share))
    if namespace_deletions and len(namespace_deletions) > max(limit, 1):
        plan.held = namespace_deletions
        plan.held_reason = (f"{len(namespace_deletions)} namespace deletions exceed the limit of {max(limit, 1)} "
                            f"({config.max_namespace_deletions} or {config.max_namespace_deletion_share:.0%} "
                            f"of {managed_namespaces})")
        deletions = [a for a in deletions if a.kind != "Namespace"]
    plan.actions.extend(deletions)
    return plan
