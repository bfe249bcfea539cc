"""Every student gets a personal namespace at first sign-in; staff do not; the resync keeps it."""

import pytest

from tenants.models import AuditEntry, ManagedNamespace
from tenants.tenancy.reconcile import full_sync, sync_owned_namespaces
from tests.helpers import eventually, managed_namespaces, subjects

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_student_sign_in_creates_a_personal_namespace(client, engine, ldap_settings):
    response = client.post("/login/", {"username": "s0005", "password": "s0005-pw"})
    assert response.status_code == 302

    eventually(lambda: subjects(engine, "u-s0005") == {"admin": ["s0005"]})
    quota = engine.get("ResourceQuota", "u-s0005", "campus-quota")
    assert quota["spec"]["hard"]["pods"] == "20"  # the student tier
    assert AuditEntry.objects.filter(trigger="sign-in", namespace="u-s0005", action="create").exists()
    dashboard = client.get("/")
    expires_on = ManagedNamespace.objects.get(name="u-s0005").expires_on
    assert expires_on is not None and expires_on.isoformat() in dashboard.content.decode()  # shown from the start


def test_staff_get_no_personal_namespace(client, engine, ldap_settings):
    client.post("/login/", {"username": "prof.okafor", "password": "prof.okafor-pw"})
    assert not ManagedNamespace.objects.filter(kind="personal").exists()


def test_resync_keeps_personal_namespaces_next_to_gitlab_ones(client, engine, ldap_settings):
    client.post("/login/", {"username": "s0006", "password": "s0006-pw"})
    eventually(lambda: "u-s0006" in managed_namespaces(engine))

    full_sync()

    assert {"u-s0006", "g-courses-cs101"} <= managed_namespaces(engine)
    assert full_sync().plan.actions == []


def test_a_requested_namespace_is_applied_and_kept_by_the_resync(engine, django_user_model):
    owner = django_user_model.objects.create(username="s0007")
    requested = ManagedNamespace.objects.create(name="r-thesis", kind="requested", owner=owner, tier="research")

    assert sync_owned_namespaces({requested.name}, "request:1").applied > 0
    full_sync()

    assert subjects(engine, "r-thesis") == {"admin": ["s0007"]}
    assert engine.get("Namespace", "", "r-thesis")["metadata"]["labels"]["campus.example/kind"] == "requested"
    assert full_sync().plan.actions == []


def test_a_departed_owner_loses_access_but_the_namespace_stays(engine, django_user_model):
    owner = django_user_model.objects.create(username="s0008")
    ManagedNamespace.objects.create(name="r-old-project", kind="requested", owner=owner, tier="student")
    sync_owned_namespaces({"r-old-project"}, "request:2")

    owner.is_active = False
    owner.save()
    sync_owned_namespaces({"r-old-project"}, "resync")

    assert "r-old-project" in managed_namespaces(engine)
    assert subjects(engine, "r-old-project") == {}
