"""The database secrets engine (dynamic roles only), one instance per mount, PostgreSQL plugin only."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from devstack.vault import errors
from devstack.vault.leases import Lease, LeaseManager, effective_ttl
from devstack.vault.postgres_plugin import PLUGIN_NAME, PostgresPlugin
from devstack.vault.routing import CREATE, DELETE, LIST, NAME, READ, UPDATE, Reply, Request, Route, glob_contains
from devstack.vault.routing import list_reply as keys_reply

PASSWORD_IN_URL_WARNING = ("Password found in connection_url, use a templated url to enable root rotation and "
                           "prevent read access to password information.")


@dataclass
class Connection:
    name: str
    connection_url: str
    username: str
    password: str  # never read back: the read endpoint leaves it out, like Vault
    allowed_roles: list[str]
    verify_connection: bool
    plugin: PostgresPlugin

    def read_data(self) -> dict:
        return {
            "allowed_roles": self.allowed_roles,
            "connection_details": {"connection_url": self.connection_url, "username": self.username,
                                   "max_open_connections": 4, "max_idle_connections": 0,
                                   "max_connection_lifetime": "0s"},
            "password_policy": "", "plugin_name": PLUGIN_NAME, "plugin_version": "",
            "root_credentials_rotate_statements": [], "verify_connection": self.verify_connection,
        }


@dataclass
class Role:
    db_name: str = ""
    creation_statements: list[str] = field(default_factory=list)
    revocation_statements: list[str] = field(default_factory=list)
    rollback_statements: list[str] = field(default_factory=list)
    renew_statements: list[str] = field(default_factory=list)
    default_ttl: int = 0
    max_ttl: int = 0

    def read_data(self) -> dict:
        return {"db_name": self.db_name, "creation_statements": self.creation_statements,
                "revocation_statements": self.revocation_statements,
                "rollback_statements": self.rollback_statements, "renew_statements": self.renew_statements,
                "default_ttl": self.default_ttl, "max_ttl": self.max_ttl, "credential_type": "password"}


class DatabaseEngine:
    mount_type = "database"

    def __init__(self, mount_path: str, leases: LeaseManager, clock: Callable[[], float]):
        self.mount_path = mount_path  # "database/"
        self._leases, self._clock = leases, clock
        self._connections: dict[str, Connection] = {}
        self._roles: dict[str, Role] = {}
        self._lock = threading.RLock()
        self.routes = [
            Route(rf"config/{NAME}", {CREATE: self._write_config, UPDATE: self._write_config,
                                      READ: self._read_config, DELETE: self._delete_config},
                  exists=lambda r: r.params["name"] in self._connections),
            Route(r"config/?", {LIST: lambda r: keys_reply(sorted(self._connections))}),
            Route(rf"reset/{NAME}", {UPDATE: self._reset}),
            Route(rf"roles/{NAME}", {CREATE: self._write_role, UPDATE: self._write_role, READ: self._read_role,
                                     DELETE: self._delete_role},
                  exists=lambda r: r.params["name"] in self._roles),
            Route(r"roles/?", {LIST: lambda r: keys_reply(sorted(self._roles))}),
            Route(rf"creds/{NAME}", {READ: self._creds}),
        ]

    # ---- connections ---------------------------------------------------------------------------------------

    def _write_config(self, request: Request) -> Reply | None:
        name = request.params["name"]
        existing = self._connections.get(name)
        plugin_name = request.string("plugin_name", PLUGIN_NAME if existing else "")
        if not plugin_name:
            raise errors.bad_request("plugin_name must be set")
        if plugin_name != PLUGIN_NAME:
            raise errors.bad_request(f"error creating database object: invalid database version: "
                                     f"plugin not found in the catalog: {plugin_name}")
        url = request.string("connection_url", existing.connection_url if existing else "")
        if not url:
            raise errors.bad_request("error creating database object: connection_url cannot be empty")
        username = request.string("username", existing.username if existing else "")
        password = request.string("password", existing.password if existing else "")
        allowed = request.strings("allowed_roles") if request.has("allowed_roles") else (
            existing.allowed_roles if existing else [])
        verify = request.boolean("verify_connection", True)
        plugin = PostgresPlugin(url, username, password)
        if verify:
            plugin.verify()
        with self._lock:
            if existing:
                existing.plugin.close()
            self._connections[name] = Connection(name, url, username, password, allowed, verify, plugin)
        if "{{password}}" not in url and _has_url_password(url):
            return Reply(warnings=[PASSWORD_IN_URL_WARNING])
        return None

    def _read_config(self, request: Request) -> Reply:
        connection = self._connections.get(request.params["name"])
        if connection is None:
            raise errors.not_found()
        return Reply(data=connection.read_data())

    def _delete_config(self, request: Request) -> None:
        with self._lock:
            connection = self._connections.pop(request.params["name"], None)
        if connection:
            connection.plugin.close()

    def _reset(self, request: Request) -> None:
        connection = self._connection(request.params["name"])
        connection.plugin.close()

    def _connection(self, name: str) -> Connection:
        connection = self._connections.get(name)
        if connection is None:
            raise errors.internal(f'failed to find entry for connection with name: "{name}"')
        return connection

    # ---- roles ---------------------------------------------------------------------------------------------

    def _write_role(self, request: Request) -> None:
        name = request.params["name"]
        creating = request.operation == CREATE
        role = Role() if creating else self._roles[name]
        if request.has("db_name") or creating:
            role.db_name = request.string("db_name")
        if not role.db_name:
            raise errors.bad_request("database name is required")
        for field_name in ("creation_statements", "revocation_statements", "rollback_statements",
                           "renew_statements"):
            if request.has(field_name) or creating:
                setattr(role, field_name, request.statements(field_name))
        role.revocation_statements = [s for s in role.revocation_statements if s]
        for field_name in ("default_ttl", "max_ttl"):
            if request.has(field_name) or creating:
                setattr(role, field_name, request.seconds(field_name))
        with self._lock:
            self._roles[name] = role

    def _read_role(self, request: Request) -> Reply:
        role = self._roles.get(request.params["name"])
        if role is None:
            raise errors.not_found()
        return Reply(data=role.read_data())

    def _delete_role(self, request: Request) -> None:
        with self._lock:
            self._roles.pop(request.params["name"], None)

    # ---- credentials and their leases ----------------------------------------------------------------------

    def _creds(self, request: Request) -> Reply:
        name = request.params["name"]
        role = self._roles.get(name)
        if role is None:
            raise errors.bad_request(f"unknown role: {name}")
        connection = self._connection(role.db_name)
        if "*" not in connection.allowed_roles and not glob_contains(connection.allowed_roles, name):
            raise errors.internal(f'"{name}" is not an allowed role')
        now = self._clock()
        ttl, _ = effective_ttl(now, now, 0, role.default_ttl, role.max_ttl)
        # The plugin gets 5 s more than the lease so the login never dies before the lease does.
        username, password = connection.plugin.new_user(role.creation_statements, request.token.display_name,
                                                        name, now + ttl + 5, now)
        internal = {"username": username, "role": name, "db_name": role.db_name,
                    "revocation_statements": list(role.revocation_statements)}
        lease = self._leases.issue(request.path, self, ttl, role.default_ttl, role.max_ttl, request.token.id,
                                   internal)
        return Reply(data={"username": username, "password": password}, lease_id=lease.id,
                     lease_duration=ttl, renewable=True)

    def renew_secret(self, lease: Lease, expire_time: float) -> None:
        role = self._roles.get(lease.internal["role"])
        if role is None:
            raise errors.bad_request(f"error during renew: could not find role with name {lease.internal['role']}")
        self._connection(role.db_name).plugin.renew_user(role.renew_statements, lease.internal["username"],
                                                         expire_time)

    def revoke_secret(self, lease: Lease) -> None:
        connection = self._connection(lease.internal["db_name"])
        connection.plugin.delete_user(lease.internal["revocation_statements"], lease.internal["username"])

    def close(self) -> None:
        for connection in list(self._connections.values()):
            connection.plugin.close()


def _has_url_password(url: str) -> bool:
    if "://" not in url:
        return "password=" in url
    return bool(urlsplit(url).password)
