"""campus never takes over what it did not create: namespaces made by hand, and objects inside its namespaces."""

import base64

import pytest

from tenants.models import AuditEntry, ManagedNamespace, OwnershipConflict
from tenants.tenancy.reconcile import full_sync, sync_owned_namespaces
from tests.helpers import managed_namespaces, subjects, wait_until_gone

pytestmark = pytest.mark.django_db
TEAM2 = "g-courses-cs101-team-2"
RBAC = "rbac.authorization.k8s.io"


def hand_made(engine, name):
    """A namespace a cluster admin made by hand, holding an operator's Secret."""
    engine.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"owner": "ops"}}})
    engine.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "operator-key", "namespace": name},
                   "data": {"key": base64.b64encode(b"s3cret").decode()}})


def test_a_namespace_made_by_hand_is_never_adopted_nor_deleted_with_the_group(engine, gitlab):
    hand_made(engine, TEAM2)
    gitlab.create_group("Team 2", "team-2", parent="courses/cs101")
    gitlab.add_member("courses/cs101/team-2", "s0004", 50)

    full_sync()

    record = ManagedNamespace.objects.get(gitlab_path="courses/cs101/team-2")
    assert record.name != TEAM2 and record.name.startswith(f"{TEAM2}-")
    assert record.name in managed_namespaces(engine) and TEAM2 not in managed_namespaces(engine)
    assert subjects(engine, record.name)["admin"] == ["prof.lang", "s0004"]
    untouched = engine.get("Namespace", "", TEAM2)
    assert untouched["metadata"]["labels"] == {"owner": "ops", "kubernetes.io/metadata.name": TEAM2}
    assert engine.list_labelled("RoleBinding", "", namespace=TEAM2) == []
    conflict = OwnershipConflict.objects.get(kind="Namespace", name=TEAM2)
    assert record.name in conflict.resolution and "courses/cs101/team-2" in conflict.tenant
    assert AuditEntry.objects.filter(action="conflict", name=TEAM2).exists()

    gitlab.delete_group("courses/cs101/team-2")
    full_sync()

    wait_until_gone(engine, {record.name})
    assert engine.get("Namespace", "", TEAM2) is not None
    assert engine.get("Secret", TEAM2, "operator-key")["data"]["key"] == base64.b64encode(b"s3cret").decode()
    engine.delete("Namespace", "", TEAM2)


def test_a_recorded_name_taken_by_hand_is_given_up_for_the_next_free_one(engine, django_user_model):
    owner = django_user_model.objects.create(username="s0004")
    ManagedNamespace.objects.create(name="u-s0004", kind="personal", owner=owner, gitlab_path="s0004",
                                    tier="student")
    hand_made(engine, "u-s0004")  # between the first sign-in and the background apply

    sync_owned_namespaces({"u-s0004"}, "signin")

    record = ManagedNamespace.objects.get(owner=owner)
    assert record.name.startswith("u-s0004-") and record.name in managed_namespaces(engine)
    assert "app.kubernetes.io/managed-by" not in engine.get("Namespace", "", "u-s0004")["metadata"]["labels"]
    assert engine.list_labelled("ResourceQuota", "", namespace="u-s0004") == []
    assert OwnershipConflict.objects.filter(name="u-s0004").exists()
    engine.delete("Namespace", "", "u-s0004")


def test_an_object_of_campus_name_that_campus_did_not_create_is_left_alone(engine, gitlab):
    full_sync()
    team = "g-courses-cs101-team-1"
    engine.create({"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
                   "metadata": {"name": "campus-view", "namespace": team},
                   "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
                   "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "tutor"}]})
    gitlab.add_member("courses/cs101/team-1", "s0004", 20)  # campus now wants a campus-view binding

    result = full_sync()

    theirs = engine.get("RoleBinding", team, "campus-view")
    assert [s["name"] for s in theirs["subjects"]] == ["tutor"] and "labels" not in theirs["metadata"]
    assert result.conflicts == 1 and result.failures == []
    assert OwnershipConflict.objects.filter(kind="RoleBinding", namespace=team, name="campus-view").exists()

    engine.delete("RoleBinding", team, "campus-view")
    full_sync()

    assert subjects(engine, team)["view"] == ["s0004"]
    assert not OwnershipConflict.objects.exists()  # campus created its own: the conflict is over


def test_the_desk_shows_conflicts(engine, gitlab, admin_client):
    hand_made(engine, TEAM2)
    gitlab.create_group("Team 2", "team-2", parent="courses/cs101")
    full_sync()

    page = admin_client.get("/desk/overview").content.decode()

    assert "Names campus did not take" in page and TEAM2 in page and "the tenant gets" in page
    engine.delete("Namespace", "", TEAM2)


def test_a_dry_run_takes_no_name_and_records_nothing(engine, gitlab):
    hand_made(engine, TEAM2)
    gitlab.create_group("Team 2", "team-2", parent="courses/cs101")

    result = full_sync(dry_run=True)

    creates = {a.name for a in result.plan.actions if a.kind == "Namespace"}
    assert TEAM2 not in creates and any(name.startswith(f"{TEAM2}-") for name in creates)
    assert not OwnershipConflict.objects.exists() and not ManagedNamespace.objects.exists()
    engine.delete("Namespace", "", TEAM2)
