"""RBAC escalation prevention on the whole stand-in cluster, through kubectl and the official Python client."""

import json
import subprocess

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from devstack.kube.cluster import Cluster
from devstack.kube.contracts import UserInfo
from devstack.kube.escalation import compact, compact_string, missing_rules
from tests.devstack.kube.conftest import api_client

CAMPUS_TOKEN = "campus-token-for-escalation-tests"
USERS = {"t-nadia": UserInfo("nadia", "u-1", ("students",)), "t-bert": UserInfo("bert", "u-2", ("students",)),
         "t-esme": UserInfo("esme", "u-3", ("students",)), "t-root": UserInfo("root", "u-4", ("system:masters",)),
         "t-cora": UserInfo("cora", "u-5", ("staff",))}
RBAC_GROUP = "rbac.authorization.k8s.io"
HELD = ('user "nadia" (groups=["students" "system:authenticated"]) is attempting to grant RBAC permissions not '
        "currently held:\n")
CLUSTER_ADMIN_RULES = '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}'


def rule(groups, resources, verbs, names=None):
    return {"apiGroups": groups, "resources": resources, "verbs": verbs, **({"resourceNames": names} if names else {})}


def binding(name, role, user, kind="ClusterRole"):
    return {"metadata": {"name": name}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role},
            "subjects": [{"apiGroup": RBAC_GROUP, "kind": "User", "name": user}]}



@pytest.fixture(scope="module")
def cluster(kube_tls):
    with Cluster(admin_token=CAMPUS_TOKEN, tls=kube_tls, static_tokens=USERS) as running:
        with api_client(running.server, CAMPUS_TOKEN) as api:
            core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
            for name in ("team-a", "team-b"):
                core.create_namespace({"metadata": {"name": name}})
            core.create_namespaced_resource_quota("team-a", {"metadata": {"name": "compute"},
                                                             "spec": {"hard": {"pods": "2"}}})
            rbac.create_namespaced_role_binding("team-a", binding("nadia-admin", "admin", "nadia"))
            # bert may create bindings and bind exactly `admin`; esme may create roles and escalate them.
            rbac.create_namespaced_role("team-b", {"metadata": {"name": "binder"}, "rules": [
                rule([RBAC_GROUP], ["rolebindings"], ["create"]),
                rule([RBAC_GROUP], ["clusterroles"], ["bind"], ["admin"])]})
            rbac.create_namespaced_role_binding("team-b", binding("bert-binder", "binder", "bert", "Role"))
            rbac.create_namespaced_role("team-b", {"metadata": {"name": "escalator"}, "rules": [
                rule([RBAC_GROUP], ["roles"], ["create", "escalate"])]})
            rbac.create_namespaced_role_binding("team-b", binding("esme-escalator", "escalator", "esme", "Role"))
            rbac.create_cluster_role({"metadata": {"name": "role-writer"},
                                      "rules": [rule([RBAC_GROUP], ["clusterroles"], ["create"])]})
            rbac.create_cluster_role_binding(binding("cora-role-writer", "role-writer", "cora"))
        yield running


@pytest.fixture(scope="module")
def kubectl(cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("escalation-kubeconfigs")

    def run(token, *args, stdin=None):
        config = cluster.write_kubeconfig(folder / token, token=token, namespace="team-a")
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              input=stdin, timeout=60)

    return run


def refusal(call) -> tuple[int, str]:
    with pytest.raises(ApiException) as refused:
        call()
    return refused.value.status, json.loads(refused.value.body)["message"]


# --- kubectl -----------------------------------------------------------------------------------------------------

def test_namespace_admin_cannot_bind_cluster_admin_and_so_cannot_raise_the_quota(kubectl):
    bound = kubectl("t-nadia", "create", "rolebinding", "mine", "--clusterrole=cluster-admin", "--user=nadia")
    assert bound.returncode == 1
    assert bound.stderr.strip() == ('error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io '
                                    f'"mine" is forbidden: {HELD}{CLUSTER_ADMIN_RULES}')
    applied = kubectl("t-nadia", "apply", "-f", "-", stdin="""
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: applied}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: nadia}]
""")
    assert applied.returncode == 1 and "Error from server (Forbidden): error when creating" in applied.stderr
    assert kubectl("t-nadia", "get", "rolebinding", "mine").returncode == 1
    raised = kubectl("t-nadia", "patch", "resourcequota", "compute", "-p", '{"spec": {"hard": {"pods": "100"}}}')
    assert raised.returncode == 1
    assert raised.stderr.strip() == ('Error from server (Forbidden): resourcequotas "compute" is forbidden: User '
                                     '"nadia" cannot patch resource "resourcequotas" in API group "" in the '
                                     'namespace "team-a"')


def test_namespace_admin_may_grant_what_they_hold(kubectl):
    for role in ("edit", "view", "admin"):
        granted = kubectl("t-nadia", "create", "rolebinding", f"friend-{role}", f"--clusterrole={role}",
                          "--user=friend")
        assert granted.returncode == 0, granted.stderr
    own = kubectl("t-nadia", "create", "role", "reader", "--verb=get,list", "--resource=pods,configmaps")
    assert own.returncode == 0, own.stderr
    more = kubectl("t-nadia", "create", "role", "quota-writer", "--verb=create,update", "--resource=resourcequotas")
    assert more.returncode == 1
    assert more.stderr.strip() == ('Error from server (Forbidden): roles.rbac.authorization.k8s.io "quota-writer" is '
                                   f'forbidden: {HELD}{{APIGroups:[""], Resources:["resourcequotas"], '
                                   'Verbs:["create" "update"]}')


