"""The database secrets engine proven with psql against the real PostgreSQL: issue, renew, revoke, expire."""

import re
import time
from datetime import UTC, datetime

import hvac
import pytest
from hvac import exceptions

from tests.devstack.vault.conftest import CREATION

USERNAME = re.compile(r"v-root-readonly-[A-Za-z0-9]{20}-\d{10}")


def _creds(client):
    reply = client.secrets.database.generate_credentials("readonly")
    return reply, reply["data"]["username"], reply["data"]["password"]


def test_credentials_log_in_with_psql_and_read_the_granted_table(db_engine, psql, clock):
    reply, username, password = _creds(db_engine)

    assert USERNAME.fullmatch(username) and len(username) <= 63
    assert reply["lease_id"].startswith("database/creds/readonly/")
    assert (reply["lease_duration"], reply["renewable"], reply["mount_type"]) == (3600, True, "database")
    login = psql.run(username, password, "SELECT current_user, grade FROM grades")
    assert login.returncode == 0, login.stderr
    assert login.stdout.strip() == f"{username}|6"
    valid_until = psql.role(username)[1]
    assert valid_until == datetime.fromtimestamp(int(clock()) + 3600 + 5, tz=UTC)


def test_a_wrong_password_does_not_log_in(db_engine, psql):
    _, username, _ = _creds(db_engine)

    assert psql.run(username, "not-the-password").returncode != 0


def test_renew_moves_valid_until_and_is_capped_at_max_ttl(db_engine, psql, clock):
    issued = int(clock())
    reply, username, _ = _creds(db_engine)
    first_valid_until = psql.role(username)[1]

    clock.advance(1800)
    renewed = db_engine.sys.renew_lease(reply["lease_id"], increment=3600)
    assert (renewed["lease_id"], renewed["lease_duration"], renewed["warnings"]) == (reply["lease_id"], 3600, None)
    second_valid_until = psql.role(username)[1]
    assert second_valid_until == datetime.fromtimestamp(int(clock()) + 3600, tz=UTC)
    assert second_valid_until > first_valid_until

    capped = db_engine.sys.renew_lease(reply["lease_id"], increment=4 * 3600)
    assert capped["lease_duration"] == 5400  # max_ttl 2 h from issue, half an hour already gone
    assert capped["warnings"] == ['TTL of "4h0m0s" exceeded the effective max_ttl of "1h30m0s"; '
                                  "TTL value is capped accordingly"]
    assert psql.role(username)[1] == datetime.fromtimestamp(issued + 7200, tz=UTC)


def test_lease_lookup_and_listing(db_engine, clock):
    reply, _, _ = _creds(db_engine)
    lease_suffix = reply["lease_id"].rsplit("/", 1)[1]

    clock.advance(600)
    lookup = db_engine.sys.read_lease(reply["lease_id"])["data"]
    assert (lookup["id"], lookup["ttl"], lookup["renewable"], lookup["last_renewal"]) == (
        reply["lease_id"], 3000, True, None)
    assert db_engine.sys.list_leases("database/creds/readonly")["data"]["keys"] == [lease_suffix]
    assert db_engine.sys.list_leases("database/")["data"]["keys"] == ["creds/"]
    with pytest.raises(exceptions.InvalidRequest, match="invalid lease"):
        db_engine.sys.read_lease("database/creds/readonly/nope")


def test_revoke_drops_the_role_and_the_login_fails(db_engine, psql):
    reply, username, password = _creds(db_engine)
    assert psql.run(username, password).returncode == 0

    db_engine.sys.revoke_lease(reply["lease_id"])

    assert psql.role(username) is None
    assert psql.run(username, password).returncode != 0
    with pytest.raises(exceptions.InvalidRequest, match="lease not found"):
        db_engine.sys.renew_lease(reply["lease_id"])
    db_engine.sys.revoke_lease(reply["lease_id"])  # revoking again is a quiet 204, as in Vault


def test_expiry_revokes_on_the_reaper_pass(db_engine, psql, server, clock):
    reply, username, password = _creds(db_engine)

    clock.advance(3599)
    server.reap()
    assert psql.run(username, password).returncode == 0

    clock.advance(1)
    server.reap()
    assert psql.role(username) is None
    assert psql.run(username, password).returncode != 0
    with pytest.raises(exceptions.InvalidRequest):
        db_engine.sys.read_lease(reply["lease_id"])


def test_expire_now_hook_revokes_one_lease(db_engine, psql, server):
    first, first_user, _ = _creds(db_engine)
    _, second_user, _ = _creds(db_engine)

    server.expire_now(first["lease_id"])

    assert psql.role(first_user) is None
    assert psql.role(second_user) is not None


def test_background_reaper_revokes_without_being_asked(db_engine, psql, clock):
    _, username, _ = _creds(db_engine)

    clock.advance(3600)

    deadline = time.monotonic() + 10  # a bound on waiting, not a timing assertion
    while psql.role(username) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert psql.role(username) is None


