"""The expiration manager: leases on secrets, renewal capped at the max TTL, revocation (by id, prefix, token,
expiry). Each lease keeps the engine that issued it, which runs the real renew and revoke statements.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from devstack.vault import errors, ids
from devstack.vault.clock import rfc3339
from devstack.vault.durations import SYSTEM_DEFAULT_TTL, SYSTEM_MAX_TTL, go_duration


class SecretEngine(Protocol):
    def renew_secret(self, lease: "Lease", expire_time: float) -> None: ...

    def revoke_secret(self, lease: "Lease") -> None: ...


@dataclass
class Lease:
    id: str
    engine: SecretEngine
    issue_time: float
    expire_time: float
    default_ttl: int  # the role's TTLs (0 = the mount's) as they were when the secret was issued
    max_ttl: int
    token_id: str | None
    internal: dict = field(default_factory=dict)
    last_renewal: float | None = None
    renewable: bool = True

    def remaining(self, now: float) -> int:
        return max(0, round(self.expire_time - now))

    def lookup_data(self, now: float) -> dict:
        return {"id": self.id, "issue_time": rfc3339(self.issue_time), "expire_time": rfc3339(self.expire_time),
                "last_renewal": rfc3339(self.last_renewal), "renewable": self.renewable, "ttl": self.remaining(now)}


def effective_ttl(now: float, start: float, increment: int, default_ttl: int, max_ttl: int) -> tuple[int, list[str]]:
    """framework.CalculateTTL: the increment (or default) from now, never past start + max TTL."""
    ttl = increment or default_ttl or SYSTEM_DEFAULT_TTL
    max_ttl = min(max_ttl or SYSTEM_MAX_TTL, SYSTEM_MAX_TTL)
    allowed = int(start + max_ttl - now)
    if ttl <= allowed:
        return ttl, []
    warning = (f'TTL of "{go_duration(ttl)}" exceeded the effective max_ttl of "{go_duration(allowed)}"; '
               "TTL value is capped accordingly")
    return max(0, allowed), [warning]


class LeaseManager:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._leases: dict[str, Lease] = {}
        self._lock = threading.RLock()

    def issue(self, path: str, engine: SecretEngine, ttl: int, default_ttl: int, max_ttl: int,
              token_id: str | None, internal: dict) -> Lease:
        now = self._clock()
        lease = Lease(f"{path}/{ids.base62(24)}", engine, now, now + ttl, default_ttl, max_ttl, token_id, internal)
        with self._lock:
            self._leases[lease.id] = lease
        return lease

    def get(self, lease_id: str) -> Lease | None:
        with self._lock:
            return self._leases.get(lease_id)

    def lookup(self, lease_id: str) -> dict:
        lease = self.get(lease_id)
        if lease is None:
            raise errors.bad_request("invalid lease")
        return lease.lookup_data(self._clock())

    def renew(self, lease_id: str, increment: int) -> tuple[Lease, list[str]]:
        lease = self.get(lease_id)
        now = self._clock()
        if lease is None or lease.expire_time <= now:
            raise errors.bad_request("lease not found")
        if not lease.renewable:
            raise errors.bad_request("lease is not renewable")
        ttl, warnings = effective_ttl(now, lease.issue_time, increment, lease.default_ttl, lease.max_ttl)
        lease.engine.renew_secret(lease, now + ttl)
        lease.expire_time, lease.last_renewal = now + ttl, now
        return lease, warnings

    def revoke(self, lease_id: str) -> None:
        """Unknown ids are fine (204), like Vault; a failing revocation keeps the lease and is a 400."""
        lease = self.get(lease_id)
        if lease is None:
            return
        try:
            lease.engine.revoke_secret(lease)
        except errors.VaultError as problem:
            raise errors.bad_request(f"failed to revoke entry: resp: (*logical.Response)(nil) err: "
                                     f"{problem.messages[0] if problem.messages else problem}") from None
        with self._lock:
            self._leases.pop(lease_id, None)

    def ids_with_prefix(self, prefix: str) -> list[str]:
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        with self._lock:
            return sorted(lease_id for lease_id in self._leases if lease_id.startswith(prefix))

    def revoke_prefix(self, prefix: str) -> None:
        for lease_id in self.ids_with_prefix(prefix):
            self.revoke(lease_id)

    def revoke_for_token(self, token_id: str) -> None:
        with self._lock:
            owned = [lease_id for lease_id, lease in self._leases.items() if lease.token_id == token_id]
        for lease_id in owned:
            self.revoke_quietly(lease_id)

    def revoke_quietly(self, lease_id: str) -> bool:
        """For the background reaper: a failure leaves the lease in place to be retried."""
        try:
            self.revoke(lease_id)
        except errors.VaultError:
            return False
        return True

    def list_keys(self, prefix: str) -> list[str]:
        """`LIST sys/leases/lookup/<prefix>`: the next path level below the prefix, folders ending in `/`."""
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        keys = set()
        for lease_id in self.ids_with_prefix(prefix):
            head, slash, _ = lease_id[len(prefix):].partition("/")
            keys.add(head + slash)
        return sorted(keys)

    def expired(self, now: float) -> list[str]:
        with self._lock:
            return [lease_id for lease_id, lease in self._leases.items() if lease.expire_time <= now]
