"""System hook payloads, field for field as GitLab's Gitlab::HookData builders and SystemHooksService make them.

Each function takes the model (for derived values such as full paths) and returns the JSON body.
"""

from devstack.gitlab.records import ACCESS_LEVEL_NAMES, Group, Membership, Project, User, hook_time, now


def _timestamps(created, updated=None) -> dict:
    return {"created_at": hook_time(created), "updated_at": hook_time(updated or now())}


def user_event(event_name: str, user: User, old_username: str | None = None) -> dict:
    payload = {"event_name": event_name, **_timestamps(user.created_at), "name": user.name, "email": user.email,
               "user_id": user.id, "username": user.username}
    if old_username is not None:
        payload["old_username"] = old_username
    return payload


def group_event(model, event_name: str, group: Group, old_path: str | None = None,
                old_full_path: str | None = None) -> dict:
    payload = {"event_name": event_name, **_timestamps(group.created_at, group.updated_at), "name": group.name,
               "path": group.path, "full_path": model.group_full_path(group), "group_id": group.id}
    if event_name == "group_rename":
        payload.update(old_path=old_path, old_full_path=old_full_path)
    return payload


def project_event(model, event_name: str, project: Project, old_path_with_namespace: str | None = None) -> dict:
    owners = model.project_owners(project)
    first_owner = owners[0] if owners else None
    payload = {
        "event_name": event_name, **_timestamps(project.created_at, project.updated_at), "name": project.name,
        "path": project.path, "path_with_namespace": model.project_full_path(project), "project_id": project.id,
        "project_namespace_id": project.namespace_id,
        "owners": [{"name": owner.name, "email": owner.email} for owner in owners],
        "owner_name": first_owner.name if first_owner else None,
        "owner_email": first_owner.email if first_owner else None,
        "project_visibility": project.visibility,
    }
    if event_name in ("project_rename", "project_transfer"):
        payload["old_path_with_namespace"] = old_path_with_namespace
    return payload


def group_member_event(event_name: str, group: Group, user: User, membership: Membership) -> dict:
    return {
        **_timestamps(membership.created_at, membership.updated_at), "group_name": group.name,
        "group_path": group.path, "group_id": group.id, "user_username": user.username, "user_name": user.name,
        "user_email": user.email, "user_id": user.id, "group_access": ACCESS_LEVEL_NAMES[membership.access_level],
        "expires_at": _expiry(membership), "event_name": event_name,
    }


def project_member_event(model, event_name: str, project: Project, user: User, membership: Membership) -> dict:
    return {
        **_timestamps(membership.created_at, membership.updated_at), "project_name": project.name,
        "project_path": project.path, "project_path_with_namespace": model.project_full_path(project),
        "project_id": project.id, "user_username": user.username, "user_name": user.name, "user_email": user.email,
        "user_id": user.id, "access_level": ACCESS_LEVEL_NAMES[membership.access_level],
        "project_visibility": project.visibility, "expires_at": _expiry(membership), "event_name": event_name,
    }


def _expiry(membership: Membership) -> str | None:
    """expires_at is a date column; Ruby's Date#xmlschema renders it as `YYYY-MM-DD`."""
    return membership.expires_at
