"""GitLab system hook payloads: which events campus handles, what each must carry, which entity it touches.

Pure. Processing never trusts a payload beyond the ids it names: the entity is re-read from GitLab.
"""

from dataclasses import dataclass

# event_name -> the id fields it must carry (integers)
REQUIRED_IDS: dict[str, tuple[str, ...]] = {
    **{name: ("project_id",) for name in ("project_create", "project_destroy", "project_rename",
                                          "project_transfer", "project_update")},
    **{name: ("group_id",) for name in ("group_create", "group_destroy", "group_rename")},
    **{name: ("user_id",) for name in ("user_create", "user_destroy", "user_rename")},
    **{name: ("group_id", "user_id") for name in ("user_add_to_group", "user_remove_from_group",
                                                  "user_update_for_group")},
    **{name: ("project_id", "user_id") for name in ("user_add_to_team", "user_remove_from_team",
                                                    "user_update_for_team")},
}


@dataclass(frozen=True)
class AffectedEntity:
    kind: str  # "group", "project" or "user"
    gitlab_id: int


def validation_error(payload: object) -> str | None:
    """Why a system hook payload cannot be handled, or None when it can."""
    if not isinstance(payload, dict):
        return "payload must be a JSON object"
    event_name = payload.get("event_name")
    if not isinstance(event_name, str) or not event_name:
        return "event_name is missing"
    if event_name not in REQUIRED_IDS:
        return f"unsupported event_name {event_name!r}"
    for field in REQUIRED_IDS[event_name]:
        value = payload.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return f"{event_name} needs a positive integer {field}"
    return None


def affected_entity(payload: dict) -> AffectedEntity:
    """The GitLab entity whose namespace (and, for groups, descendants) an event may change."""
    if "group_id" in REQUIRED_IDS[payload["event_name"]]:
        return AffectedEntity("group", payload["group_id"])
    if "project_id" in REQUIRED_IDS[payload["event_name"]]:
        return AffectedEntity("project", payload["project_id"])
    return AffectedEntity("user", payload["user_id"])
