"""After each resync, usage collection's pod list tells the desk which pods run without tracing, cluster-wide."""

import pytest

from tenants.tenancy.reconcile import full_sync
from tenants.tenancy.usage import collect_usage
from tenants.tracing.models import UntracedPods
from tests.helpers import RESTRICTED

pytestmark = pytest.mark.django_db
ROBOT = "p-courses-cs101-team-1-robot"
CONTAINER = {"name": "app", "image": "x", "securityContext": RESTRICTED,
             "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "20m", "memory": "32Mi"}}}


def pod(name, annotations=None):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ROBOT, **({"annotations": annotations} if annotations else {})},
            "spec": {"containers": [CONTAINER]}}


def test_pods_started_without_a_decision_are_reported_on_the_desk(engine, admin_client):
    full_sync()
    engine.create(pod("traced", {"campus.example/tracing": "injected"}))
    engine.create(pod("quiet", {"campus.example/tracing": "skipped: the pod opted out"}))
    engine.create(pod("early"))  # the webhook was down: nothing recorded

    collect_usage()

    report = UntracedPods.objects.get(namespace__name=ROBOT)
    assert [name for name, _why in report.pods] == ["early", "quiet"] and report.traced == 1
    page = admin_client.get("/desk/overview").content.decode()
    assert "Pods running without tracing" in page and "started while the tracing webhook could not be asked" in page
    assert "<td>1 of 3</td>" in page

    engine.delete("Pod", ROBOT, "early")
    engine.delete("Pod", ROBOT, "quiet")
    collect_usage()
    assert not UntracedPods.objects.exists()  # nothing left to report
