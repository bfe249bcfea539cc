"""Tenants' edits to campus's objects, made with kubectl and their own tokens, are repaired at the next resync."""

import json

import pytest

from tenants.models import AuditEntry
from tenants.tenancy.reconcile import full_sync
from tests.helpers import subjects

pytestmark = pytest.mark.django_db
ROBOT = "p-courses-cs101-team-1-robot"  # s0003 is Maintainer there: a namespace admin
WRITES = ("create", "replace", "delete", "patch")


def writes(result):
    return {verb: n for verb, n in result.kube_calls.items() if verb in WRITES}


def test_an_opened_network_policy_is_closed_again_and_audited_as_drift(kubectl_as, engine):
    opened = kubectl_as("s0003", "patch", "networkpolicy", "campus-isolation", "-n", ROBOT, "--type=merge", "-p",
                        json.dumps({"spec": {"ingress": [{}], "egress": [{}], "policyTypes": ["Ingress", "Egress"]}}))
    assert opened.returncode == 0, opened.stderr

    result = full_sync()

    policy = engine.get("NetworkPolicy", ROBOT, "campus-isolation")["spec"]
    assert policy["policyTypes"] == ["Ingress"] and "egress" not in policy
    assert {"podSelector": {}} in policy["ingress"][0]["from"]
    [action] = result.plan.actions
    assert action.drift == ("spec",) and action.changed_by.startswith("kubectl-patch (Update at ")
    assert AuditEntry.objects.filter(action="drift", namespace=ROBOT, name="campus-isolation",
                                     reason__contains="kubectl-patch").exists()


def test_a_rule_added_beside_campus_rules_is_drift_too(kubectl_as, engine):
    added = kubectl_as("s0003", "patch", "networkpolicy", "campus-isolation", "-n", ROBOT, "--type=json", "-p",
                       json.dumps([{"op": "add", "path": "/spec/ingress/-", "value": {}}]))
    assert added.returncode == 0, added.stderr

    full_sync()

    assert len(engine.get("NetworkPolicy", ROBOT, "campus-isolation")["spec"]["ingress"]) == 1


def test_a_classmate_added_to_campus_admin_loses_it_again(kubectl_as, engine):
    binding = json.loads(kubectl_as("s0003", "get", "rolebinding", "campus-admin", "-n", ROBOT, "-o", "json").stdout)
    binding["subjects"].append({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "s0004"})
    edited = kubectl_as("s0003", "replace", "-f", "-", stdin=json.dumps(binding))
    assert edited.returncode == 0, edited.stderr
    assert "s0004" in subjects(engine, ROBOT)["admin"]

    full_sync()

    assert subjects(engine, ROBOT)["admin"] == ["prof.lang", "s0003"]


def test_campus_labels_removed_by_a_cluster_admin_come_back_and_other_labels_stay(kubectl_as, engine):
    namespace = engine.get("Namespace", "", ROBOT)
    labels = namespace["metadata"]["labels"]
    labels["pod-security.kubernetes.io/enforce"] = "privileged"
    labels["backup"] = "nightly"
    engine.replace(namespace)  # as the cluster admin would; campus's own field manager name is not the point

    full_sync()

    labels = engine.get("Namespace", "", ROBOT)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted" and labels["backup"] == "nightly"


def test_quota_written_in_other_units_is_not_drift(kubectl_as, engine):
    quota = engine.get("ResourceQuota", ROBOT, "campus-quota")
    hard = quota["spec"]["hard"]
    hard["requests.memory"] = f"{int(hard['requests.memory'].removesuffix('Gi')) * 1024}Mi"  # the same amount
    engine.replace(quota)

    result = full_sync()

    assert result.plan.actions == []


def test_a_resync_without_drift_writes_nothing_and_reads_once_per_kind(kubectl_as, engine):
    result = full_sync()

    assert result.plan.actions == [] and writes(result) == {}
    assert result.kube_calls == {"list": 5}
