"""The records a GitLab instance keeps: users, groups, projects and direct memberships."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# Gitlab::Access. Maintainer was called "Master" before GitLab 11.0; the API has only ever sent the number.
ACCESS_LEVEL_NAMES = {5: "Minimal Access", 10: "Guest", 20: "Reporter", 30: "Developer", 40: "Maintainer", 50: "Owner"}
GROUP_ACCESS_LEVELS = frozenset(ACCESS_LEVEL_NAMES)
PROJECT_ACCESS_LEVELS = GROUP_ACCESS_LEVELS - {5}  # minimal access exists only on groups

# Gitlab::PathRegex: letters, digits, '_', '-', '.'; no leading '-', no trailing '.', '.git' or '.atom'.
_PATH = re.compile(r"[a-zA-Z0-9_.][a-zA-Z0-9_\-.]*[a-zA-Z0-9_\-]|[a-zA-Z0-9_]")
PATH_ERROR = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.', '.git' or '.atom'."
# A few of GitLab's reserved top-level routes: a group may not take them.
RESERVED_TOP_LEVEL = frozenset({"-", "admin", "api", "assets", "dashboard", "explore", "groups", "help", "import",
                                "oauth", "profile", "projects", "public", "search", "snippets", "uploads", "users"})


def valid_path(path: str) -> bool:
    return bool(_PATH.fullmatch(path)) and not path.lower().endswith((".git", ".atom"))


def now() -> datetime:
    return datetime.now(UTC)


def api_time(moment: datetime) -> str:
    """Timestamps in API answers: `2012-05-23T08:00:58.000Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def hook_time(moment: datetime) -> str:
    """Timestamps in system hook payloads (Ruby's xmlschema): `2012-07-21T07:30:54Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_expiry(value) -> str | None:
    """expires_at is a date `YYYY-MM-DD`; returns it normalised or raises ValueError."""
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10]).isoformat()


@dataclass
class User:
    id: int
    username: str
    name: str
    email: str
    state: str = "active"  # active, blocked
    is_admin: bool = False
    created_at: datetime = field(default_factory=now)


@dataclass
class Group:
    id: int
    name: str
    path: str
    parent_id: int | None
    description: str = ""
    visibility: str = "private"
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class Project:
    id: int
    name: str
    path: str
    namespace_id: int  # always a group: personal namespaces are not modelled
    description: str = ""
    visibility: str = "private"
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class Membership:
    """A direct membership of a user in a group (source_kind "group") or a project ("project")."""

    id: int
    source_kind: str
    source_id: int
    user_id: int
    access_level: int
    expires_at: str | None = None
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
