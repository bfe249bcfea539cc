"""A Vault stand-in per test (it starts in milliseconds) on a manual clock, hvac clients, and a PostgreSQL
database from the session cluster for the database secrets engine, with psql as the independent client.
"""

import os
import secrets
import subprocess

import hvac
import psycopg
import pytest
from psycopg import sql

from devstack.vault import ManualClock, VaultServer

ROOT_TOKEN = "root-token-for-tests"
CREATION = ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
            'GRANT SELECT ON grades TO "{{name}}";']


@pytest.fixture(scope="module")
def database(postgres):
    """A database with a table the dynamic roles get SELECT on (so revocation must revoke before it drops)."""
    name = f"vault_{secrets.token_hex(4)}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(postgres.url(name), autocommit=True) as owner:
        owner.execute("CREATE TABLE grades (student text, grade int)")
        owner.execute("INSERT INTO grades VALUES ('ada', 6)")
    yield name
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def server(clock):
    """The background reaper stays on; tests that need expiry call reap() themselves, so nothing waits."""
    with VaultServer(root_token=ROOT_TOKEN, clock=clock) as running:
        yield running


@pytest.fixture
def client(server):
    return hvac.Client(url=server.url, token=ROOT_TOKEN)


@pytest.fixture
def db_engine(client, postgres, database):
    """database/ mounted, connection `campus-db` configured with a templated URL, role `readonly` (1 h, max 2 h)."""
    client.sys.enable_secrets_engine("database", path="database")
    url = f"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{postgres.port}/{database}"
    client.secrets.database.configure("campus-db", "postgresql-database-plugin", connection_url=url,
                                      username=postgres.user, password=postgres.password,
                                      allowed_roles=["readonly", "custom*"])
    client.secrets.database.create_role("readonly", "campus-db", creation_statements=CREATION,
                                        default_ttl="1h", max_ttl="2h")
    return client


class Psql:
    """The real psql binary against the test cluster; the password travels in PGPASSWORD only."""

    def __init__(self, postgres, database: str):
        self.postgres, self.database = postgres, database

    def run(self, username: str, password: str, query: str = "SELECT current_user") -> subprocess.CompletedProcess:
        env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"}
        return subprocess.run(["/usr/bin/psql", "-h", "127.0.0.1", "-p", str(self.postgres.port), "-U", username,
                               "-d", self.database, "-w", "-tAc", query], env=env, capture_output=True, text=True,
                              timeout=30)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.postgres.url(), autocommit=True)

    def role(self, username: str):
        """(rolname, rolvaliduntil) from pg_roles, or None once the role is dropped."""
        with self.admin() as admin:
            return admin.execute("SELECT rolname, rolvaliduntil FROM pg_roles WHERE rolname = %s",
                                 (username,)).fetchone()


@pytest.fixture
def psql(postgres, database):
    return Psql(postgres, database)
