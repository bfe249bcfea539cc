"""campus works with exactly the rights deploy/rbac.yaml grants: the engine, usage and every lifecycle stage run
as a service account bound to that ClusterRole, against the stand-in's RBAC."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from django.utils import timezone
from kubernetes import client

from tenants.infra.settings import kube_cluster as campus_cluster
from tenants.lifecycle.stages import archive, delete_namespace, reactivate, suspend
from tenants.models import AuditEntry, ManagedNamespace
from tenants.tenancy.reconcile import full_sync, sync_owned_namespaces
from tenants.tenancy.usage import collect_usage
from tests.helpers import DEPLOYED_TOKEN, DEPLOYED_USER, RESTRICTED

pytestmark = pytest.mark.django_db
RBAC = Path(__file__).resolve().parents[2] / "deploy" / "rbac.yaml"


@pytest.fixture
def deployed(engine, kube_admin_api, settings):
    """campus switched to the deployed service account, bound to deploy/rbac.yaml's ClusterRole."""
    role = next(doc for doc in yaml.safe_load_all(RBAC.read_text()) if doc["kind"] == "ClusterRole")
    role["metadata"]["name"] = "campus-deployed"
    rbac = client.RbacAuthorizationV1Api(kube_admin_api)
    rbac.create_cluster_role(role)
    rbac.create_cluster_role_binding({
        "metadata": {"name": "campus-deployed"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "campus-deployed"},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": DEPLOYED_USER}]})
    settings.CAMPUS_KUBE_TOKEN = DEPLOYED_TOKEN
    yield
    rbac.delete_cluster_role_binding("campus-deployed")
    rbac.delete_cluster_role("campus-deployed")


def test_the_deployed_role_covers_sync_usage_and_every_stage(deployed, kube_admin_api, tmp_path):
    result = full_sync()
    assert result.failures == [] and result.applied > 0
    owner = User.objects.create(username="s0004")
    ns = ManagedNamespace.objects.create(name="r-least", kind="requested", owner=owner, tier="student",
                                         expires_on=timezone.localdate() + timedelta(days=3))
    assert sync_owned_namespaces({ns.name}, "test").failures == []
    core = client.CoreV1Api(kube_admin_api)
    client.AppsV1Api(kube_admin_api).create_namespaced_deployment(ns.name, {"metadata": {"name": "web"}, "spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "securityContext": RESTRICTED}]}}}})
    core.create_namespaced_secret(ns.name, {"metadata": {"name": "s"}, "data": {"k": "dg=="}})
    core.create_namespaced_pod(ns.name, {"metadata": {"name": "shell"}, "spec": {
        "containers": [{"name": "shell", "image": "nginx:1.27", "securityContext": RESTRICTED}]}})

    assert collect_usage() == 4
    kube = campus_cluster()
    try:
        suspend(kube, ns)
        reactivate(kube, ns, "test")
        suspend(kube, ns)
        archive(kube, ns, tmp_path)
        kube.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": ns.name},
                     "involvedObject": {"kind": "Namespace", "name": ns.name}, "reason": "Test", "message": "m"})
        delete_namespace(kube, ns)
    finally:
        kube.close()
    archived = {p.name for p in (tmp_path / "r-least").iterdir()}
    assert {"deployment-web.yaml", "secret-s.yaml", "pod-shell.yaml"} <= archived
    assert not AuditEntry.objects.filter(action="error").exists()
