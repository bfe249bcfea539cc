"""The protecting admission webhook, registered from deploy/protect-webhook.yaml in the Kubernetes stand-in and
called by it as kube-apiserver calls webhooks: tenants with kubectl are refused and told how to ask; campus's
own writes, and a namespace's deletion, pass."""

import json

import pytest

from devstack.net import free_port
from tenants.tenancy.reconcile import full_sync
from tests.helpers import ADMISSION_SECRET, CAMPUS_SERVICE, subjects, wait_until_gone

ROBOT = "p-courses-cs101-team-1-robot"  # s0003 is Maintainer there: a namespace admin
pytestmark = [pytest.mark.django_db,
              pytest.mark.parametrize("kube_cluster", [{"admission_webhook_token": ADMISSION_SECRET}], indirect=True)]


@pytest.fixture
def protected(engine, kube_cluster, campus_webhook, settings):
    """deploy/protect-webhook.yaml as kube-apiserver would have it, reaching the live campus."""
    settings.CAMPUS_KUBE_USERNAME = kube_cluster.campus_user.username
    campus_webhook("protect-webhook.yaml", "/kubernetes/admission/protect")
    return engine


def test_campus_creates_and_repairs_through_the_webhook(protected):
    result = full_sync()
    assert result.failures == [] and result.applied and subjects(protected, ROBOT)["admin"] == ["prof.lang", "s0003"]


def test_a_tenant_editing_campus_objects_is_refused_and_told_how_to_ask(protected, kubectl_as):
    opened = kubectl_as("s0003", "patch", "networkpolicy", "campus-isolation", "-n", ROBOT, "--type=merge", "-p",
                        json.dumps({"spec": {"ingress": [{}]}}))
    deleted = kubectl_as("s0003", "delete", "rolebinding", "campus-edit", "-n", ROBOT)

    assert opened.returncode != 0 and 'admission webhook "protect.campus.example" denied the request' in opened.stderr
    assert "add a NetworkPolicy of your own beside it" in opened.stderr
    assert deleted.returncode != 0 and "members and their roles come from GitLab" in deleted.stderr
    assert protected.get("RoleBinding", ROBOT, "campus-edit") is not None
    assert full_sync().plan.actions == []  # nothing got through to repair


def test_a_tenant_cannot_dress_an_object_up_as_campus_own(protected, kubectl_as):
    made = kubectl_as("s0003", "create", "configmap", "notes", "-n", ROBOT, "--from-literal=a=b")
    assert made.returncode == 0, made.stderr

    labelled = kubectl_as("s0003", "label", "rolebinding", "campus-admin", "-n", ROBOT, "app.kubernetes.io/managed-by-")
    forged = kubectl_as("s0003", "create", "rolebinding", "campus-view", "-n", ROBOT, "--clusterrole=view",
                        "--user=s0004", "--dry-run=client", "-o", "json")
    body = json.loads(forged.stdout)
    body["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "campus"}
    created = kubectl_as("s0003", "create", "-f", "-", stdin=json.dumps(body))

    assert labelled.returncode != 0 and "is managed by campus" in labelled.stderr
    assert created.returncode != 0 and "is campus's own and cannot be set" in created.stderr


def test_a_tenant_adds_their_own_policy_and_binding_freely(protected, kubectl_as):
    own = kubectl_as("s0003", "create", "rolebinding", "ci", "-n", ROBOT, "--clusterrole=edit",
                     f"--serviceaccount={ROBOT}:default")
    assert own.returncode == 0, own.stderr


def test_campus_deletes_a_namespace_through_the_webhook(protected, gitlab, kubectl_as):
    gitlab.delete_project("courses/cs101/team-1/robot")

    result = full_sync()

    assert result.failures == [] and ROBOT not in wait_until_gone(protected, {ROBOT})


def test_while_campus_is_down_nobody_else_touches_campus_objects(protected, kubectl_as, kube_cluster):
    kube_cluster.webhook_services[CAMPUS_SERVICE] = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    opened = kubectl_as("s0003", "delete", "networkpolicy", "campus-isolation", "-n", ROBOT)

    assert opened.returncode != 0 and 'failed calling webhook "protect.campus.example"' in opened.stderr
    assert protected.get("NetworkPolicy", ROBOT, "campus-isolation") is not None
