"""Token auth as hvac sees it: root and child tokens, policies enforced everywhere, TTLs, renewal, revocation."""

import hvac
import pytest
import requests
from hvac import exceptions

from tests.devstack.vault.conftest import ROOT_TOKEN

NARROW = 'path "database/creds/app" { capabilities = ["read"] }'


def _child(client, server, **kwargs) -> tuple[hvac.Client, dict]:
    auth = client.auth.token.create(**kwargs)["auth"]
    return hvac.Client(server.url, token=auth["client_token"]), auth


def test_root_token_lookup(client):
    data = client.auth.token.lookup_self()["data"]

    assert (data["id"], data["policies"], data["ttl"], data["expire_time"], data["path"], data["display_name"],
            data["orphan"]) == (ROOT_TOKEN, ["root"], 0, None, "auth/token/root", "root", True)


def test_child_token_gets_default_policy_and_its_ttl(client, server, clock):
    client.sys.create_or_update_acl_policy("narrow", NARROW)
    child, auth = _child(client, server, policies=["narrow"], ttl="1h", meta={"course": "cs101"})

    assert auth["client_token"].startswith("hvs.")
    assert (auth["policies"], auth["lease_duration"], auth["renewable"], auth["orphan"]) == (
        ["default", "narrow"], 3600, True, False)
    clock.advance(100)
    data = child.auth.token.lookup_self()["data"]
    assert (data["ttl"], data["creation_ttl"], data["meta"], data["path"]) == (
        3500, 3600, {"course": "cs101"}, "auth/token/create")


def test_narrow_token_is_forbidden_elsewhere(client, server):
    client.sys.create_or_update_acl_policy("narrow", NARROW)
    child, _ = _child(client, server, policies=["narrow"])

    with pytest.raises(exceptions.Forbidden, match="permission denied"):
        child.sys.list_mounted_secrets_engines()
    with pytest.raises(exceptions.Forbidden):
        child.sys.create_or_update_acl_policy("mine", NARROW)
    with pytest.raises(exceptions.Forbidden):
        child.secrets.database.read_role("app")
    assert not child.sys.is_sealed()  # sys/seal-status needs no token


def test_unknown_and_missing_tokens(server):
    with pytest.raises(exceptions.Forbidden, match="invalid token"):
        hvac.Client(server.url, token="hvs.nonsense").auth.token.lookup_self()
    assert not hvac.Client(server.url, token="hvs.nonsense").is_authenticated()
    anonymous = requests.get(f"{server.url}/v1/sys/mounts", timeout=5)
    assert (anonymous.status_code, anonymous.json()) == (403, {"errors": ["permission denied"]})


def test_bearer_authorization_header_works(server):
    reply = requests.get(f"{server.url}/v1/auth/token/lookup-self",
                         headers={"Authorization": f"Bearer {ROOT_TOKEN}"}, timeout=5)

    assert reply.status_code == 200 and reply.json()["data"]["id"] == ROOT_TOKEN


def test_child_policies_must_be_a_subset(client, server):
    client.sys.create_or_update_acl_policy("narrow", NARROW)
    client.sys.create_or_update_acl_policy("creator", 'path "auth/token/create" { capabilities = ["update"] }')
    creator, _ = _child(client, server, policies=["creator"])

    with pytest.raises(exceptions.InvalidRequest, match="child policies must be subset of parent"):
        creator.auth.token.create(policies=["narrow"])
    assert creator.auth.token.create(policies=["creator"])["auth"]["policies"] == ["creator", "default"]
    with pytest.raises(exceptions.InvalidRequest, match="root or sudo privileges required to create orphan token"):
        creator.auth.token.create(no_parent=True)


def test_expired_token_is_refused_and_reaped(client, server, clock):
    child, auth = _child(client, server, ttl="60s")

    clock.advance(60)

    with pytest.raises(exceptions.Forbidden, match="invalid token"):
        child.auth.token.lookup_self()
    server.reap()
    with pytest.raises(exceptions.InvalidRequest, match="invalid accessor"):
        client.auth.token.lookup_accessor(auth["accessor"])


def test_renew_self_extends_and_is_capped(client, server, clock):
    child, _ = _child(client, server, ttl="1h", explicit_max_ttl="2h")

    clock.advance(3000)
    renewed = child.auth.token.renew_self(increment="1h")["auth"]
    assert renewed["lease_duration"] == 3600
    capped = child.auth.token.renew_self(increment="5h")
    assert capped["auth"]["lease_duration"] == 4200
    assert capped["warnings"] == ['TTL of "5h0m0s" exceeded the effective max_ttl of "1h10m0s"; '
                                  "TTL value is capped accordingly"]
    stuck, _ = _child(client, server, renewable=False)
    with pytest.raises(exceptions.InvalidRequest, match="lease is not renewable"):
        stuck.auth.token.renew_self()


def test_revoking_a_parent_revokes_its_children_but_not_orphans(client, server):
    client.sys.create_or_update_acl_policy("creator", 'path "auth/token/create*" { capabilities = ["update"] }')
    parent, _ = _child(client, server, policies=["creator"])
    grandchild = hvac.Client(server.url, token=parent.auth.token.create()["auth"]["client_token"])
    orphan = hvac.Client(server.url, token=parent.auth.token.create_orphan()["auth"]["client_token"])

    parent.auth.token.revoke_self()

    assert not parent.is_authenticated()
    assert not grandchild.is_authenticated()
    assert orphan.is_authenticated()


def test_capabilities_of_another_token_by_id_and_accessor(client, server):
    client.sys.create_or_update_acl_policy("narrow", NARROW)
    _, auth = _child(client, server, policies=["narrow"])

    by_token = client.sys.get_capabilities(["database/creds/app"], token=auth["client_token"])
    by_accessor = client.sys.get_capabilities(["sys/mounts"], accessor=auth["accessor"])

    assert by_token["capabilities"] == ["read"]
    assert by_accessor["capabilities"] == ["deny"]


def test_response_wrapping_is_refused_not_ignored(client):
    with pytest.raises(exceptions.InvalidRequest, match="wrapping"):
        client.adapter.get("/v1/auth/token/lookup-self", wrap_ttl="60s")
