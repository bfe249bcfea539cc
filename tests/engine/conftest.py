"""The engine against the stand-ins: a seeded GitLab, the Kubernetes stand-in, campus pointed at both."""

import subprocess
import time

import pytest

from devstack.gitlab.server import GitLabServer
from devstack.kube.cluster import write_kubeconfig
from tenants.infra.background import drain
from tenants.infra.kube import KubeCluster
from tenants.tenancy.reconcile import full_sync

GITLAB_TOKEN = "campus-gitlab-token"
MANAGED = "app.kubernetes.io/managed-by=campus"


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
    full_sync()

    def run(user, *args, stdin=None):
        config = write_kubeconfig(tmp_path / f"{user}.kubeconfig", kube_cluster.url, f"{user}-token",
                                  ca_file=kube_cluster.server.tls.ca_cert, user=user)
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              timeout=60, input=stdin)
    return run


def subjects(admin: KubeCluster, namespace: str) -> dict[str, list[str]]:
    """ClusterRole -> users, from campus's RoleBindings in the namespace."""
    bindings = admin.list_labelled("RoleBinding", f"{MANAGED},campus.example/tenant={namespace}")
    return {b["roleRef"]["name"]: [s["name"] for s in b["subjects"]] for b in bindings}


def managed_namespaces(admin: KubeCluster) -> set[str]:
    return {ns["metadata"]["name"] for ns in admin.list_labelled("Namespace", MANAGED)}


def wait_until_gone(admin: KubeCluster, names: set[str]) -> set[str]:
    """Namespace deletion is asynchronous; returns the managed namespaces left once `names` are gone (or 10 s)."""
    deadline = time.monotonic() + 10
    while (left := managed_namespaces(admin)) & names and time.monotonic() < deadline:
        time.sleep(0.02)
    return left
