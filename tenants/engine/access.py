"""Who would lose access through a change of campus's RoleBindings, and how that is held back. Pure.

Access only shrinks on the strength of a complete, believable GitLab answer: for a tenant whose member list
could not be read completely, subjects are kept (additions still apply), and more removals in one run than the
guard allows (a count, or a share of everyone campus has bound) wait for an admin, who sees who would lose what.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from tenants.engine.config import TenancyConfig


@dataclass(frozen=True, order=True)
class Removal:
    """`subject` loses ClusterRole `role` in `namespace`."""

    namespace: str
    role: str
    subject: str  # a user name, or "<Kind> <name>" for groups and service accounts

    def describe(self) -> str:
        return f"{self.subject} loses {self.role} in {self.namespace}"

    def as_dict(self) -> dict:
        return {"namespace": self.namespace, "role": self.role, "subject": self.subject}


def subject_key(subject: dict) -> str:
    if subject.get("kind", "User") == "User":
        return subject.get("name", "")
    return f"{subject.get('kind')} {subject.get('name', '')}"


def _subjects(binding: dict | None) -> dict[str, dict]:
    return {subject_key(s): s for s in (binding or {}).get("subjects") or []}


def removals(current: dict, wanted: dict | None) -> list[Removal]:
    """What replacing `current` with `wanted` (None: deleting it) takes away from whom."""
    meta, role = current["metadata"], (current.get("roleRef") or {}).get("name", "")
    kept = _subjects(wanted) if wanted is not None and (wanted.get("roleRef") or {}).get("name") == role else {}
    return sorted(Removal(meta.get("namespace", ""), role, key) for key in _subjects(current) if key not in kept)


def keeping(wanted: dict, current: dict, kept: Iterable[Removal]) -> dict:
    """`wanted` with the subjects of `kept` put back from `current`: additions apply, these removals do not."""
    names = {removal.subject for removal in kept}
    back = [s for key, s in _subjects(current).items() if key in names and key not in _subjects(wanted)]
    return {**wanted, "subjects": [*(wanted.get("subjects") or []), *back]}


def removal_limit(bound_subjects: int, config: TenancyConfig) -> int:
    """How many removals one run may make on its own; everyday churn (a few) always passes."""
    share = int(bound_subjects * config.max_access_removal_share)
    return max(config.access_removals_always_allowed, min(config.max_access_removals, share))


def guard_reason(count: int, limit: int, bound_subjects: int, config: TenancyConfig) -> str:
    return (f"{count} access removals exceed the limit of {limit} ({config.max_access_removals} or "
            f"{config.max_access_removal_share:.0%} of {bound_subjects} bound subjects)")
