"""The namespace page's tracing panel: the switch for its admins, and the pods that run without tracing and why."""

import pytest
from django.contrib.auth.models import User

from tenants.models import ManagedNamespace, Membership
from tenants.tracing.models import NamespaceTracing
from tenants.tracing.rules import DECISION

pytestmark = pytest.mark.django_db


def pod(name, decision=None):
    return {"name": name, "phase": "Running", "images": ["x"], "restarts": 0, "age": "1m",
            "annotations": {DECISION: decision} if decision else {}}


@pytest.fixture
def page(client, monkeypatch):
    owner = User.objects.create(username="s0001")
    viewer = User.objects.create(username="s0002")
    namespace = ManagedNamespace.objects.create(name="r-shop", kind="requested", owner=owner, tier="student")
    Membership.objects.create(namespace=namespace, username="s0002", role="view")
    pods = [pod("web", "injected"), pod("quiet", "skipped: the pod opted out"), pod("early")]
    monkeypatch.setattr("tenants.views.namespaces.running_pods", lambda name: pods)
    return client, owner, viewer, namespace


def test_untraced_pods_are_listed_with_the_reason(page):
    client, owner, _viewer, _ns = page
    client.force_login(owner)

    html = client.get("/namespaces/r-shop/").content.decode()

    assert "Running without tracing" in html and "the pod opted out" in html
    assert "started while the tracing webhook could not be asked" in html  # no decision recorded: said so
    assert "<td>web</td><td>" not in html.split("Running without tracing")[1]  # the traced one is not listed
    assert "Turn tracing off" in html


def test_the_owner_switches_tracing_and_a_viewer_may_not(page):
    client, owner, viewer, namespace = page
    client.force_login(viewer)
    assert "Turn tracing off" not in client.get("/namespaces/r-shop/").content.decode()
    client.post("/namespaces/r-shop/tracing", {"enabled": "false"})
    assert not NamespaceTracing.objects.exists()

    client.force_login(owner)
    response = client.post("/namespaces/r-shop/tracing", {"enabled": "false"})

    assert response.status_code == 302 and NamespaceTracing.objects.get(namespace=namespace).enabled is False
    assert "Turn tracing on" in client.get("/namespaces/r-shop/").content.decode()
