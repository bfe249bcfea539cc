"""Usage collection against the Kubernetes stand-in: quota status and running pods become NamespaceUsage rows."""

import pytest
from kubernetes import client

from tenants.models import ManagedNamespace, NamespaceUsage
from tenants.tenancy.reconcile import full_sync
from tenants.tenancy.usage import collect_usage
from tests.helpers import RESTRICTED

pytestmark = pytest.mark.django_db
TEAM = "g-courses-cs101-team-1"


def test_usage_follows_quota_status_and_running_pods(engine, kube_admin_api):
    core = client.CoreV1Api(kube_admin_api)
    full_sync()
    core.create_namespaced_pod(TEAM, {"metadata": {"name": "web"}, "spec": {"containers": [
        {"name": "web", "image": "registry.example.edu/team-1/web:3", "securityContext": RESTRICTED,
         "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}}
    ]}})

    assert collect_usage() == 3

    usage = NamespaceUsage.objects.get(namespace__name=TEAM)
    assert usage.hard["requests.cpu"] == "8" and usage.used["requests.cpu"] == "250m"
    assert usage.pods_running == 1
    assert usage.images == [{"image": "registry.example.edu/team-1/web:3", "pod": "web", "container": "web"}]
    assert ManagedNamespace.objects.get(name=TEAM).last_activity_at is not None
    assert ManagedNamespace.objects.get(name="g-courses-cs101").last_activity_at is None

    core.delete_namespaced_pod("web", TEAM)
    collect_usage()
    assert NamespaceUsage.objects.get(namespace__name=TEAM).pods_running == 0
    assert NamespaceUsage.objects.count() == 3  # updated in place