def test_revoke_prefix_needs_sudo(db_engine, server, psql):
    _, first_user, _ = _creds(db_engine)
    _, second_user, _ = _creds(db_engine)
    db_engine.sys.create_or_update_acl_policy("no-sudo", 'path "sys/leases/revoke-prefix/*" '
                                                         '{ capabilities = ["update"] }')
    db_engine.sys.create_or_update_acl_policy("with-sudo", 'path "sys/leases/revoke-prefix/*" '
                                                           '{ capabilities = ["update", "sudo"] }')
    without = hvac.Client(server.url, token=db_engine.auth.token.create(policies=["no-sudo"])["auth"]["client_token"])
    with_sudo = hvac.Client(server.url,
                            token=db_engine.auth.token.create(policies=["with-sudo"])["auth"]["client_token"])

    with pytest.raises(exceptions.Forbidden):
        without.sys.revoke_prefix("database/creds/readonly")
    assert psql.role(first_user) is not None

    with_sudo.sys.revoke_prefix("database/creds/readonly")
    assert psql.role(first_user) is None and psql.role(second_user) is None


def test_custom_renew_and_revocation_statements_run(db_engine, psql, clock):
    db_engine.secrets.database.create_role(
        "custom-app", "campus-db", creation_statements=CREATION, default_ttl=600, max_ttl=3600,
        renew_statements=["ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}'; "
                          "ALTER ROLE \"{{name}}\" CONNECTION LIMIT 3;"],
        revocation_statements=['REVOKE SELECT ON grades FROM "{{name}}"; DROP ROLE "{{name}}";'])
    reply = db_engine.secrets.database.generate_credentials("custom-app")
    username = reply["data"]["username"]
    assert username.startswith("v-root-custom-a-")

    db_engine.sys.renew_lease(reply["lease_id"])
    with psql.admin() as admin:
        assert admin.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s", (username,)).fetchone() == (3,)
    db_engine.sys.revoke_lease(reply["lease_id"])
    assert psql.role(username) is None


def test_revoking_a_token_revokes_the_leases_it_created(db_engine, server, psql):
    db_engine.sys.create_or_update_acl_policy("app", 'path "database/creds/readonly" { capabilities = ["read"] }')
    app = hvac.Client(server.url, token=db_engine.auth.token.create(policies=["app"])["auth"]["client_token"])
    username = app.secrets.database.generate_credentials("readonly")["data"]["username"]
    assert username.startswith("v-token-to-readonly-")  # hvac sends display_name "token": "token-token"

    app.auth.token.revoke_self()

    assert psql.role(username) is None


def test_roles_are_read_listed_and_deleted(db_engine):
    role = db_engine.secrets.database.read_role("readonly")["data"]
    assert role == {"db_name": "campus-db", "creation_statements": CREATION, "revocation_statements": [],
                    "rollback_statements": [], "renew_statements": [], "default_ttl": 3600, "max_ttl": 7200,
                    "credential_type": "password"}
    db_engine.secrets.database.create_role("custom-b", "campus-db", creation_statements=CREATION)
    assert db_engine.secrets.database.list_roles()["data"]["keys"] == ["custom-b", "readonly"]

    db_engine.secrets.database.delete_role("custom-b")

    with pytest.raises(exceptions.InvalidPath):
        db_engine.secrets.database.read_role("custom-b")
    with pytest.raises(exceptions.InvalidRequest, match="unknown role: custom-b"):
        db_engine.secrets.database.generate_credentials("custom-b")


def test_roles_outside_allowed_roles_get_no_credentials(db_engine):
    db_engine.secrets.database.create_role("intruder", "campus-db", creation_statements=CREATION)

    with pytest.raises(exceptions.InternalServerError, match='"intruder" is not an allowed role'):
        db_engine.secrets.database.generate_credentials("intruder")


def test_connection_is_verified_and_its_password_never_echoed(client, postgres, database):
    client.sys.enable_secrets_engine("database")
    url = f"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{postgres.port}/{database}"

    with pytest.raises(exceptions.InvalidRequest, match="error verifying connection") as failure:
        client.secrets.database.configure("bad", "postgresql-database-plugin", connection_url=url,
                                          username=postgres.user, password="wrong-password-xyz")
    assert "wrong-password-xyz" not in str(failure.value)

    client.secrets.database.configure("good", "postgresql-database-plugin", connection_url=url,
                                      username=postgres.user, password=postgres.password)
    connection = client.secrets.database.read_connection("good")["data"]
    assert connection["connection_details"] == {"connection_url": url, "username": postgres.user,
                                                "max_open_connections": 4, "max_idle_connections": 0,
                                                "max_connection_lifetime": "0s"}
    assert postgres.password not in str(connection)
    assert client.secrets.database.list_connections()["data"]["keys"] == ["good"]


def test_a_literal_password_in_the_url_draws_the_real_warning(client, postgres, database):
    client.sys.enable_secrets_engine("database")

    reply = client.secrets.database.configure("literal", "postgresql-database-plugin",
                                              connection_url=postgres.url(database), allowed_roles="*")

    assert reply["warnings"] == ["Password found in connection_url, use a templated url to enable root rotation "
                                 "and prevent read access to password information."]


def test_disabling_the_mount_revokes_its_leases(db_engine, psql):
    _, username, _ = _creds(db_engine)

    db_engine.sys.disable_secrets_engine("database")

    assert psql.role(username) is None
    assert "database/" not in db_engine.sys.list_mounted_secrets_engines()["data"]
