"""Session fixtures: the real PostgreSQL behind Django's test database and a real slapd with the test university."""

import subprocess

import pytest

from devstack.directory import university
from devstack.gitlab.server import GitLabServer
from devstack.kube.cluster import write_kubeconfig
from devstack.slapd import Slapd
from devstack.tls import make_server_certificate
from tests.helpers import (
    ADMISSION_SECRET,
    CAMPUS_SERVICE,
    DEPLOYED_TOKEN,
    DEPLOYED_USER,
    GITLAB_TOKEN,
    MANAGED,
    managed_namespaces,
    wait_until_gone,
)

# campus's own modules are imported inside the fixtures: this file is read before Django is set up.


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


# --- the engine against the stand-ins: a seeded GitLab, the Kubernetes stand-in, campus pointed at both ---

@pytest.fixture
def gitlab():
    """courses/cs101 (prof.lang Owner, s0001 Reporter) ▸ team-1 (s0001, s0002 Developers) ▸ robot (s0003 Maintainer)."""
    with GitLabServer(token=GITLAB_TOKEN) as server:
        for username in ("prof.lang", "s0001", "s0002", "s0003", "s0004"):
            server.create_user(username)
        server.create_group("Courses", "courses")
        server.create_group("CS 101", "cs101", parent="courses")
        server.create_group("Team 1", "team-1", parent="courses/cs101")
        server.create_project("Robot", "courses/cs101/team-1", path="robot")
        server.create_group("Other", "other")  # outside the roots: never a namespace
        server.add_member("courses/cs101", "prof.lang", 50)
        server.add_member("courses/cs101", "s0001", 20)
        server.add_member("courses/cs101/team-1", "s0001", 30)
        server.add_member("courses/cs101/team-1", "s0002", 30)
        server.add_member("courses/cs101/team-1/robot", "s0003", 40, kind="project")
        yield server


@pytest.fixture
def engine(settings, gitlab, kube_cluster, db):
    """campus configured for the stand-ins; yields an admin adapter to look at the cluster with."""
    from tenants.infra.background import drain
    from tenants.infra.kube import KubeCluster

    settings.CAMPUS_GITLAB_URL = gitlab.url
    settings.CAMPUS_GITLAB_TOKEN = GITLAB_TOKEN
    settings.CAMPUS_GITLAB_ROOTS = ["courses"]
    settings.CAMPUS_GITLAB_TIMEOUT_SECONDS = 2
    settings.CAMPUS_KUBE_API_URL = kube_cluster.url
    settings.CAMPUS_KUBE_TOKEN = "campus-admin-token"
    settings.CAMPUS_KUBE_CA_FILE = str(kube_cluster.server.tls.ca_cert)
    settings.CAMPUS_GITLAB_WEBHOOK_SECRET = "hook-secret"
    admin = KubeCluster(kube_cluster.url, "campus-admin-token", ca_file=str(kube_cluster.server.tls.ca_cert))
    yield admin
    drain()  # background work of this test finishes before its database and cluster are cleaned up
    for ns in admin.list_labelled("Namespace", MANAGED):  # the cluster is shared by the module's tests
        admin.delete("Namespace", "", ns["metadata"]["name"])
    wait_until_gone(admin, managed_namespaces(admin))
    kube_cluster.server.faults.clear()
    admin.close()


@pytest.fixture
def kubectl_as(engine, kube_cluster, tmp_path):
    """After a first sync: run kubectl as a student (s0001 … s0004, with the stand-in's static tokens)."""
    from tenants.tenancy.reconcile import full_sync

    full_sync()

    def run(user, *args, stdin=None):
        config = write_kubeconfig(tmp_path / f"{user}.kubeconfig", kube_cluster.url, f"{user}-token",
                                  ca_file=kube_cluster.server.tls.ca_cert, user=user)
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              timeout=60, input=stdin)
    return run


@pytest.fixture
def campus_webhook(kube_cluster, kube_admin_api, live_server, settings):
    """Registers one of deploy/'s admission webhooks in the stand-in as kube-apiserver would have it, reaching the
    live campus as its Service; removed again afterwards. Needs `kube_cluster` with
    `admission_webhook_token=ADMISSION_SECRET` (indirect parametrization)."""
    import copy
    from pathlib import Path

    import yaml
    from kubernetes import client

    settings.CAMPUS_ADMISSION_SECRET = ADMISSION_SECRET
    kube_cluster.webhook_services[CAMPUS_SERVICE] = live_server.url
    api = client.AdmissionregistrationV1Api(kube_admin_api)
    registered = []

    def register(manifest: str, path: str) -> dict:
        config = copy.deepcopy(yaml.safe_load((Path(__file__).resolve().parent.parent / "deploy" / manifest)
                                              .read_text()))
        namespace, name, port = CAMPUS_SERVICE
        config["webhooks"][0]["clientConfig"] = {"service": {"namespace": namespace, "name": name, "port": port,
                                                             "path": path}}
        create = (api.create_mutating_webhook_configuration if config["kind"] == "MutatingWebhookConfiguration"
                  else api.create_validating_webhook_configuration)
        create(config)
        registered.append(config)
        return config

    yield register
    for config in registered:
        delete = (api.delete_mutating_webhook_configuration if config["kind"] == "MutatingWebhookConfiguration"
                  else api.delete_validating_webhook_configuration)
        delete(config["metadata"]["name"])
