"""The Kubernetes stand-in driven by the real kubectl (v1.32) through a kubeconfig with the CA and a token."""

import json
import subprocess

import pytest
import yaml

from tests.devstack.kube.conftest import write_kubeconfig

MANIFEST = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {course: cs101}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: web, tier: front}}
data: {greeting: hello}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: shop, labels: {app: db}}
data: {x: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: MODE_VALUE}]
"""


@pytest.fixture(scope="module")
def kubectl(kube, tmp_path_factory):
    folder = tmp_path_factory.mktemp("kubectl")
    config = write_kubeconfig(folder / "kubeconfig", kube)

    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(["kubectl", "--kubeconfig", str(config), "--cache-dir", str(folder / "cache"), *args],
                                capture_output=True, text=True, input=stdin, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
        return result

    return run


def manifest(replicas: int, mode: str) -> str:
    return MANIFEST.replace("REPLICAS", str(replicas)).replace("MODE_VALUE", mode)


@pytest.fixture(scope="module")
def applied(kubectl):
    result = kubectl("apply", "-f", "-", stdin=manifest(2, "prod"))
    return result.stdout


def test_apply_creates_then_configures(kubectl, applied):
    assert applied.splitlines() == ["namespace/shop created", "configmap/settings created", "configmap/other created",
                                    "deployment.apps/web created"]
    again = kubectl("apply", "-f", "-", stdin=manifest(3, "debug")).stdout.splitlines()
    assert again == ["namespace/shop unchanged", "configmap/settings unchanged", "configmap/other unchanged",
                     "deployment.apps/web configured"]
    deployment = json.loads(kubectl("get", "deployment", "web", "-n", "shop", "-o", "json").stdout)
    assert deployment["spec"]["replicas"] == 3 and deployment["metadata"]["generation"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "MODE", "value": "debug"}]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_get_with_label_selector_and_output_formats(kubectl, applied):
    names = kubectl("get", "configmaps", "-n", "shop", "-l", "app=web", "-o", "json").stdout
    assert [i["metadata"]["name"] for i in json.loads(names)["items"]] == ["settings"]
    in_set = kubectl("get", "cm", "-n", "shop", "-l", "app in (web,db),app!=db", "-o", "yaml").stdout
    assert [i["metadata"]["name"] for i in yaml.safe_load(in_set)["items"]] == ["settings"]
    table = kubectl("get", "configmaps", "-n", "shop", "-l", "!tier").stdout.splitlines()
    assert table[0].split() == ["NAME", "DATA", "AGE"] and table[1].split()[:2] == ["other", "1"]
    single = yaml.safe_load(kubectl("get", "namespace", "shop", "-o", "yaml").stdout)
    assert single["status"]["phase"] == "Active" and single["metadata"]["labels"]["course"] == "cs101"


def test_get_missing_object_reports_not_found(kubectl, applied):
    result = kubectl("get", "configmap", "nope", "-n", "shop", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'


def test_describe(kubectl, applied):
    described = kubectl("describe", "deployment", "web", "-n", "shop").stdout
    assert "Selector:               app=web" in described and "Image:      nginx:1.27" in described
    namespace = kubectl("describe", "namespace", "shop").stdout
    assert "Status:       Active" in namespace


def test_create_with_protobuf_bodies(kubectl, applied):
    kubectl("create", "configmap", "made", "-n", "shop", "--from-literal=k=v")
    kubectl("create", "secret", "generic", "token", "-n", "shop", "--from-literal=pw=s3cret")
    kubectl("create", "rolebinding", "readers", "-n", "shop", "--clusterrole=view", "--user=alice")
    configmap = json.loads(kubectl("get", "configmap", "made", "-n", "shop", "-o", "json").stdout)
    assert configmap["data"] == {"k": "v"}
    secret = json.loads(kubectl("get", "secret", "token", "-n", "shop", "-o", "json").stdout)
    assert secret["data"] == {"pw": "czNjcmV0"} and secret["type"] == "Opaque"
    binding = json.loads(kubectl("get", "rolebinding", "readers", "-n", "shop", "-o", "json").stdout)
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]


def test_scale_and_server_side_apply(kubectl, applied):
    assert kubectl("scale", "deployment", "web", "-n", "shop", "--replicas=5").stdout.strip() == \
        "deployment.apps/web scaled"
    assert kubectl("get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}").stdout == "5"
    result = kubectl("apply", "--server-side", "--field-manager=campus", "-f", "-", check=False,
                     stdin=manifest(2, "prod").split("---")[-1])
    assert result.returncode == 1 and "conflict" in result.stderr and ".spec.replicas" in result.stderr
    kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=campus", "-f", "-",
            stdin=manifest(2, "prod").split("---")[-1])
    assert kubectl("get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}").stdout == "2"


def test_delete_namespace(kubectl, applied):
    kubectl("create", "namespace", "scratch")
    kubectl("create", "configmap", "c", "-n", "scratch")
    assert kubectl("delete", "namespace", "scratch").stdout.strip() == 'namespace "scratch" deleted'
    result = kubectl("get", "namespace", "scratch", check=False)
    assert result.returncode == 1 and "NotFound" in result.stderr
    assert kubectl("get", "configmaps", "-A", "--field-selector", "metadata.namespace=scratch", "-o", "name").stdout \
        == ""


def test_run_a_pod_and_print_wide_table(kubectl, applied):
    kubectl("run", "shell", "-n", "shop", "--image=busybox:1.36", "--labels=role=shell", "--", "sleep", "60")
    pod = json.loads(kubectl("get", "pod", "shell", "-n", "shop", "-o", "json").stdout)
    assert pod["spec"]["containers"][0]["args"] == ["sleep", "60"] and pod["metadata"]["labels"] == {"role": "shell"}
    table = kubectl("get", "pods", "-n", "shop", "-l", "role=shell", "-o", "wide").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    assert table[1].split()[:3] == ["shell", "0/1", "Pending"]
    assert kubectl("logs", "shell", "-n", "shop").stdout == ""  # no kubelet: logs exist and are empty


def test_auth_whoami(kubectl):
    lines = kubectl("auth", "whoami").stdout.splitlines()
    assert lines[1].split() == ["Username", "admin"]
    assert lines[3].split() == ["Groups", "[system:masters", "system:authenticated]"]


def test_unknown_fields_are_refused_strictly(kubectl, applied):
    typo = manifest(2, "prod").split("---")[-1].replace("replicas:", "replicass:")
    result = kubectl("create", "-f", "-", stdin=typo.replace("name: web,", "name: typo,"), check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled '
        'as a Deployment: strict decoding error: unknown field "spec.replicass"')
