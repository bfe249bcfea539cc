"""From what GitLab said to tenants: which groups and projects become namespaces, and their members. Pure."""

from collections.abc import Mapping

from tenants.engine.membership import Member
from tenants.engine.naming import EntityKey


def under_roots(path: str, roots: list[str]) -> bool:
    """Strictly below a root group: the roots themselves are containers, not tenants."""
    return any(path.lower().startswith(f"{root.lower().strip('/')}/") for root in roots)


def gitlab_entities(groups: Mapping[int, dict], projects: Mapping[int, dict], roots: list[str],
                    include_projects: bool) -> dict[EntityKey, str]:
    """EntityKey -> GitLab full path for every group (and project, if configured) under the roots."""
    entities = {EntityKey("group", gid): g["full_path"] for gid, g in groups.items()
                if under_roots(g["full_path"], roots)}
    if include_projects:
        entities.update({EntityKey("project", pid): p["path_with_namespace"] for pid, p in projects.items()
                         if under_roots(p["path_with_namespace"], roots)})
    return entities


def members_of(members: Mapping[tuple[str, int], list[dict]], key: EntityKey) -> tuple[Member, ...]:
    return tuple(Member(m["username"], m["access_level"], m.get("state", "active"))
                 for m in members.get((key.kind, key.id), []))
