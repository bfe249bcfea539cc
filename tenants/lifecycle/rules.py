"""The lifecycle's rules: terms, expiry dates, warnings due, the next stage, and the reclamation plan. Pure.

    active ──(warnings 14, 3, 1 days before)──► warned ──(expiry passed)──► suspended
    suspended ──(grace period)──► archived ──► deleted          (an extension returns to active)

The guard: more suspensions or deletions in one run than configured are held for an admin; an approved
held plan lets exactly its namespaces through.
"""


from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Term:
    start: date
    end: date  # inclusive: the namespace lives through this day


def default_terms(around: date) -> list[Term]:
    """German-style semesters: winter 1 Oct – 31 Mar, summer 1 Apr – 30 Sep, for the years around `around`."""
    terms = []
    for year in range(around.year - 1, around.year + 2):
        terms.append(Term(date(year, 4, 1), date(year, 9, 30)))
        terms.append(Term(date(year, 10, 1), date(year + 1, 3, 31)))
    return terms


def parse_terms(spec: str) -> list[Term]:
    """`2026-10-01..2027-03-31,2027-04-01..2027-09-30` → terms; raises ValueError with the bad part."""
    terms = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            start, end = (date.fromisoformat(d.strip()) for d in part.split(".."))
        except ValueError:
            raise ValueError(f"term {part!r} is not START..END in YYYY-MM-DD") from None
        if end < start:
            raise ValueError(f"term {part!r} ends before it starts")
        terms.append(Term(start, end))
    return sorted(terms, key=lambda t: t.start)


def term_end(day: date, terms: list[Term]) -> date:
    """The end of the term containing `day`, or of the next term when `day` falls between terms."""
    for term in sorted(terms, key=lambda t: t.start):
        if day <= term.end:
            return term.end
    raise ValueError(f"no term in the calendar covers {day.isoformat()}")


@dataclass(frozen=True)
class ExpiryPolicy:
    terms: list[Term]
    idle_days: int = 60  # a personal namespace with no pods and no sign-in this long expires early
    active_days: int = 30  # activity this close to the term end carries a personal namespace into the next term
    warning_days: tuple[int, ...] = (14, 3, 1)
    grace_days: int = 30  # suspended this long before it is archived and deleted
    max_extensions: int = 2
    extension_days: int = 30
    latest_extension_months: int = 12  # no extension beyond this far from creation


def personal_expiry(today: date, last_activity: date | None, policy: ExpiryPolicy) -> date:
    """End of this term, or of the next if the owner was active near the end of this one; earlier when idle."""
    end = term_end(today, policy.terms)
    if last_activity and (end - last_activity).days <= policy.active_days:
        end = term_end(end + timedelta(days=1), policy.terms)
    if last_activity:
        end = min(end, last_activity + timedelta(days=policy.idle_days))
    return max(end, today)


def expiry_date(kind: str, today: date, policy: ExpiryPolicy, *, last_activity: date | None = None,
                course_end: date | None = None, requested_end: date | None = None,
                override: date | None = None) -> date:
    """An admin override (or an extension) wins; then a requested namespace's end, a course's end, a personal
    namespace's term."""
    if override:
        return override
    if requested_end:
        return requested_end
    if course_end:
        return course_end
    if kind == "personal":
        return personal_expiry(today, last_activity, policy)
    return term_end(today, policy.terms)


def due_warning(expires_on: date, today: date, sent: set[int], policy: ExpiryPolicy) -> int | None:
    """The one warning (days before expiry) to send now, or None. Only the closest due one is sent, once:
    a job that missed the 14-day mark on day 3 sends the 3-day warning, not both."""
    days_left = (expires_on - today).days
    due = [d for d in policy.warning_days if days_left <= d and d not in sent]
    if days_left < 0 or not due:
        return None
    closest = min(due)
    return None if any(s < closest for s in sent if s in policy.warning_days) else closest


def extension_refusal(expires_on: date, created_on: date, extensions_used: int, policy: ExpiryPolicy) -> str | None:
    """Why an extension is not possible, or None when it is."""
    if extensions_used >= policy.max_extensions:
        return f"this namespace has already been extended {extensions_used} times (the limit)"
    if extended_until(expires_on, created_on, policy) <= expires_on:
        return "this namespace has reached the latest date it can be extended to"
    return None


def extended_until(expires_on: date, created_on: date, policy: ExpiryPolicy) -> date:
    latest = _add_months(created_on, policy.latest_extension_months)
    return min(expires_on + timedelta(days=policy.extension_days), latest)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_stage(stage: str, expires_on: date, suspended_at: datetime | None, now: datetime,
               policy: ExpiryPolicy) -> str | None:
    """The lifecycle step due now for a namespace in `stage`, or None."""
    if stage in ("active", "warned") and now.date() > expires_on:
        return "suspended"
    if stage == "suspended" and suspended_at and now - suspended_at >= timedelta(days=policy.grace_days):
        return "archived"
    if stage == "archived":
        return "deleted"
    return None

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
