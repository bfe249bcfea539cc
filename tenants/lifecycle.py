"""The reclamation plan: expiry dates, warnings due, and the lifecycle steps due now. Pure.

    active ──(warnings 14, 3, 1 days before)──► warned ──(expiry passed)──► suspended
    suspended ──(grace period)──► archived ──► deleted          (an extension returns to active)

The guard: more suspensions or deletions in one run than configured are held for an admin; an approved
held plan lets exactly its namespaces through.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tenants.expiry import ExpiryPolicy, due_warning, expiry_date, next_stage, personal_expiry, term_end

STEP_FOR_STAGE = {"suspended": "suspend", "archived": "archive", "deleted": "delete"}
GUARDED_STEPS = ("suspend", "delete")


@dataclass(frozen=True)
class NamespaceState:
    name: str
    kind: str
    stage: str
    created_on: date
    expires_on: date | None = None
    expiry_override: date | None = None
    requested_end: date | None = None
    last_activity: date | None = None
    stage_changed_at: datetime | None = None
    warnings_sent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Limits:
    max_suspensions: int = 25
    max_deletions: int = 10


@dataclass
class ReclaimPlan:
    expiry: dict[str, date] = field(default_factory=dict)  # namespaces whose expiry date changes
    warnings: list[tuple[str, int]] = field(default_factory=list)  # (namespace, days before)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (namespace, suspend | archive | delete)
    held: dict[str, list[str]] = field(default_factory=dict)  # step -> namespaces the guard holds

    def lines(self) -> list[str]:
        return ([f"expiry {name} → {day.isoformat()}" for name, day in sorted(self.expiry.items())]
                + [f"warn {name}: {days} day(s) left" for name, days in self.warnings]
                + [f"{step} {name}" for name, step in self.steps]
                + [f"HELD {step} {name}" for step, names in sorted(self.held.items()) for name in names])


def current_expiry(ns: NamespaceState, policy: ExpiryPolicy) -> date:
    """When the namespace ends, counted from its creation or its last activity, whichever is later, so that
    activity in a new term carries it into that term and an idle one keeps its date."""
    reference = max(ns.created_on, ns.last_activity or ns.created_on)
    if ns.kind == "personal" and not (ns.expiry_override or ns.requested_end):
        return personal_expiry(reference, ns.last_activity, policy)
    return expiry_date(ns.kind, reference, policy, override=ns.expiry_override, requested_end=ns.requested_end,
                       course_end=term_end(reference, policy.terms))


def plan_reclaim(namespaces: Iterable[NamespaceState], now: datetime, policy: ExpiryPolicy, limits: Limits,
                 approved: Mapping[str, set[str]] | None = None) -> ReclaimPlan:
    approved = approved or {}
    plan, due = ReclaimPlan(), {step: [] for step in GUARDED_STEPS}
    for ns in namespaces:
        expires = ns.expires_on
        if ns.stage in ("active", "warned"):
            expires = current_expiry(ns, policy)
            if expires != ns.expires_on:
                plan.expiry[ns.name] = expires
            warning = due_warning(expires, now.date(), set(ns.warnings_sent), policy)
            if warning is not None:
                plan.warnings.append((ns.name, warning))
        stage = next_stage(ns.stage, expires, ns.stage_changed_at, now, policy) if expires else None
        if stage is None:
            continue
        step = STEP_FOR_STAGE[stage]
        if step in due and ns.name not in approved.get(step, set()):
            due[step].append(ns.name)
        else:
            plan.steps.append((ns.name, step))
    for step, names in due.items():
        limit = limits.max_suspensions if step == "suspend" else limits.max_deletions
        if len(names) > limit:
            plan.held[step] = names
        else:
            plan.steps += [(name, step) for name in names]
    return plan
