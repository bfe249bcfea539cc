"""A namespace admin with kubectl and their own token tries to get more than campus gave them."""

import json

import pytest

from tenants.tenancy.reconcile import full_sync
from tests.helpers import subjects

pytestmark = pytest.mark.django_db
ROBOT = "p-courses-cs101-team-1-robot"  # s0003 is Maintainer there: a namespace admin
RBAC = "rbac.authorization.k8s.io"


def test_binding_cluster_admin_is_refused_so_the_quota_stays(kubectl_as, engine):
    bound = kubectl_as("s0003", "create", "rolebinding", "mine", "--clusterrole=cluster-admin", "--user=s0003",
                       "-n", ROBOT)
    assert bound.returncode != 0 and "attempting to grant RBAC permissions not currently held" in bound.stderr

    raised = kubectl_as("s0003", "patch", "resourcequota", "campus-quota", "-n", ROBOT, "--type=merge", "-p",
                        json.dumps({"spec": {"hard": {"pods": "1000"}}}))

    assert raised.returncode != 0 and 'cannot patch resource "resourcequotas"' in raised.stderr
    assert engine.get("ResourceQuota", ROBOT, "campus-quota")["spec"]["hard"]["pods"] != "1000"


def test_what_a_namespace_admin_may_do_is_listed_for_them(kubectl_as):
    listed = kubectl_as("s0003", "auth", "can-i", "--list", "-n", ROBOT)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split()[0] for line in listed.stdout.splitlines()[1:] if line.strip()]
    assert "rolebindings.rbac.authorization.k8s.io" in rows and "resourcequotas" in rows


def test_deleted_campus_objects_come_back_at_the_next_resync(kubectl_as, engine):
    for kind, name in (("networkpolicy", "campus-isolation"), ("rolebinding", "campus-edit")):
        deleted = kubectl_as("s0003", "delete", kind, name, "-n", ROBOT)
        assert deleted.returncode == 0, deleted.stderr

    result = full_sync()

    assert {(a.verb, a.name) for a in result.plan.actions} == {("create", "campus-isolation"),
                                                                ("create", "campus-edit")}
    assert subjects(engine, ROBOT)["edit"] == ["s0001", "s0002"]


def test_a_binding_dressed_up_as_campus_own_is_removed(kubectl_as, engine):
    forged = {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
              "metadata": {"name": "campus-view", "namespace": ROBOT, "labels": {
                  "app.kubernetes.io/managed-by": "campus", "campus.example/tenant": "g-courses-cs101"}},
              "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "edit"},
              "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "s0004"}]}
    created = kubectl_as("s0003", "create", "-f", "-", stdin=json.dumps(forged))
    assert created.returncode == 0, created.stderr

    full_sync()

    assert engine.get("RoleBinding", ROBOT, "campus-view") is None
    assert "s0004" not in str(subjects(engine, "g-courses-cs101"))  # its tenant label fooled nobody
