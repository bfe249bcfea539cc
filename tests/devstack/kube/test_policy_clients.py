"""The whole stand-in cluster (K1's server + the real policy) judged by kubectl and the official Python client."""

import subprocess
import sys

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from devstack.kube.cluster import Cluster
from devstack.net import free_port, wait_for_port
from tests.devstack.kube.test_policy_units import FakeWebhook

CAMPUS_TOKEN = "campus-admin-token-for-policy-tests"
TENANT_TOKENS = {"t-alice": {"username": "alice", "uid": "1", "groups": ["students"]},
                 "t-victor": {"username": "victor", "uid": "2", "groups": ["students"]}}


@pytest.fixture(scope="module")
def webhook():
    hook = FakeWebhook(TENANT_TOKENS)
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture(scope="module")
def cluster(kube_tls, webhook):
    with Cluster(admin_token=CAMPUS_TOKEN, webhook_url=webhook.url, tls=kube_tls) as running:
        yield running


@pytest.fixture(scope="module")
def admin(cluster):
    configuration = client.Configuration()
    configuration.host = cluster.url
    configuration.api_key = {"authorization": CAMPUS_TOKEN}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    configuration.ssl_ca_cert = str(cluster.server.tls.ca_cert)
    with client.ApiClient(configuration) as api:
        yield api


def namespace(api, name):
    client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})


