"""The request model shared by every backend: an operation on a path, the routes a backend offers, and replies."""

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from devstack.vault import errors
from devstack.vault.durations import parse_seconds

READ, LIST, CREATE, UPDATE, DELETE = "read", "list", "create", "update", "delete"


@dataclass
class Request:
    operation: str
    path: str  # the full Vault path, e.g. "database/creds/readonly"
    data: dict
    token: object = None  # tokens.Token of the caller, None on unauthenticated paths
    params: dict = field(default_factory=dict)  # named groups of the matched route

    def string(self, name: str, default: str = "") -> str:
        value = self.data.get(name, default)
        return default if value is None else str(value)

    def strings(self, name: str, default=None) -> list[str]:
        """Vault's TypeCommaStringSlice: a list, or one comma-separated string."""
        value = self.data.get(name, default)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return [str(item) for item in value]

    def statements(self, name: str) -> list[str]:
        """TypeStringSlice: a list, or one string kept whole (SQL has commas)."""
        value = self.data.get(name)
        if value is None or value == "":
            return []
        return [value] if isinstance(value, str) else [str(item) for item in value]

    def seconds(self, name: str, default: int = 0) -> int:
        return parse_seconds(self.data.get(name, default), name)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if isinstance(value, str):
            return value.lower() in ("1", "t", "true")
        return bool(value)

    def has(self, name: str) -> bool:
        return name in self.data


@dataclass
class Reply:
    """A 200 envelope; `None` from a handler means 204 No Content."""

    data: dict | None = None
    auth: dict | None = None
    lease_id: str = ""
    lease_duration: int = 0
    renewable: bool = False
    warnings: list[str] | None = None
    top_level: dict | None = None  # old endpoints also repeat their data at the top of the body
    raw: dict | None = None  # sys/health and friends: a plain JSON document, no envelope
    status: int = 200


Handler = Callable[[Request], "Reply | None"]


@dataclass
class Route:
    pattern: str  # regular expression for the path inside the mount, named groups become Request.params
    handlers: dict[str, Handler]
    exists: Callable[[Request], bool] | None = None  # tells create from update, like Vault's ExistenceCheck
    sudo: bool = False
    unauthenticated: bool = False
    regex: re.Pattern = field(init=False)

    def __post_init__(self):
        self.regex = re.compile(self.pattern)


def match(routes: list[Route], relative: str) -> tuple[Route, dict] | None:
    for route in routes:
        found = route.regex.fullmatch(relative)
        if found:
            return route, {k: v for k, v in found.groupdict().items() if v is not None}
    return None


def list_reply(keys: list[str]) -> Reply:
    if not keys:
        raise errors.not_found()
    return Reply(data={"keys": keys})


def glob_contains(patterns: list[str], value: str) -> bool:
    """strutil.StrListContainsGlob: `*` anywhere in a pattern."""
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


NAME = r"(?P<name>\w(([\w-]|\.)*\w)?)"  # framework.GenericNameRegex
