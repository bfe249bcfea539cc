"""Policy parsing and Vault's path matching and priority rules, on the ACL object and through hvac."""

import hvac
import pytest
from hvac import exceptions

from devstack.vault import errors
from devstack.vault.acl import ACL, parse_policy


def _acl(*texts: str) -> ACL:
    return ACL([parse_policy(f"p{i}", text) for i, text in enumerate(texts)])


def test_exact_rule_beats_globs():
    acl = _acl('path "secret/*" { capabilities = ["read"] } path "secret/app" { capabilities = ["update"] }')

    assert acl.capabilities("secret/app") == {"update"}
    assert acl.capabilities("secret/app2") == {"read"}
    assert acl.capabilities("other") == frozenset()


@pytest.mark.parametrize(("path", "expected"), [
    ("secret/team/config", {"update"}),  # wildcards start at the same place; no trailing * wins
    ("secret/team/other", {"read"}),  # both end in *; fewer + segments wins
    ("secret/x", {"read"}),
    ("public/team/x", {"list"}),  # the first wildcard comes later than in "+/team/*"
])
def test_priority_follows_the_first_wildcard_then_the_rest(path, expected):
    acl = _acl('''
        path "secret/*" { capabilities = ["read"] }
        path "secret/+/config" { capabilities = ["update"] }
        path "secret/+/*" { capabilities = ["list"] }
        path "public/+/*" { capabilities = ["list"] }
        path "+/team/*" { capabilities = ["delete"] }
    ''')

    assert acl.capabilities(path) == expected


def test_longer_prefix_wins_among_globs_and_no_glob_beats_glob():
    acl = _acl('path "a/b*" { capabilities = ["read"] } path "a/bc*" { capabilities = ["list"] } '
               'path "a/+" { capabilities = ["delete"] }')

    assert acl.capabilities("a/bcd") == {"list"}
    assert acl.capabilities("a/bx") == {"read"}
    assert acl.capabilities("a/zz") == {"delete"}


def test_same_path_in_two_policies_merges_and_deny_wins():
    merged = _acl('path "kv/x" { capabilities = ["read"] }', 'path "kv/x" { capabilities = ["update"] }')
    denied = _acl('path "kv/x" { capabilities = ["read"] }', 'path "kv/x" { capabilities = ["deny"] }')

    assert merged.capabilities("kv/x") == {"read", "update"}
    assert not denied.allows("kv/x", "read")


def test_sudo_is_needed_on_root_protected_paths():
    acl = _acl('path "sys/leases/revoke-prefix/*" { capabilities = ["update"] }')

    assert acl.allows("sys/leases/revoke-prefix/db", "update")
    assert not acl.allows("sys/leases/revoke-prefix/db", "update", sudo=True)


def test_legacy_policy_shorthand_comments_and_json_form():
    hcl = _acl('# legacy\npath "old/*" {\n  policy = "write" // write means CRUD and list\n}\n')
    json_form = _acl('{"path": {"j/*": {"capabilities": ["read"]}}}')

    assert hcl.capabilities("old/x") == {"create", "read", "update", "delete", "list"}
    assert json_form.capabilities("j/k") == {"read"}


@pytest.mark.parametrize("text", ['path "x" { capabilities = ["fly"] }', 'path "x" { capabilities = [', "path {"])
def test_bad_policies_are_400s(text):
    with pytest.raises(errors.VaultError) as failure:
        parse_policy("bad", text)

    assert failure.value.status == 400 and failure.value.messages[0].startswith("failed to parse policy")


def test_policies_through_hvac(client, server):
    client.sys.create_or_update_acl_policy("Reader", 'path "database/creds/+" { capabilities = ["read"] }')

    assert client.sys.read_acl_policy("reader")["data"]["name"] == "reader"
    assert client.sys.list_acl_policies()["data"]["keys"] == ["default", "reader"]
    assert client.sys.list_policies()["data"]["policies"] == ["default", "reader", "root"]
    assert client.sys.read_policy("reader")["data"]["rules"].startswith('path "database/creds/+"')
    with pytest.raises(exceptions.InvalidRequest, match="failed to parse policy"):
        client.sys.create_or_update_acl_policy("broken", 'path "x" { capabilities = ["fly"] }')
    with pytest.raises(exceptions.InvalidRequest, match='cannot delete "default" policy'):
        client.sys.delete_acl_policy("default")
    with pytest.raises(exceptions.InvalidRequest, match='cannot update "root" policy'):
        client.sys.create_or_update_acl_policy("root", 'path "x" { capabilities = ["read"] }')

    token = client.auth.token.create(policies=["reader"])["auth"]["client_token"]
    reader = hvac.Client(server.url, token=token)
    capabilities = reader.sys.get_capabilities(["database/creds/app", "database/config/x"])
    assert capabilities["data"]["database/creds/app"] == ["read"]
    assert capabilities["data"]["database/config/x"] == ["deny"]

    client.sys.delete_acl_policy("reader")
    with pytest.raises(exceptions.InvalidPath):
        client.sys.read_acl_policy("reader")
