"""Who gets which ClusterRole in a namespace, from GitLab's effective members. Pure."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    username: str  # the LDAP uid, which is the Kubernetes user name campus's token webhook returns
    access_level: int
    state: str = "active"


def role_subjects(members: Iterable[Member], role_for_level: Mapping[int, str]) -> dict[str, list[str]]:
    """ClusterRole -> sorted usernames. A user listed twice keeps the highest level; blocked users get nothing."""
    best: dict[str, int] = {}
    for member in members:
        if member.state == "active":
            best[member.username] = max(best.get(member.username, 0), member.access_level)
    roles: dict[str, list[str]] = {}
    for username, level in best.items():
        role = role_for_level.get(level)
        if role is None:  # levels between the mapped ones take the nearest lower mapping
            lower = [lvl for lvl in role_for_level if lvl <= level]
            role = role_for_level[max(lower)] if lower else None
        if role:
            roles.setdefault(role, []).append(username)
    return {role: sorted(users) for role, users in sorted(roles.items())}