def test_binding_a_missing_role_is_not_found(kubectl):
    missing = kubectl("t-nadia", "create", "rolebinding", "ghost", "--clusterrole=nope", "--user=nadia")
    assert missing.stderr.strip() == ('error: failed to create rolebinding: clusterroles.rbac.authorization.k8s.io '
                                      '"nope" not found')


# --- the official Python client ----------------------------------------------------------------------------------

def test_bind_verb_allows_binding_exactly_the_named_role(cluster):
    with api_client(cluster.server, "t-bert") as api:
        rbac = client.RbacAuthorizationV1Api(api)
        created = rbac.create_namespaced_role_binding("team-b", binding("carl-admin", "admin", "carl"))
        assert created.role_ref.name == "admin"  # bert holds none of admin's rules, but may bind it
        code, message = refusal(lambda: rbac.create_namespaced_role_binding("team-b",
                                                                           binding("carl-edit", "edit", "carl")))
    assert code == 403
    assert message.startswith('rolebindings.rbac.authorization.k8s.io "carl-edit" is forbidden: user "bert" '
                              '(groups=["students" "system:authenticated"]) is attempting to grant RBAC permissions '
                              'not currently held:\n{APIGroups:[""], ')
    assert ('\n{APIGroups:[""], Resources:["configmaps"], Verbs:["create" "delete" "deletecollection" "patch" '
            '"update" "get" "list" "watch"]}\n') in message  # verbs of one resource from several rules, compacted


def test_escalate_verb_allows_any_rules(cluster):
    with api_client(cluster.server, "t-esme") as api:
        role = client.RbacAuthorizationV1Api(api).create_namespaced_role("team-b", {
            "metadata": {"name": "everything"}, "rules": [rule(["*"], ["*"], ["*"])]})
    assert role.rules[0].verbs == ["*"]


def test_aggregation_rule_needs_cluster_admin(cluster):
    with api_client(cluster.server, "t-cora") as api:
        rbac = client.RbacAuthorizationV1Api(api)
        code, message = refusal(lambda: rbac.create_cluster_role({
            "metadata": {"name": "gatherer"}, "rules": [],
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}))
        assert (code, message) == (403, 'clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have '
                                         'cluster-admin privileges to use the aggregationRule')
        code, message = refusal(lambda: rbac.create_cluster_role({
            "metadata": {"name": "pod-reader"}, "rules": [rule([""], ["pods"], ["get"])]}))
    assert code == 403 and '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}' in message


def test_system_masters_and_cluster_admin_are_not_limited(cluster):
    with api_client(cluster.server, "t-root") as api:
        client.RbacAuthorizationV1Api(api).create_cluster_role_binding(binding("root-admin", "cluster-admin", "x"))
    with api_client(cluster.server, CAMPUS_TOKEN) as api:  # campus's service account is bound to cluster-admin
        client.RbacAuthorizationV1Api(api).create_namespaced_role_binding(
            "team-a", binding("campus-made", "cluster-admin", "y"))


def test_updates_are_checked_except_garbage_collector_fields(cluster):
    with api_client(cluster.server, CAMPUS_TOKEN) as api:
        client.RbacAuthorizationV1Api(api).create_namespaced_role("team-a", {
            "metadata": {"name": "secret-writer"}, "rules": [rule([""], ["secrets"], ["*"])]})
    with api_client(cluster.server, "t-nadia") as api:
        rbac = client.RbacAuthorizationV1Api(api)
        code, message = refusal(lambda: rbac.patch_namespaced_role("secret-writer", "team-a",
                                                                   {"metadata": {"labels": {"a": "b"}}}))
        assert code == 403 and '{APIGroups:[""], Resources:["secrets"], Verbs:["*"]}' in message
        patched = rbac.patch_namespaced_role("secret-writer", "team-a", {"metadata": {"finalizers": ["x/y"]}})
        assert patched.metadata.finalizers == ["x/y"]
        rbac.patch_namespaced_role("secret-writer", "team-a", {"metadata": {"finalizers": None}})


# --- the rule arithmetic -----------------------------------------------------------------------------------------

def test_covers_subresources_names_and_urls():
    owner = [rule([""], ["pods", "*/status"], ["get"]), rule(["apps"], ["deployments"], ["get"], ["web"]),
             {"nonResourceURLs": ["/healthz/*"], "verbs": ["get"]}]
    assert missing_rules(owner, [rule([""], ["pods", "services/status"], ["get"]),
                                 {"nonResourceURLs": ["/healthz/ping"], "verbs": ["get"]}]) == []
    missing = missing_rules(owner, [rule(["apps"], ["deployments"], ["get", "list"], ["web", "db"])])
    assert [compact_string(r) for r in compact(missing)] == [
        '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["db"], Verbs:["get"]}',
        '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["list"]}',
        '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["db"], Verbs:["list"]}']
    assert missing_rules(owner, [rule(["apps"], ["deployments"], ["get"])])  # a name-limited rule covers no list
