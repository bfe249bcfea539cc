"""A test-only Policy (static tokens, allow-all except one denied user) and one API server per test module."""

import pytest
import yaml
from kubernetes import client

from devstack.kube.contracts import Policy, RequestAttributes, UserInfo
from devstack.kube.server import KubeApiServer
from devstack.tls import make_server_certificate

ADMIN_TOKEN = "admin-token-for-tests"
DENIED_TOKEN = "denied-token-for-tests"


class StaticTokens:
    def __init__(self, tokens: dict[str, UserInfo]):
        self.tokens = tokens

    def authenticate(self, bearer_token: str) -> UserInfo | None:
        return self.tokens.get(bearer_token)


class AllowAllBut:
    """Allows everything, except that the user named `denied` may do nothing at all."""

    def __init__(self, denied: str):
        self.denied = denied
        self.seen: list[RequestAttributes] = []

    def authorize(self, attributes: RequestAttributes) -> tuple[bool, str]:
        self.seen.append(attributes)
        return attributes.user.username != self.denied, ""


def make_test_policy() -> Policy:
    tokens = StaticTokens({ADMIN_TOKEN: UserInfo("admin", "uid-admin", ("system:masters",)),
                           DENIED_TOKEN: UserInfo("alice", "uid-alice", ("students",))})
    return Policy(authenticator=tokens, authorizer=AllowAllBut("alice"))


@pytest.fixture(scope="session")
def kube_tls(tmp_path_factory):
    return make_server_certificate(tmp_path_factory.mktemp("kube-tls"))


@pytest.fixture(scope="module")
def kube(kube_tls):
    with KubeApiServer(make_test_policy(), tls=kube_tls) as server:
        yield server


def api_client(server: KubeApiServer, token: str = ADMIN_TOKEN) -> client.ApiClient:
    configuration = client.Configuration()
    configuration.host = server.url
    configuration.api_key = {"authorization": token}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    if server.tls:
        configuration.ssl_ca_cert = str(server.tls.ca_cert)
    return client.ApiClient(configuration)


@pytest.fixture(scope="module")
def admin(kube):
    with api_client(kube) as api:
        yield api


def write_kubeconfig(path, server: KubeApiServer, token: str = ADMIN_TOKEN):
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "test", "cluster": {"server": server.url,
                                                  "certificate-authority": str(server.tls.ca_cert)}}],
        "users": [{"name": "test", "user": {"token": token}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
    }
    path.write_text(yaml.safe_dump(config))
    return path


# --- admission webhooks ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hooks(kube_tls):
    """A real HTTPS admission webhook server on loopback (tests set its answers per path)."""
    from tests.devstack.kube.admission_server import AdmissionServer

    with AdmissionServer(kube_tls) as server:
        yield server


@pytest.fixture(scope="module")
def plain_hooks():
    """The same over plain HTTP, standing for the Service campus-system/campus:443."""
    from tests.devstack.kube.admission_server import AdmissionServer

    with AdmissionServer(None) as server:
        yield server


@pytest.fixture(scope="module")
def webhook_cluster(kube_tls, plain_hooks):
    from devstack.kube.cluster import Cluster
    from tests.devstack.kube.admission_server import CAMPUS_TOKEN, HOOK_TOKEN, SERVICE

    tokens = {"t-wendy": UserInfo("wendy", "u-wendy", ("students",))}
    with Cluster(admin_token=CAMPUS_TOKEN, tls=kube_tls, static_tokens=tokens, admission_webhook_token=HOOK_TOKEN,
                 webhook_services={SERVICE: plain_hooks.base_url}) as running:
        yield running


@pytest.fixture(scope="module")
def webhook_admin(webhook_cluster):
    from tests.devstack.kube.admission_server import api_for

    with api_for(webhook_cluster) as api:
        yield api


@pytest.fixture
def hook_namespace(webhook_admin, request):
    """A fresh namespace labelled `hooks-test: <name>` for one test, where wendy may edit."""
    name = request.node.name.replace("_", "-")[5:45].strip("-")
    client.CoreV1Api(webhook_admin).create_namespace({"metadata": {"name": name, "labels": {"hooks-test": name}}})
    client.RbacAuthorizationV1Api(webhook_admin).create_namespaced_role_binding(name, {
        "metadata": {"name": "wendy-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "wendy"}]})
    return name


@pytest.fixture
def kubectl_as(webhook_cluster, tmp_path):
    """kubectl against the webhook cluster, as campus or as a tenant token."""
    import subprocess

    from tests.devstack.kube.admission_server import CAMPUS_TOKEN

    def run(*args, token=CAMPUS_TOKEN, stdin=None):
        config = webhook_cluster.write_kubeconfig(tmp_path / f"kubeconfig-{token}", token=token)
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              input=stdin, timeout=60)

    return run
