"""Each part of campus prunes and repairs only its own objects: the tenancy engine leaves a later capability's
alone, and objects written before components had labels stay the tenancy engine's."""

import pytest

from tenants.engine.plan import component_of
from tenants.infra import kube
from tenants.lifecycle.stages import _exported
from tenants.tenancy.kinds import TENANCY_KINDS
from tenants.tenancy.reconcile import full_sync

pytestmark = pytest.mark.django_db
TEAM = "g-courses-cs101-team-1"
RBAC = "rbac.authorization.k8s.io"


def capability_binding(component="databases"):
    return {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
            "metadata": {"name": "db-reader", "namespace": TEAM, "labels": {
                "app.kubernetes.io/managed-by": "campus", "app.kubernetes.io/component": component,
                "campus.example/tenant": TEAM}},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "db", "namespace": TEAM}]}


def test_a_later_capabilitys_rolebinding_survives_the_resync(engine):
    full_sync()
    engine.create(capability_binding())

    result = full_sync()

    assert engine.get("RoleBinding", TEAM, "db-reader") is not None
    assert [a for a in result.plan.actions if a.name == "db-reader"] == []


def test_the_tenancy_engine_writes_its_objects_as_itself(engine):
    full_sync()
    quota = engine.get("ResourceQuota", TEAM, "campus-quota")
    assert quota["metadata"]["labels"]["app.kubernetes.io/component"] == "tenancy"
    assert "campus-tenancy" in {entry["manager"] for entry in quota["metadata"]["managedFields"]}


def test_objects_from_before_components_are_the_tenancy_engines_and_get_their_label(engine):
    full_sync()
    quota = engine.get("ResourceQuota", TEAM, "campus-quota")
    del quota["metadata"]["labels"]["app.kubernetes.io/component"]
    engine.replace(quota)  # written as "campus", as every object was before

    result = full_sync()

    assert [(a.verb, a.name, a.drift) for a in result.plan.actions] == [("update", "campus-quota",
                                                                         ("metadata.labels",))]
    assert result.conflicts == 0 and not result.plan.actions[0].changed_by  # campus's own write: no drift
    assert component_of(engine.get("ResourceQuota", TEAM, "campus-quota")) == "tenancy"


def test_archives_leave_out_what_a_registered_component_renders_again(monkeypatch):
    monkeypatch.setattr(kube, "_COMPONENTS", dict(kube._COMPONENTS))  # registered for this test only
    kube.register_component("databases", *TENANCY_KINDS[-1:])
    assert _exported(capability_binding("databases"), {}) is None
    kept = _exported(capability_binding("not-a-component"), {})
    assert kept is not None and kept["metadata"]["name"] == "db-reader"
