"""sys/health, the seal switch, mounts and auth methods, and the wire format (envelopes, errors, methods)."""

import pytest
import requests
from hvac import exceptions

from tests.devstack.vault.conftest import ROOT_TOKEN

ENVELOPE_KEYS = {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth",
                 "mount_type"}


def _call(server, method: str, path: str, token: str | None = ROOT_TOKEN, **kwargs) -> requests.Response:
    headers = {"X-Vault-Token": token} if token else {}
    return requests.request(method, f"{server.url}/v1/{path}", headers=headers, timeout=5, **kwargs)


def test_health_when_active_and_when_sealed(client, server):
    health = client.sys.read_health_status(method="GET")
    assert (health["initialized"], health["sealed"], health["standby"], health["version"]) == (
        True, False, False, "1.15.6")
    assert health["cluster_name"].startswith("vault-cluster-")

    server.seal()

    sealed = _call(server, "GET", "sys/health", token=None)
    assert sealed.status_code == 503
    assert (sealed.json()["sealed"], "cluster_name" in sealed.json()) == (True, False)
    assert _call(server, "GET", "sys/health?sealedcode=200", token=None).status_code == 200
    assert _call(server, "HEAD", "sys/health", token=None).status_code == 503


def test_sealed_vault_answers_503_and_hvac_raises_vault_down(client, server):
    server.seal()

    with pytest.raises(exceptions.VaultDown, match="Vault is sealed"):
        client.auth.token.lookup_self()
    with pytest.raises(exceptions.VaultDown):
        client.sys.list_mounted_secrets_engines()
    assert client.sys.is_sealed()

    server.unseal()
    assert client.auth.token.lookup_self()["data"]["id"] == ROOT_TOKEN


def test_seal_and_unseal_through_the_api(client, server):
    client.sys.seal()
    assert client.sys.is_sealed()
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_key("not-the-key")

    status = client.sys.submit_unseal_key(server.unseal_key)

    assert status["sealed"] is False and not client.sys.is_sealed()


def test_mounts_enable_list_and_disable(client):
    client.sys.enable_secrets_engine("database", path="tenant-db", description="per tenant")
    mounts = client.sys.list_mounted_secrets_engines()

    assert mounts["data"]["tenant-db/"]["type"] == "database"
    assert mounts["tenant-db/"] == mounts["data"]["tenant-db/"]  # the old top-level copy hvac users read
    assert {"sys/", "cubbyhole/", "identity/"} <= set(mounts["data"])
    with pytest.raises(exceptions.InvalidRequest, match="path is already in use at tenant-db/"):
        client.sys.enable_secrets_engine("database", path="tenant-db")
    with pytest.raises(exceptions.InvalidRequest, match="plugin not found in the catalog: nosuch"):
        client.sys.enable_secrets_engine("nosuch")

    client.sys.disable_secrets_engine("tenant-db")
    assert "tenant-db/" not in client.sys.list_mounted_secrets_engines()["data"]


def test_auth_methods_need_sudo(client, server):
    client.sys.create_or_update_acl_policy("ops", 'path "sys/auth/*" { capabilities = ["create", "update"] }')
    ops = _call(server, "POST", "sys/auth/kubernetes",
                token=client.auth.token.create(policies=["ops"])["auth"]["client_token"], json={"type": "kubernetes"})
    assert ops.status_code == 403

    client.sys.enable_auth_method("kubernetes")

    assert client.sys.list_auth_methods()["data"]["kubernetes/"]["type"] == "kubernetes"
    assert "token/" in client.sys.list_auth_methods()["data"]


def test_envelope_and_error_shapes(client, server):
    reply = _call(server, "GET", "auth/token/lookup-self")
    assert reply.status_code == 200 and set(reply.json()) == ENVELOPE_KEYS
    assert reply.json()["mount_type"] == "token" and reply.json()["wrap_info"] is None

    client.sys.enable_secrets_engine("database")
    missing = _call(server, "GET", "database/roles/none")
    assert (missing.status_code, missing.json(), missing.headers["Content-Type"]) == (
        404, {"errors": []}, "application/json")
    empty_list = _call(server, "LIST", "database/roles")
    assert (empty_list.status_code, empty_list.json()) == (404, {"errors": []})
    assert _call(server, "GET", "database/roles?list=true").status_code == 404
    unsupported = _call(server, "DELETE", "database/creds/x")
    assert unsupported.status_code == 405 and "unsupported operation" in unsupported.json()["errors"][0]
    nowhere = _call(server, "GET", "nowhere/at/all")
    assert (nowhere.status_code, nowhere.json()) == (
        404, {"errors": ['no handler for route "nowhere/at/all". route entry not found.']})
    assert _call(server, "PUT", "sys/policies/acl/x", data=b"{not json").status_code == 400
    assert _call(server, "POST", "database/config/x", json={}).json() == {"errors": ["plugin_name must be set"]}
    assert _call(server, "PUT", "sys/policies/acl/ok", json={"policy": 'path "a" {capabilities=["read"]}'}
                 ).status_code == 204