def bind(api, ns, user, role):
    client.RbacAuthorizationV1Api(api).create_namespaced_role_binding(ns, {
        "metadata": {"name": f"{user}-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]})


@pytest.fixture(scope="module")
def tenants(admin):
    for name in ("alice-ns", "victor-ns"):
        namespace(admin, name)
    bind(admin, "alice-ns", "alice", "edit")
    bind(admin, "victor-ns", "victor", "view")


@pytest.fixture(scope="module")
def kubectl(cluster, tmp_path_factory, tenants):
    folder = tmp_path_factory.mktemp("kubeconfigs")

    def run(token, *args, stdin=None):
        config = cluster.write_kubeconfig(folder / token, token=token)
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              input=stdin, timeout=60)

    return run


# --- kubectl -----------------------------------------------------------------------------------------------------

def test_tenant_allowed_in_own_namespace_forbidden_in_another(kubectl):
    mine = kubectl("t-alice", "get", "pods", "-n", "alice-ns")
    assert mine.returncode == 0, mine.stderr
    assert "No resources found in alice-ns namespace." in mine.stderr
    theirs = kubectl("t-alice", "get", "pods", "-n", "victor-ns")
    assert theirs.returncode == 1
    assert theirs.stderr.strip() == ('Error from server (Forbidden): pods is forbidden: User "alice" cannot list '
                                     'resource "pods" in API group "" in the namespace "victor-ns"')
    cluster_wide = kubectl("t-alice", "get", "namespaces")
    assert cluster_wide.returncode == 1
    assert 'cannot list resource "namespaces" in API group "" at the cluster scope' in cluster_wide.stderr


MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: demo}
data: {greeting: hello}
"""


def test_edit_may_apply_view_may_only_look(kubectl):
    applied = kubectl("t-alice", "apply", "-n", "alice-ns", "-f", "-", stdin=MANIFEST)
    assert applied.returncode == 0, applied.stderr
    assert "configmap/settings created" in applied.stdout
    listed = kubectl("t-alice", "get", "configmaps", "-n", "alice-ns", "-l", "app=demo", "-o", "name")
    assert listed.stdout.split() == ["configmap/settings"]
    viewer = kubectl("t-victor", "apply", "-n", "victor-ns", "-f", "-", stdin=MANIFEST)
    assert viewer.returncode == 1
    assert ('Error from server (Forbidden): error when creating "STDIN": configmaps is forbidden: User "victor" '
            'cannot create resource "configmaps" in API group "" in the namespace "victor-ns"') in viewer.stderr
    assert kubectl("t-victor", "get", "configmaps", "-n", "victor-ns").returncode == 0
    secrets = kubectl("t-victor", "get", "secrets", "-n", "victor-ns")
    assert secrets.returncode == 1 and "Forbidden" in secrets.stderr  # view does not read secrets


def test_kubectl_auth_can_i(kubectl):
    yes = kubectl("t-alice", "auth", "can-i", "create", "deployments", "-n", "alice-ns")
    assert (yes.returncode, yes.stdout.strip()) == (0, "yes")
    no = kubectl("t-alice", "auth", "can-i", "create", "deployments", "-n", "victor-ns")
    assert (no.returncode, no.stdout.strip()) == (1, "no")
    roles = kubectl("t-alice", "auth", "can-i", "create", "rolebindings", "-n", "alice-ns")
    assert roles.stdout.strip() == "no"  # edit is not admin


def rules_table(output: str) -> dict[str, str]:
    """`kubectl auth can-i --list`: resource -> its verbs column (resource rules only)."""
    lines = output.splitlines()
    assert lines[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    return {line.split()[0]: line.split("]", 2)[-1].strip() for line in lines[1:] if not line.startswith(" ")}


def test_kubectl_auth_can_i_list(kubectl):
    mine = kubectl("t-alice", "auth", "can-i", "--list", "-n", "alice-ns")
    assert mine.returncode == 0, mine.stderr
    rules = rules_table(mine.stdout)
    assert "create" in rules["pods"] and "create" in rules["deployments.apps"]
    assert rules["selfsubjectrulesreviews.authorization.k8s.io"] == "[create]"
    assert "rolebindings.rbac.authorization.k8s.io" not in rules  # edit is not admin
    assert "[/version]" in mine.stdout
    elsewhere = rules_table(kubectl("t-alice", "auth", "can-i", "--list", "-n", "victor-ns").stdout)
    assert "pods" not in elsewhere and "selfsubjectaccessreviews.authorization.k8s.io" in elsewhere
    viewer = rules_table(kubectl("t-victor", "auth", "can-i", "--list", "-n", "victor-ns").stdout)
    assert viewer["pods"] == "[get list watch]"


def test_self_subject_rules_review(cluster, tenants):
    configuration = client.Configuration()
    configuration.host = cluster.url
    configuration.api_key = {"authorization": "t-victor"}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    configuration.ssl_ca_cert = str(cluster.server.tls.ca_cert)
    with client.ApiClient(configuration) as api:
        reviews = client.AuthorizationV1Api(api)
        status = reviews.create_self_subject_rules_review({"spec": {"namespace": "victor-ns"}}).status
        assert status.incomplete is False and status.evaluation_error is None
        pods = [rule for rule in status.resource_rules if "pods" in rule.resources]
        assert pods and pods[0].verbs == ["get", "list", "watch"] and pods[0].api_groups == [""]
        assert any("/version" in r.non_resource_urls and r.verbs == ["get"] for r in status.non_resource_rules)
        with pytest.raises(ApiException) as refused:
            reviews.create_self_subject_rules_review({"spec": {}})
        assert refused.value.status == 400 and "no namespace on request" in refused.value.body


def test_unknown_token_is_unauthorized(kubectl, webhook):
    answer = kubectl("t-stranger", "get", "pods", "-n", "alice-ns")
    assert answer.returncode == 1
    assert "error: You must be logged in to the server (Unauthorized)" in answer.stderr
    webhook.failing = True
    try:
        down = kubectl("t-nobody-yet", "get", "pods", "-n", "alice-ns")
    finally:
        webhook.failing = False
    assert "Unauthorized" in down.stderr


def test_self_subject_access_review(cluster, tenants):
    configuration = client.Configuration()
    configuration.host = cluster.url
    configuration.api_key = {"authorization": "t-alice"}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    configuration.ssl_ca_cert = str(cluster.server.tls.ca_cert)
    with client.ApiClient(configuration) as api:
        reviews = client.AuthorizationV1Api(api)

        def can_i(verb, resource, ns, group=""):
            return reviews.create_self_subject_access_review({"spec": {"resourceAttributes": {
                "verb": verb, "resource": resource, "namespace": ns, "group": group}}}).status

        allowed = can_i("create", "deployments", "alice-ns", "apps")
        assert allowed.allowed is True
        assert allowed.reason == ('RBAC: allowed by RoleBinding "alice-edit/alice-ns" of ClusterRole "edit" '
                                  'to User "alice"')
        assert can_i("create", "deployments", "victor-ns", "apps").allowed is False
        assert can_i("create", "rolebindings", "alice-ns", "rbac.authorization.k8s.io").allowed is False


# --- the official Python client -----------------------------------------------------------------------------------

def container(name, resources=None):
    return {"name": name, "image": "nginx:1.27", "resources": resources or {}}


def test_quota_and_limit_range(admin):
    core = client.CoreV1Api(admin)
    namespace(admin, "course-a")
    core.create_namespaced_limit_range("course-a", {
        "metadata": {"name": "defaults"},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                             "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}})
    core.create_namespaced_resource_quota("course-a", {
        "metadata": {"name": "compute"},
        "spec": {"hard": {"requests.cpu": "1", "limits.memory": "1Gi", "pods": "10"}}})
    created = core.create_namespaced_pod("course-a", {"metadata": {"name": "web"},
                                                      "spec": {"containers": [container("web")]}})
    assert created.spec.containers[0].resources.requests == {"cpu": "100m", "memory": "128Mi"}
    assert created.spec.containers[0].resources.limits == {"cpu": "500m", "memory": "256Mi"}
    assert created.metadata.annotations["kubernetes.io/limit-ranger"].startswith("LimitRanger plugin set: ")
    status = core.read_namespaced_resource_quota("compute", "course-a").status
    assert status.hard == {"limits.memory": "1Gi", "pods": "10", "requests.cpu": "1"}
    assert status.used == {"limits.memory": "256Mi", "pods": "1", "requests.cpu": "100m"}

    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod("course-a", {"metadata": {"name": "big"}, "spec": {"containers": [
            container("big", {"requests": {"cpu": "1"}, "limits": {"cpu": "1", "memory": "512Mi"}})]}})
    assert refused.value.status == 403
    assert ('pods \\"big\\" is forbidden: exceeded quota: compute, requested: requests.cpu=1, '
            'used: requests.cpu=100m, limited: requests.cpu=1') in refused.value.body
    core.delete_namespaced_pod("web", "course-a")
    assert core.read_namespaced_resource_quota("compute", "course-a").status.used["requests.cpu"] == "0"


def test_deployment_scales_pods_and_status(admin):
    apps, core = client.AppsV1Api(admin), client.CoreV1Api(admin)
    namespace(admin, "course-b")
    apps.create_namespaced_deployment("course-b", {
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container("web")]}}}})

    def pods():
        return core.list_namespaced_pod("course-b", label_selector="app=web").items

    assert len(pods()) == 2 and all(p.status.phase == "Running" for p in pods())
    assert pods()[0].metadata.owner_references[0].kind == "Deployment"
    apps.patch_namespaced_deployment("web", "course-b", {"spec": {"replicas": 4}})
    status = apps.read_namespaced_deployment("web", "course-b").status
    assert (status.replicas, status.ready_replicas, status.available_replicas, status.updated_replicas) == (4, 4, 4, 4)
    assert len(pods()) == 4
    apps.patch_namespaced_deployment("web", "course-b", {"spec": {"replicas": 1}})
    deployment = apps.read_namespaced_deployment("web", "course-b")
    assert deployment.status.replicas == 1 and deployment.status.observed_generation == deployment.metadata.generation
    assert len(pods()) == 1
    apps.delete_namespaced_deployment("web", "course-b")
    assert pods() == []


def test_every_namespace_has_a_default_service_account(admin):
    namespace(admin, "course-c")
    assert client.CoreV1Api(admin).read_namespaced_service_account("default", "course-c").metadata.name == "default"


def test_command_line(tmp_path):
    port, kubeconfig = free_port(), tmp_path / "kubeconfig"
    process = subprocess.Popen([sys.executable, "-m", "devstack.kube", "--port", str(port), "--admin-token",
                                CAMPUS_TOKEN, "--tls-dir", str(tmp_path / "tls"), "--kubeconfig", str(kubeconfig)],
                               stdout=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, timeout=30, process=process)
        assert process.stdout.readline().strip() == f"Kubernetes API stand-in at https://127.0.0.1:{port}"
        namespaces = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "namespaces", "-o", "name"],
                                    capture_output=True, text=True, timeout=60)
        assert "namespace/kube-system" in namespaces.stdout.split(), namespaces.stderr
        roles = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "clusterrolebinding",
                                "campus:cluster-admin", "-o", "jsonpath={.subjects[0].name}"],
                               capture_output=True, text=True, timeout=60)
        assert roles.stdout == "campus"
    finally:
        process.terminate()
        process.wait(timeout=10)
