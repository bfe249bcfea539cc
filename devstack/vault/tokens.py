"""The token store: the root token, child tokens with policies and TTLs, a parent/child tree, expiry by the clock."""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devstack.vault import errors, ids
from devstack.vault.clock import rfc3339
from devstack.vault.durations import SYSTEM_DEFAULT_TTL, SYSTEM_MAX_TTL, go_duration

_DISPLAY_UNSAFE = re.compile(r"[^a-zA-Z0-9-]+")


@dataclass
class Token:
    id: str
    accessor: str
    policies: list[str]
    display_name: str
    path: str
    creation_time: float
    ttl: int  # the creation TTL in seconds; 0 means the token never expires (root)
    expire_time: float | None
    renewable: bool
    parent: str | None = None
    meta: dict | None = None
    explicit_max_ttl: int = 0
    max_ttl: int = 0  # an auth method role's token_max_ttl; renewals stop there (0: the system maximum)
    entity_id: str = ""
    last_renewal: float | None = None
    children: set[str] = field(default_factory=set)
    internal: dict = field(default_factory=dict)  # what the auth method needs again on renewal
    renew_check: Callable[["Token"], None] | None = None  # the auth method's say on renewal; raises to refuse

    def limit(self) -> int:
        """The longest life from creation: the smallest of explicit max TTL, role max TTL and the system's."""
        return min(value for value in (self.explicit_max_ttl, self.max_ttl, SYSTEM_MAX_TTL) if value)

    @property
    def orphan(self) -> bool:
        return self.parent is None

    def remaining(self, now: float) -> int:
        return 0 if self.expire_time is None else max(0, round(self.expire_time - now))

    def lookup_data(self, now: float) -> dict:
        return {
            "accessor": self.accessor, "creation_time": int(self.creation_time), "creation_ttl": self.ttl,
            "display_name": self.display_name, "entity_id": self.entity_id,
            "expire_time": rfc3339(self.expire_time), "explicit_max_ttl": self.explicit_max_ttl,
            "id": self.id, "issue_time": rfc3339(self.creation_time), "meta": self.meta, "num_uses": 0,
            "orphan": self.orphan, "path": self.path, "policies": list(self.policies),
            "renewable": self.renewable, "ttl": self.remaining(now), "type": "service",
            **({"last_renewal": rfc3339(self.last_renewal), "last_renewal_time": int(self.last_renewal)}
               if self.last_renewal else {}),
        }

    def auth_block(self, now: float, token_policies: list[str] | None = None) -> dict:
        return {
            "client_token": self.id, "accessor": self.accessor, "policies": list(self.policies),
            "token_policies": list(token_policies or self.policies), "metadata": self.meta,
            "lease_duration": self.remaining(now), "renewable": self.renewable, "entity_id": self.entity_id,
            "token_type": "service", "orphan": self.orphan, "mfa_requirement": None, "num_uses": 0,
        }


def sanitize_policies(names, add_default: bool) -> list[str]:
    """Vault lower-cases, trims, de-duplicates and sorts policy names; `root` never travels with `default`."""
    cleaned = {name.strip().lower() for name in names if name and name.strip()}
    if add_default and "root" not in cleaned:
        cleaned.add("default")
    return sorted(cleaned)


class TokenStore:
    def __init__(self, clock: Callable[[], float], on_revoke: Callable[[Token], None]):
        self._clock = clock
        self._on_revoke = on_revoke  # revokes the token's leases
        self._tokens: dict[str, Token] = {}
        self._lock = threading.RLock()

    def create_root(self, token_id: str) -> Token:
        token = Token(token_id, ids.base62(24), ["root"], "root", "auth/token/root", self._clock(), 0, None,
                      renewable=False)
        with self._lock:
            self._tokens[token.id] = token
        return token

    def create(self, *, policies: list[str], path: str, display_name: str, ttl: int, renewable: bool = True,
               parent: Token | None = None, meta: dict | None = None, explicit_max_ttl: int = 0,
               max_ttl: int = 0, token_id: str | None = None, internal: dict | None = None,
               renew_check: Callable[[Token], None] | None = None) -> Token:
        now = self._clock()
        token = Token(token_id or ids.service_token(), ids.base62(24), policies, display_name, path, now, 0,
                      None, renewable, parent=parent.id if parent else None, meta=meta,
                      explicit_max_ttl=explicit_max_ttl, max_ttl=max_ttl,
                      entity_id=ids.uuid4() if parent is None else "", internal=internal or {},
                      renew_check=renew_check)
        token.ttl = min(ttl or SYSTEM_DEFAULT_TTL, token.limit())
        token.expire_time = now + token.ttl
        with self._lock:
            if token.id in self._tokens:
                raise errors.bad_request("cannot create a token with a duplicate ID")
            self._tokens[token.id] = token
            if parent:
                parent.children.add(token.id)
        return token

    @staticmethod
    def display_name(requested: str | None, prefix: str = "token") -> str:
        if not requested:
            return prefix
        return _DISPLAY_UNSAFE.sub("-", f"{prefix}-{requested}").rstrip("-")

    def get(self, token_id: str | None) -> Token | None:
        """The live token, or None for unknown, revoked or expired ones."""
        if not token_id:
            return None
        with self._lock:
            token = self._tokens.get(token_id)
        if token and token.expire_time is not None and token.expire_time <= self._clock():
            return None
        return token

    def by_accessor(self, accessor: str) -> Token | None:
        with self._lock:
            return next((t for t in self._tokens.values() if t.accessor == accessor), None)

    def renew(self, token: Token, increment: int) -> list[str]:
        """Extend from now by `increment` (or the creation TTL), capped at the max TTL; returns warnings."""
        if not token.renewable or token.ttl == 0:
            raise errors.bad_request("lease is not renewable")
        if token.renew_check:
            token.renew_check(token)
        now = self._clock()
        wanted = increment or token.ttl
        allowed = token.creation_time + token.limit() - now
        warnings = []
        if wanted > allowed:
            warnings.append(f'TTL of "{go_duration(wanted)}" exceeded the effective max_ttl of '
                            f'"{go_duration(allowed)}"; TTL value is capped accordingly')
            wanted = max(0, int(allowed))
        token.expire_time = now + wanted
        token.last_renewal = now
        return warnings

    def revoke(self, token: Token) -> None:
        """Revokes the token, its whole child tree and every lease they created."""
        with self._lock:
            doomed = self._subtree(token)
            for member in doomed:
                self._tokens.pop(member.id, None)
            if token.parent and token.parent in self._tokens:
                self._tokens[token.parent].children.discard(token.id)
        for member in doomed:
            self._on_revoke(member)

    def _subtree(self, token: Token) -> list[Token]:
        found, pending = [], [token]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(self._tokens[child] for child in current.children if child in self._tokens)
        return found

    def expired(self, now: float) -> list[Token]:
        with self._lock:
            return [t for t in self._tokens.values() if t.expire_time is not None and t.expire_time <= now]

    def issued_under(self, path_prefix: str) -> list[Token]:
        with self._lock:
            return [t for t in self._tokens.values() if t.path.startswith(path_prefix)]
