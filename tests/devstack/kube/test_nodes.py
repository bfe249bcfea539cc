"""Nodes on the whole stand-in cluster: registered from Cluster(nodes=...), read through kubectl and the Python
client, written only by whom RBAC lets, and used by the pretend scheduler."""

import subprocess

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from devstack.kube.cluster import Cluster
from devstack.kube.contracts import UserInfo
from devstack.kube.nodes import NodeSpec
from tests.devstack.kube.conftest import api_client

CAMPUS_TOKEN = "campus-token-for-node-tests"
TENANT = {"t-tess": UserInfo("tess", "u-1", ("students",))}
NODES = [{"name": "campus-node-1"},
         NodeSpec("gpu-1", cpu="32", memory="256Gi", gpus=4, labels={"accelerator": "a100",
                                                                    "node-role.kubernetes.io/gpu": ""})]



@pytest.fixture(scope="module")
def cluster(kube_tls):
    with Cluster(admin_token=CAMPUS_TOKEN, tls=kube_tls, static_tokens=TENANT, nodes=NODES) as running:
        with api_client(running.server, CAMPUS_TOKEN) as api:
            client.CoreV1Api(api).create_namespace({"metadata": {"name": "tess-ns"}})
            client.RbacAuthorizationV1Api(api).create_namespaced_role_binding("tess-ns", {
                "metadata": {"name": "tess-admin"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "tess"}]})
        yield running


@pytest.fixture(scope="module")
def kubectl(cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("node-kubeconfigs")

    def run(token, *args):
        config = cluster.write_kubeconfig(folder / token, token=token)
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              timeout=60)

    return run


def test_kubectl_get_nodes(kubectl):
    listed = kubectl(CAMPUS_TOKEN, "get", "nodes")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[0] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [("campus-node-1", "Ready", "<none>", "v1.32.0"),
                                                            ("gpu-1", "Ready", "gpu", "v1.32.0")]
    wide = kubectl(CAMPUS_TOKEN, "get", "node", "gpu-1", "-o", "wide").stdout.splitlines()
    assert wide[0].split()[5:7] == ["INTERNAL-IP", "EXTERNAL-IP"] and wide[1].split()[5] == "10.0.0.11"
    described = kubectl(CAMPUS_TOKEN, "describe", "node", "gpu-1")
    assert "nvidia.com/gpu:     4" in described.stdout and "KubeletReady" in described.stdout
    resources = kubectl(CAMPUS_TOKEN, "api-resources", "--api-group=", "-o", "name").stdout.split()
    assert "nodes" in resources


def test_tenants_may_not_read_or_write_nodes(kubectl):
    listed = kubectl("t-tess", "get", "nodes")
    assert listed.stderr.strip() == ('Error from server (Forbidden): nodes is forbidden: User "tess" cannot list '
                                     'resource "nodes" in API group "" at the cluster scope')
    deleted = kubectl("t-tess", "delete", "node", "gpu-1")
    assert 'User "tess" cannot delete resource "nodes" in API group "" at the cluster scope' in deleted.stderr
    assert kubectl("t-tess", "auth", "can-i", "create", "nodes").stdout.strip() == "no"


def test_cluster_admin_may_cordon_a_node_as_on_a_real_cluster(kubectl):
    cordoned = kubectl(CAMPUS_TOKEN, "cordon", "campus-node-1")
    assert cordoned.returncode == 0, cordoned.stderr
    try:
        assert "Ready,SchedulingDisabled" in kubectl(CAMPUS_TOKEN, "get", "node", "campus-node-1").stdout
    finally:
        kubectl(CAMPUS_TOKEN, "uncordon", "campus-node-1")


def test_capacity_allocatable_and_conditions(cluster):
    with api_client(cluster.server, CAMPUS_TOKEN) as api:
        core = client.CoreV1Api(api)
        nodes = {node.metadata.name: node for node in core.list_node().items}
        plain, gpu = nodes["campus-node-1"].status, nodes["gpu-1"].status
        assert plain.capacity == {"cpu": "8", "ephemeral-storage": "100Gi", "memory": "32Gi", "pods": "110"}
        assert plain.allocatable == plain.capacity
        assert (gpu.capacity["cpu"], gpu.capacity["memory"], gpu.allocatable["nvidia.com/gpu"]) == ("32", "256Gi", "4")
        ready = next(c for c in gpu.conditions if c.type == "Ready")
        assert (ready.status, ready.reason) == ("True", "KubeletReady")
        assert nodes["gpu-1"].metadata.labels["accelerator"] == "a100"
        events = [event["object"].metadata.name
                  for event in watch.Watch().stream(core.list_node, timeout_seconds=1)]
        assert events == ["campus-node-1", "gpu-1"]


def test_pods_go_to_the_node_that_fits(cluster):
    def pod(name, resources=None, selector=None):
        spec = {"containers": [{"name": "c", "image": "nginx", "resources": resources or {}}]}
        if selector:
            spec["nodeSelector"] = selector
        return {"metadata": {"name": name}, "spec": spec}

    with api_client(cluster.server, CAMPUS_TOKEN) as api:
        core = client.CoreV1Api(api)
        for manifest in (pod("plain"), pod("trainer", {"limits": {"nvidia.com/gpu": "2"}}),
                         pod("picky", selector={"accelerator": "a100"}),
                         pod("greedy", {"limits": {"nvidia.com/gpu": "8"}})):
            core.create_namespaced_pod("tess-ns", manifest)
        placed = {p.metadata.name: (p.spec.node_name, p.status.host_ip, p.status.pod_ip)
                  for p in core.list_namespaced_pod("tess-ns").items}
    assert placed["plain"][:2] == ("campus-node-1", "10.0.0.10")
    assert placed["trainer"][:2] == placed["picky"][:2] == ("gpu-1", "10.0.0.11")
    assert placed["trainer"][2].startswith("10.244.1.")  # inside gpu-1's podCIDR
    assert placed["greedy"][0] == "campus-node-1"  # nothing fits: the first node, never Pending here


def test_node_writes_follow_rbac(cluster):
    with api_client(cluster.server, "t-tess") as api:
        with pytest.raises(ApiException) as refused:
            client.CoreV1Api(api).create_node({"metadata": {"name": "sneaky"}})
    assert refused.value.status == 403


def test_default_cluster_has_campus_node_1(kube_tls):
    with Cluster(admin_token=CAMPUS_TOKEN, tls=kube_tls) as default, api_client(default.server, CAMPUS_TOKEN) as api:
        core = client.CoreV1Api(api)
        assert [node.metadata.name for node in core.list_node().items] == ["campus-node-1"]
        core.create_namespace({"metadata": {"name": "n"}})
        core.create_namespaced_pod("n", {"metadata": {"name": "p"},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        running = core.read_namespaced_pod("p", "n")
        assert (running.spec.node_name, running.status.host_ip) == ("campus-node-1", "10.0.0.10")
