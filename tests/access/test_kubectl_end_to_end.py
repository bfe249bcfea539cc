"""kubectl with a kubeconfig downloaded from campus, against the Kubernetes stand-in, which asks campus's
TokenReview webhook (served by a live campus) who the token belongs to."""

import subprocess

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from devstack.kube.cluster import Cluster
from tenants.infra.kube import KubeCluster

WEBHOOK_SECRET = "apiserver-to-campus-e2e"


@pytest.fixture
def cluster(live_server, cluster_tls, settings):
    settings.CAMPUS_TOKENREVIEW_SECRET = WEBHOOK_SECRET
    with Cluster(admin_token="admin-e2e", tls=cluster_tls, webhook_url=f"{live_server.url}/kubernetes/tokenreview",
                 webhook_token=WEBHOOK_SECRET, webhook_cache_ttl=0, webhook_failure_ttl=0) as cluster:
        settings.CAMPUS_KUBE_PUBLIC_URL = cluster.url
        settings.CAMPUS_KUBE_PUBLIC_CA_FILE = str(cluster_tls.ca_cert)
        admin = KubeCluster(cluster.url, "admin-e2e", ca_file=str(cluster_tls.ca_cert))
        for owner in ("s0001", "s0002"):
            admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"u-{owner}"}})
            admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                          "metadata": {"name": "campus-edit", "namespace": f"u-{owner}"},
                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                          "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": owner}]})
        admin.close()
        yield cluster


def kubectl(kubeconfig, *args):
    return subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.django_db(transaction=True)
def test_downloaded_kubeconfig_works_in_my_namespace_only_until_revoked(cluster, tmp_path):
    student = User.objects.create(username="s0001")
    student.groups.add(Group.objects.create(name="student"))
    browser = Client()
    browser.force_login(student)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(browser.post("/tokens/kubeconfig", {"label": "e2e"}).content)

    mine = kubectl(kubeconfig, "get", "pods", "-n", "u-s0001")
    theirs = kubectl(kubeconfig, "get", "pods", "-n", "u-s0002")

    assert mine.returncode == 0, mine.stderr
    assert "No resources found in u-s0001 namespace." in mine.stderr
    assert theirs.returncode != 0
    assert 'pods is forbidden: User "s0001" cannot list resource "pods"' in theirs.stderr
    assert 'in the namespace "u-s0002"' in theirs.stderr

    token_id = student.access_tokens.get().pk
    browser.post(f"/tokens/{token_id}/revoke")
    revoked = kubectl(kubeconfig, "get", "pods", "-n", "u-s0001")

    assert revoked.returncode != 0
    assert "Unauthorized" in revoked.stderr or "provide credentials" in revoked.stderr
