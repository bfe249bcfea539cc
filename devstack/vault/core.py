"""The Vault core: mount tables, policies, tokens and leases, and one request's way through them
(seal check, routing, authentication, ACL, handler, envelope).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devstack.vault import errors, ids
from devstack.vault.acl import ACL, DEFAULT_POLICY_HCL, Policy, parse_policy
from devstack.vault.database import DatabaseEngine
from devstack.vault.kubernetes_auth import KubernetesAuth
from devstack.vault.leases import LeaseManager
from devstack.vault.routing import CREATE, DELETE, LIST, READ, UPDATE, Reply, Request, match
from devstack.vault.system import SEALED_OK, SystemBackend
from devstack.vault.token_auth import TokenAuth
from devstack.vault.tokens import Token, TokenStore

_BUILTIN_SECRET_MOUNTS = {  # listed like a fresh server's, with no API of their own here
    "cubbyhole/": ("cubbyhole", "per-token private secret storage"),
    "identity/": ("identity", "identity store"),
}


class _Inert:
    """The backend of a listed-only mount: every path is unknown."""

    routes = ()


@dataclass
class MountEntry:
    path: str
    type: str
    description: str
    backend: object
    accessor: str = ""
    uuid: str = field(default_factory=ids.uuid4)
    options: dict | None = None

    def __post_init__(self):
        self.accessor = self.accessor or f"{self.type}_{ids.uuid4()[:8]}"

    def describe(self) -> dict:
        return {"accessor": self.accessor, "config": {"default_lease_ttl": 0, "force_no_cache": False,
                                                      "max_lease_ttl": 0},
                "description": self.description, "external_entropy_access": False, "local": False,
                "options": self.options, "plugin_version": "", "running_plugin_version": "v1.15.6+builtin.vault",
                "running_sha256": "", "seal_wrap": False, "type": self.type, "uuid": self.uuid}


@dataclass
class Outcome:
    """What goes back over HTTP: a status and a JSON body, or None for an empty body."""

    status: int
    body: dict | None


class Vault:
    def __init__(self, root_token: str, clock: Callable[[], float] = time.time, review_timeout: float = 5.0):
        self.clock = clock
        self.sealed = False
        self.unseal_key = ids.base62(44)
        self.cluster_name = f"vault-cluster-{ids.uuid4()[:8]}"
        self.cluster_id = ids.uuid4()
        self._review_timeout = review_timeout
        self._lock = threading.RLock()  # requests that change state run one at a time
        self.leases = LeaseManager(clock)
        self.tokens = TokenStore(clock, on_revoke=lambda token: self.leases.revoke_for_token(token.id))
        self.root = self.tokens.create_root(root_token)
        self.policies: dict[str, Policy] = {"default": parse_policy("default", DEFAULT_POLICY_HCL)}
        system = MountEntry("sys/", "system", "system endpoints used for control, policy and debugging",
                            SystemBackend(self))
        self.secret_mounts: dict[str, MountEntry] = {"sys/": system}
        for path, (kind, description) in _BUILTIN_SECRET_MOUNTS.items():
            self.secret_mounts[path] = MountEntry(path, kind, description, _Inert())
        token_auth = TokenAuth(self.tokens, clock, self.acl_for)
        self.auth_mounts: dict[str, MountEntry] = {
            "token/": MountEntry("token/", "token", "token based credentials", token_auth)}

    # ---- seal ----------------------------------------------------------------------------------------------

    def seal(self) -> None:
        self.sealed = True

    def unseal(self) -> None:
        self.sealed = False

    # ---- mounts --------------------------------------------------------------------------------------------

    def enable_secrets(self, path: str, kind: str, description: str = "") -> None:
        path = path.strip("/") + "/"
        with self._lock:
            if kind == "":
                raise errors.bad_request("backend type must be specified as a string")
            if any(path.startswith(p) or p.startswith(path) for p in self.secret_mounts) or path.startswith("auth/"):
                raise errors.bad_request(f"path is already in use at {path}")
            if kind != "database":
                raise errors.bad_request(f"plugin not found in the catalog: {kind}")
            self.secret_mounts[path] = MountEntry(path, kind, description, DatabaseEngine(path, self.leases,
                                                                                          self.clock))

    def disable_secrets(self, path: str) -> None:
        path = path.strip("/") + "/"
        with self._lock:
            entry = self.secret_mounts.get(path)
            if entry is None:
                return
            if entry.type in ("system", "cubbyhole", "identity"):
                raise errors.bad_request(f"cannot unmount \"{path}\"")
            self.leases.revoke_prefix(path)
            self.secret_mounts.pop(path)
            entry.backend.close()

    def enable_auth(self, path: str, kind: str, description: str = "") -> None:
        path = path.strip("/") + "/"
        with self._lock:
            if path in self.auth_mounts:
                raise errors.bad_request(f"path is already in use at auth/{path}")
            if kind != "kubernetes":
                raise errors.bad_request(f"plugin not found in the catalog: {kind}")
            backend = KubernetesAuth(f"auth/{path}", self.tokens, self.clock, self._review_timeout)
            accessor = f"auth_{kind}_{ids.uuid4()[:8]}"
            self.auth_mounts[path] = MountEntry(path, kind, description, backend, accessor=accessor)

    def disable_auth(self, path: str) -> None:
        path = path.strip("/") + "/"
        with self._lock:
            if path == "token/":
                raise errors.bad_request("token credential backend cannot be disabled")
            entry = self.auth_mounts.pop(path, None)
        if entry is not None:
            for token in self.tokens.issued_under(f"auth/{path}"):
                self.tokens.revoke(token)

    def _mount_for(self, path: str) -> tuple[MountEntry, str] | None:
        if path.startswith("auth/"):
            table, rest = self.auth_mounts, path[len("auth/"):]
        else:
            table, rest = self.secret_mounts, path
        best = max((p for p in table if (rest + "/").startswith(p)), key=len, default=None)
        return (table[best], rest[len(best):]) if best else None

    # ---- policies ------------------------------------------------------------------------------------------

    def policy_names(self) -> list[str]:
        return sorted(self.policies)

    def acl_for(self, token: Token) -> ACL:
        policies = [self.policies[name] for name in token.policies if name in self.policies]
        if "root" in token.policies:
            policies.append(Policy("root", "", ()))
        return ACL(policies)

    # ---- requests ------------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, data: dict, token_id: str | None, wrap_ttl: str | None = None) -> Outcome:
        try:
            if wrap_ttl:
                raise errors.bad_request("response wrapping (X-Vault-Wrap-TTL) is not supported by this stand-in")
            return self._handle(method, path.lstrip("/"), data, token_id)
        except errors.VaultError as problem:
            return Outcome(problem.status, {"errors": problem.messages})

    def _handle(self, method: str, path: str, data: dict, token_id: str | None) -> Outcome:
        if self.sealed and path.rstrip("/") not in SEALED_OK:
            raise errors.sealed()
        operation = _operation(method, data)
        found = self._mount_for(path)
        mount, relative = found if found else (None, path)
        routed = match(mount.backend.routes, relative) if mount else None
        request = Request(operation, path.rstrip("/") if operation != LIST else path, data)
        if routed:
            request.params = routed[1]
        if routed and routed[0].unauthenticated:
            return self._run(routed[0], request, mount)
        token = self.tokens.get(token_id)
        if token is None:
            raise errors.invalid_token() if token_id else errors.permission_denied()
        request.token = token
        with self._lock:
            if routed and operation == UPDATE and routed[0].exists is not None:
                request.operation = UPDATE if routed[0].exists(request) else CREATE
            acl_path = path if operation != LIST or path.endswith("/") else path + "/"
            if not self.acl_for(token).allows(acl_path, request.operation, sudo=bool(routed and routed[0].sudo)):
                raise errors.permission_denied()
            if not routed:
                raise errors.no_handler(path)
            return self._run(routed[0], request, mount)

    @staticmethod
    def _run(route, request: Request, mount: MountEntry) -> Outcome:
        handler = route.handlers.get(request.operation)
        if handler is None and request.operation == CREATE:
            handler = route.handlers.get(UPDATE)
        if handler is None:
            raise errors.unsupported_operation()
        reply = handler(request)
        if reply is None:
            return Outcome(204, None)
        return Outcome(reply.status, _envelope(reply, mount.type))

    # ---- expiry --------------------------------------------------------------------------------------------

    def reap(self) -> None:
        """Revoke what has expired: leases first, then tokens (and with them their remaining leases)."""
        if self.sealed:
            return
        now = self.clock()
        for lease_id in self.leases.expired(now):
            with self._lock:
                self.leases.revoke_quietly(lease_id)
        for token in self.tokens.expired(now):
            with self._lock:
                self.tokens.revoke(token)


def _operation(method: str, data: dict) -> str:
    method = method.upper()
    if method in ("GET", "HEAD"):
        return LIST if str(data.get("list", "")).lower() in ("true", "1") else READ
    if method == "LIST":
        return LIST
    if method in ("POST", "PUT"):
        return UPDATE
    if method == "DELETE":
        return DELETE
    raise errors.VaultError(405, "unsupported method")


def _envelope(reply: Reply, mount_type: str) -> dict:
    if reply.raw is not None:
        return reply.raw
    body = {"request_id": ids.uuid4(), "lease_id": reply.lease_id, "renewable": reply.renewable,
            "lease_duration": reply.lease_duration, "data": reply.data, "wrap_info": None,
            "warnings": reply.warnings, "auth": reply.auth, "mount_type": mount_type}
    if reply.top_level:
        body = {**reply.top_level, **body}
    return body
