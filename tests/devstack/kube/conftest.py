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
