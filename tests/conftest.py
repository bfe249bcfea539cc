"""Session fixtures: the real PostgreSQL behind Django's test database and a real slapd with the test university."""

import pytest

from devstack.directory import university
from devstack.slapd import Slapd
from devstack.tls import make_server_certificate


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL cluster that also holds Django's test database (started by tests/settings.py)."""
    from tests.settings import TEST_POSTGRES

    return TEST_POSTGRES


@pytest.fixture(scope="session")
def ldap_tls(tmp_path_factory):
    return make_server_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def slapd(ldap_tls):
    with Slapd(university(), tls=ldap_tls) as server:
        yield server


@pytest.fixture
def ldap_settings(settings, slapd):
    """Point campus at the fixture directory (memberOf mode, no TLS); tests adjust single keys."""
    directory = slapd.directory
    settings.CAMPUS_LDAP = {
        "URIS": [slapd.uri], "START_TLS": False, "CA_FILE": "", "BIND_DN": directory.service_dn,
        "BIND_PASSWORD": directory.service_password, "USER_BASE": directory.people_base,
        "USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))", "GROUP_BASE": "",
        "GROUP_FILTER": "(&(objectClass=groupOfNames)(member={user_dn}))", "TIMEOUT_SECONDS": 2,
    }
    settings.CAMPUS_ROLE_GROUPS = {
        "student": [directory.group_dn("students")], "staff": [directory.group_dn("staff")],
        "admin": [directory.group_dn("campus-admins")],
    }
    return settings


@pytest.fixture(scope="session")
def cluster_tls(tmp_path_factory):
    return make_server_certificate(tmp_path_factory.mktemp("cluster-tls"))


DEPLOYED_TOKEN, DEPLOYED_USER = "campus-deployed-token", "system:serviceaccount:campus-system:campus-deployed"


@pytest.fixture(scope="module")
def kube_cluster(cluster_tls, request):
    """The Kubernetes stand-in with its default RBAC; campus's admin token is `campus-admin-token`,
    `<uid>-token` signs in as that student (s0001 … s0004), and DEPLOYED_TOKEN as a service account with no
    rights until a test binds it (to deploy/rbac.yaml's ClusterRole).

    Optional: more Cluster keyword arguments through indirect parametrization, e.g.
    `@pytest.mark.parametrize("kube_cluster", [{"admission_webhook_token": "..."}], indirect=True)`."""
    from devstack.kube.cluster import Cluster
    from devstack.kube.contracts import UserInfo

    tokens = {f"s000{n}-token": UserInfo(f"s000{n}", groups=("campus:student",)) for n in range(1, 5)}
    tokens[DEPLOYED_TOKEN] = UserInfo(DEPLOYED_USER, groups=("system:serviceaccounts", "system:authenticated"))
    extra = getattr(request, "param", None) or {}
    with Cluster(admin_token="campus-admin-token", tls=cluster_tls, static_tokens=tokens, **extra) as cluster:
        yield cluster


# A container securityContext the restricted Pod Security profile admits (tenant namespaces enforce it).
RESTRICTED = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}


@pytest.fixture
def kube_admin_api(kube_cluster):
    """The official Kubernetes client as cluster admin, to create what tenants would (deployments, pods)."""
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = kube_cluster.url
    configuration.api_key = {"authorization": "Bearer campus-admin-token"}
    configuration.ssl_ca_cert = str(kube_cluster.server.tls.ca_cert)
    with client.ApiClient(configuration) as api:
        yield api
