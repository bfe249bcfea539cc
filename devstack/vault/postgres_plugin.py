"""postgresql-database-plugin against a real PostgreSQL through psycopg 3: the plugin's statement splitting,
templating, username and password shapes, default renew and revoke, and its error sanitising.
"""

import re
import secrets
import string
import threading
import time
from urllib.parse import quote

import psycopg
from psycopg import sql

from devstack.vault import errors
from devstack.vault.clock import pg_expiration
from devstack.vault.ids import base62

PLUGIN_NAME = "postgresql-database-plugin"
DEFAULT_RENEW_STATEMENT = "ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}';"
_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "-"
_END_WORD = re.compile(r"\bEND\b")
_QUOTED = re.compile(r"(\".*?\")|('.*?')")


def generate_username(display_name: str, role_name: str, now: float) -> str:
    """`v-<display(8)>-<role(8)>-<20 random>-<unix time>`, cut at PostgreSQL's 63 characters."""
    return f"v-{display_name[:8]}-{role_name[:8]}-{base62(20)}-{int(now)}"[:63]


def generate_password() -> str:
    """Vault's default password policy: 20 of [A-Za-z0-9-], at least one of each class and one dash."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(20))
        classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-")
        if all(any(char in group for char in password) for group in classes):
            return password


def render(query: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        query = query.replace("{{" + key + "}}", value)
    return query


def split_statements(statements: list[str]) -> list[str]:
    """Each statement is split on `;` unless it holds a block (the word END outside quotes), as the plugin does."""
    queries = []
    for statement in statements:
        if _END_WORD.search(_QUOTED.sub("", statement)):
            queries.append(statement)
            continue
        queries.extend(part.strip() for part in statement.split(";") if part.strip())
    return queries


class PostgresPlugin:
    """One database connection (config) of the database engine."""

    def __init__(self, connection_url: str, username: str = "", password: str = ""):
        self._password = password
        values = {"username": quote(username, safe=""), "password": quote(password, safe="")}
        self._dsn = render(connection_url, values)
        self._connection: psycopg.Connection | None = None
        self._lock = threading.Lock()

    def _sanitize(self, message: str) -> str:
        return message.replace(self._password, "[password]") if self._password else message

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed or self._connection.broken:
            self._connection = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
        return self._connection

    def verify(self) -> None:
        with self._lock:
            try:
                self._connect().execute("SELECT 1")
            except psycopg.Error as problem:
                raise errors.bad_request("error creating database object: error verifying connection: "
                                         + self._sanitize(str(problem).strip())) from None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _run_in_transaction(self, queries: list[str], values: dict[str, str], what: str) -> None:
        with self._lock:
            try:
                connection = self._connect()
                with connection.transaction():
                    for query in queries:
                        connection.execute(render(query, values))
            except psycopg.Error as problem:
                raise errors.internal(f"{what}: {self._sanitize(str(problem).strip())}") from None

    def new_user(self, statements: list[str], display_name: str, role_name: str, expire_time: float,
                 now: float | None = None) -> tuple[str, str]:
        if not statements:
            raise errors.internal("empty creation statements")
        username = generate_username(display_name, role_name, time.time() if now is None else now)
        password = generate_password()
        values = {"name": username, "username": username, "password": password,
                  "expiration": pg_expiration(expire_time)}
        self._run_in_transaction(split_statements(statements), values, "failed to execute query")
        return username, password

    def renew_user(self, statements: list[str], username: str, expire_time: float) -> None:
        values = {"name": username, "username": username, "expiration": pg_expiration(expire_time)}
        self._run_in_transaction(split_statements(statements or [DEFAULT_RENEW_STATEMENT]), values,
                                 "failed to execute query")

    def delete_user(self, statements: list[str], username: str) -> None:
        if statements:
            values = {"name": username, "username": username}
            self._run_in_transaction(split_statements(statements), values, "failed to execute query")
        else:
            self._default_delete(username)

    def _default_delete(self, username: str) -> None:
        """The plugin's default revocation: revoke what the role was granted, then DROP ROLE IF EXISTS."""
        with self._lock:
            try:
                connection = self._connect()
                exists = connection.execute("SELECT exists (SELECT rolname FROM pg_roles WHERE rolname=%s)",
                                            (username,)).fetchone()[0]
                if not exists:
                    return
                schemas = [row[0] for row in connection.execute(
                    "SELECT DISTINCT table_schema FROM information_schema.role_column_grants WHERE grantee=%s",
                    (username,))]
                database = connection.execute("SELECT current_database()").fetchone()[0]
                failure = None
                for statement in self._revocations(username, schemas, database):
                    try:
                        connection.execute(statement)
                    except psycopg.Error as problem:  # keep going: remove as much access as possible
                        failure = problem
                if failure is not None:
                    raise errors.internal("could not perform all revocation statements: "
                                          + self._sanitize(str(failure).strip()))
                connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(username)))
            except psycopg.Error as problem:
                raise errors.internal(self._sanitize(str(problem).strip())) from None

    @staticmethod
    def _revocations(username: str, schemas: list[str], database: str) -> list[sql.Composed]:
        role = sql.Identifier(username)
        statements = []
        for schema in schemas:
            statements.append(sql.SQL("REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA {} FROM {}").format(
                sql.Identifier(schema), role))
            statements.append(sql.SQL("REVOKE USAGE ON SCHEMA {} FROM {}").format(sql.Identifier(schema), role))
        statements += [
            sql.SQL("REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM {}").format(role),
            sql.SQL("REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM {}").format(role),
            sql.SQL("REVOKE USAGE ON SCHEMA public FROM {}").format(role),
            sql.SQL("REVOKE CONNECT ON DATABASE {} FROM {}").format(sql.Identifier(database), role),
        ]
        return statements
