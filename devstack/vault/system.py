"""The sys/ backend: health and seal, mounts and auth methods, ACL policies, leases and capabilities."""

from typing import TYPE_CHECKING

from devstack.vault import errors
from devstack.vault.acl import parse_policy
from devstack.vault.durations import SYSTEM_DEFAULT_TTL, SYSTEM_MAX_TTL
from devstack.vault.routing import CREATE, DELETE, LIST, READ, UPDATE, Reply, Request, Route
from devstack.vault.routing import list_reply as keys_reply

if TYPE_CHECKING:
    from devstack.vault.core import Vault

VERSION = "1.15.6"
SEALED_OK = {"sys/health", "sys/seal-status", "sys/unseal", "sys/init"}


class SystemBackend:
    mount_type = "system"
    mount_path = "sys/"

    def __init__(self, vault: "Vault"):
        self._vault = vault
        policy_handlers = {READ: self._read_policy, UPDATE: self._write_policy, CREATE: self._write_policy,
                           DELETE: self._delete_policy}
        self.routes = [
            Route(r"health", {READ: self._health}, unauthenticated=True),
            Route(r"init", {READ: lambda r: Reply(raw={"initialized": True})}, unauthenticated=True),
            Route(r"seal-status", {READ: lambda r: Reply(raw=self._seal_status())}, unauthenticated=True),
            Route(r"unseal", {UPDATE: self._unseal}, unauthenticated=True),
            Route(r"seal", {UPDATE: lambda r: self._vault.seal()}, sudo=True),
            Route(r"mounts", {READ: lambda r: self._mount_table(self._vault.secret_mounts)}),
            Route(r"mounts/(?P<path>.+?)/tune", {READ: self._read_tune}),
            Route(r"mounts/(?P<path>.+)", {UPDATE: self._enable_secrets, DELETE: self._disable_secrets,
                                           READ: self._read_mount}),
            Route(r"auth", {READ: lambda r: self._mount_table(self._vault.auth_mounts)}),
            Route(r"auth/(?P<path>.+)", {UPDATE: self._enable_auth, DELETE: self._disable_auth}, sudo=True),
            Route(r"policy", {READ: self._list_policies_legacy}),
            Route(r"policy/(?P<name>.+)", dict(policy_handlers), exists=self._policy_exists),
            Route(r"policies/acl/?", {LIST: lambda r: keys_reply(self._vault.policy_names())}),
            Route(r"policies/acl/(?P<name>.+)", dict(policy_handlers), exists=self._policy_exists),
            Route(r"(leases/)?renew(/(?P<url_lease_id>.+))?", {UPDATE: self._renew}),
            Route(r"leases/lookup", {UPDATE: self._lookup}),
            Route(r"leases/lookup/(?P<prefix>.*)", {LIST: self._list_leases}, sudo=True),
            Route(r"(leases/)?revoke(/(?P<url_lease_id>.+))?", {UPDATE: self._revoke}),
            Route(r"(leases/)?revoke-prefix/(?P<prefix>.+)", {UPDATE: self._revoke_prefix}, sudo=True),
            Route(r"capabilities-self", {UPDATE: lambda r: self._capabilities(r, r.token)}),
            Route(r"capabilities", {UPDATE: lambda r: self._capabilities(r, self._token_named(r))}),
            Route(r"capabilities-accessor", {UPDATE: lambda r: self._capabilities(r, self._token_by_accessor(r))}),
        ]

    # ---- health and seal -----------------------------------------------------------------------------------

    def _health(self, request: Request) -> Reply:
        vault = self._vault
        body = {"initialized": True, "sealed": vault.sealed, "standby": vault.sealed, "performance_standby": False,
                "replication_performance_mode": "unknown" if vault.sealed else "disabled",
                "replication_dr_mode": "unknown" if vault.sealed else "disabled",
                "server_time_utc": int(vault.clock()), "version": VERSION, "enterprise": False}
        if not vault.sealed:
            body.update(cluster_name=vault.cluster_name, cluster_id=vault.cluster_id, echo_duration_ms=0,
                        clock_skew_ms=0, replication_primary_canary_age_ms=0)
        code_name = "sealedcode" if vault.sealed else "activecode"
        status = int(request.data.get(code_name) or (503 if vault.sealed else 200))
        return Reply(raw=body, status=status)

    def _seal_status(self) -> dict:
        vault = self._vault
        return {"type": "shamir", "initialized": True, "sealed": vault.sealed, "t": 1, "n": 1, "progress": 0,
                "nonce": "", "version": VERSION, "build_date": "2024-02-28T17:07:34Z", "migration": False,
                "cluster_name": vault.cluster_name, "cluster_id": vault.cluster_id, "recovery_seal": False,
                "storage_type": "inmem"}

    def _unseal(self, request: Request) -> Reply:
        if request.boolean("reset", False):
            return Reply(raw=self._seal_status())
        if not request.string("key"):
            raise errors.bad_request("'key' must be specified in request body as JSON, or 'reset' set to true")
        if request.string("key") != self._vault.unseal_key:
            raise errors.bad_request("Error unsealing: failed to decrypt keyring: cipher: message authentication "
                                     "failed")
        self._vault.unseal()
        return Reply(raw=self._seal_status())

    # ---- mounts --------------------------------------------------------------------------------------------

    def _mount_table(self, mounts: dict) -> Reply:
        table = {path: entry.describe() for path, entry in mounts.items()}
        return Reply(data=table, top_level=table)

    def _enable_secrets(self, request: Request) -> None:
        self._vault.enable_secrets(request.params["path"], request.string("type"), request.string("description"))

    def _disable_secrets(self, request: Request) -> None:
        self._vault.disable_secrets(request.params["path"])

    def _read_mount(self, request: Request) -> Reply:
        entry = self._vault.secret_mounts.get(request.params["path"].strip("/") + "/")
        if entry is None:
            raise errors.bad_request(f"No secret engine mount at {request.params['path'].strip('/')}/")
        return Reply(data=entry.describe())

    def _read_tune(self, request: Request) -> Reply:
        entry = self._vault.secret_mounts.get(request.params["path"].strip("/") + "/")
        if entry is None:
            raise errors.bad_request(f"cannot fetch sysview for path \"{request.params['path'].strip('/')}/\"")
        return Reply(data={"default_lease_ttl": SYSTEM_DEFAULT_TTL, "max_lease_ttl": SYSTEM_MAX_TTL,
                           "force_no_cache": False,
                           "description": entry.description, "options": entry.options})

    def _enable_auth(self, request: Request) -> None:
        self._vault.enable_auth(request.params["path"], request.string("type"), request.string("description"))

    def _disable_auth(self, request: Request) -> None:
        self._vault.disable_auth(request.params["path"])

    # ---- policies ------------------------------------------------------------------------------------------

    def _policy_exists(self, request: Request) -> bool:
        return request.params["name"].lower() in self._vault.policies

    def _list_policies_legacy(self, request: Request) -> Reply:
        names = self._vault.policy_names() + ["root"]
        return Reply(data={"keys": names, "policies": names}, top_level={"keys": names, "policies": names})

    def _read_policy(self, request: Request) -> Reply:
        name = request.params["name"].lower()
        if name == "root":
            return self._policy_reply(request, name, "")
        policy = self._vault.policies.get(name)
        if policy is None:
            raise errors.not_found()
        return self._policy_reply(request, name, policy.text)

    @staticmethod
    def _policy_reply(request: Request, name: str, text: str) -> Reply:
        if request.path.startswith("sys/policy/"):
            return Reply(data={"name": name, "rules": text}, top_level={"name": name, "rules": text})
        return Reply(data={"name": name, "policy": text})

    def _write_policy(self, request: Request) -> None:
        name = request.params["name"].strip().lower()
        if name == "root":
            raise errors.bad_request('cannot update "root" policy')
        text = request.string("policy") or request.string("rules")
        if not text:
            raise errors.bad_request("'policy' parameter not supplied or empty")
        self._vault.policies[name] = parse_policy(name, text)

    def _delete_policy(self, request: Request) -> None:
        name = request.params["name"].lower()
        if name in ("root", "default"):
            raise errors.bad_request(f'cannot delete "{name}" policy')
        self._vault.policies.pop(name, None)

    # ---- leases --------------------------------------------------------------------------------------------

    @staticmethod
    def _lease_id(request: Request) -> str:
        lease_id = request.string("lease_id") or request.params.get("url_lease_id", "")
        if not lease_id:
            raise errors.bad_request("lease_id must be specified")
        return lease_id

    def _renew(self, request: Request) -> Reply:
        lease, warnings = self._vault.leases.renew(self._lease_id(request), request.seconds("increment"))
        return Reply(lease_id=lease.id, renewable=lease.renewable, lease_duration=lease.remaining(
            self._vault.clock()), warnings=warnings or None)

    def _lookup(self, request: Request) -> Reply:
        return Reply(data=self._vault.leases.lookup(self._lease_id(request)))

    def _list_leases(self, request: Request) -> Reply:
        return keys_reply(self._vault.leases.list_keys(request.params["prefix"]))

    def _revoke(self, request: Request) -> None:
        self._vault.leases.revoke(self._lease_id(request))

    def _revoke_prefix(self, request: Request) -> None:
        self._vault.leases.revoke_prefix(request.params["prefix"])

    # ---- capabilities --------------------------------------------------------------------------------------

    def _token_named(self, request: Request):
        token = self._vault.tokens.get(request.string("token"))
        if token is None:
            raise errors.bad_request("invalid token")
        return token

    def _token_by_accessor(self, request: Request):
        token = self._vault.tokens.by_accessor(request.string("accessor"))
        if token is None or self._vault.tokens.get(token.id) is None:
            raise errors.bad_request("invalid accessor")
        return token

    def _capabilities(self, request: Request, token) -> Reply:
        paths = request.strings("paths") or request.strings("path")
        if not paths:
            raise errors.bad_request("paths must be supplied")
        acl = self._vault.acl_for(token)
        result = {path: _capability_names(acl.capabilities(path.lstrip("/"))) for path in paths}
        if len(paths) == 1:
            result["capabilities"] = result[paths[0]]
        return Reply(data=result, top_level=result)


def _capability_names(granted: frozenset[str]) -> list[str]:
    return sorted(granted) if granted else ["deny"]
