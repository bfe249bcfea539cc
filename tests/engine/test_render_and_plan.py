"""Desired objects and plans: pure, so every rule is checked on plain data."""

import pytest

from tenants.engine.config import TenancyConfig
from tenants.engine.desired import Tenant, render
from tenants.engine.membership import Member, role_subjects
from tenants.engine.plan import make_plan
from tenants.engine.quantities import QuantityError, parse
from tenants.engine.tiers import override_errors

CONFIG = TenancyConfig()


def tenant(name="g-team", members=(), **kwargs):
    return Tenant(name=name, kind=kwargs.pop("kind", "group"), tier=kwargs.pop("tier", "course"),
                  path="courses/team", gitlab_id=7, members=tuple(members), **kwargs)


def by_kind(objects):
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def test_access_levels_map_to_cluster_roles_with_maintainer_as_admin():
    members = [Member("guest", 10), Member("rep", 20), Member("dev", 30), Member("main", 40), Member("own", 50),
               Member("min", 5)]
    assert role_subjects(members, CONFIG.role_for_level) == {"admin": ["main", "own"], "edit": ["dev"],
                                                            "view": ["rep"]}


def test_highest_level_wins_and_blocked_users_get_nothing():
    members = [Member("s1", 20), Member("s1", 40), Member("s2", 30, state="blocked")]
    assert role_subjects(members, CONFIG.role_for_level) == {"admin": ["s1"]}


def test_rendered_namespace_carries_labels_psa_and_annotations():
    objects = by_kind(render(tenant(owner="prof.lang"), CONFIG))
    ns = objects[("Namespace", "g-team")]
    labels = ns["metadata"]["labels"]
    assert labels["app.kubernetes.io/managed-by"] == "campus"
    assert labels["campus.example/gitlab-id"] == "7" and labels["campus.example/tier"] == "course"
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert ns["metadata"]["annotations"]["campus.example/path"] == "courses/team"
    assert all(o["metadata"]["labels"]["campus.example/tenant"] == "g-team" for o in objects.values())


def test_quota_and_limits_have_units_and_overrides():
    objects = by_kind(render(tenant(overrides={"requests.memory": "20Gi", "default.cpu": "250m"}), CONFIG))
    hard = objects[("ResourceQuota", "campus-quota")]["spec"]["hard"]
    assert hard["requests.memory"] == "20Gi" and hard["limits.cpu"] == "16" and "requests.nvidia.com/gpu" not in hard
    limits = objects[("LimitRange", "campus-limits")]["spec"]["limits"][0]
    assert limits["default"] == {"cpu": "250m", "memory": "512Mi"}
    assert limits["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}
    assert parse("default.cpu", limits["defaultRequest"]["cpu"]) * 1000 == 100  # 100 millicores, not 100 cores
    gpu = by_kind(render(tenant(tier="gpu"), CONFIG))[("ResourceQuota", "campus-quota")]["spec"]["hard"]
    assert gpu["requests.nvidia.com/gpu"] == "2"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("requests.memory", "20", "needs a unit"), ("limits.cpu", "2Gi", "cores"), ("pods", "2.5", "whole number"),
    ("requests.cpu", "lots", "not a quantity"), ("nodes", "3", "not a quota or limit"),
])
def test_bad_overrides_are_refused_with_a_reason(key, value, message):
    assert message in " ".join(override_errors({key: value}))


def test_good_quantities_parse_in_base_units():
    assert parse("requests.cpu", "500m") * 1000 == 500 and parse("limits.cpu", "2") == 2
    assert parse("requests.memory", "1Gi") == 2**30 and parse("requests.storage", "1G") == 10**9
    with pytest.raises(QuantityError):
        parse("requests.memory", "1")


def test_network_policy_isolates_the_namespace():
    policy = by_kind(render(tenant(), CONFIG))[("NetworkPolicy", "campus-isolation")]
    sources = policy["spec"]["ingress"][0]["from"]
    assert {"podSelector": {}} in sources
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}} in sources
    assert policy["spec"]["policyTypes"] == ["Ingress"]


def test_one_binding_per_role_with_many_subjects():
    objects = by_kind(render(tenant(members=[Member("b", 30), Member("a", 30), Member("c", 20)]), CONFIG))
    edit = objects[("RoleBinding", "campus-edit")]
    assert [s["name"] for s in edit["subjects"]] == ["a", "b"]
    assert edit["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}


def observed(objects):
    return [dict(o, metadata=dict(o["metadata"])) for o in objects]


def test_unchanged_objects_give_an_empty_plan():
    desired = render(tenant(members=[Member("a", 30)]), CONFIG)
    assert make_plan(desired, observed(desired), complete=True, config=CONFIG).actions == []


def test_missing_and_changed_objects_are_created_and_updated():
    before = render(tenant(members=[Member("a", 30)]), CONFIG)
    after = render(tenant(members=[Member("a", 30), Member("b", 30)]), CONFIG)
    plan = make_plan(after, observed(before[:-1]), complete=True, config=CONFIG)
    assert [(a.verb, a.kind) for a in plan.actions] == [("create", "RoleBinding")]
    plan = make_plan(after, observed(before), complete=True, config=CONFIG)
    assert [(a.verb, a.kind, a.name) for a in plan.actions] == [("update", "RoleBinding", "campus-edit")]


def test_only_campus_objects_are_deleted():
    desired = render(tenant(), CONFIG)
    own = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
           "metadata": {"name": "my-ci", "namespace": "g-team", "labels": {"team": "x"}}}
    stale = {"kind": "RoleBinding", "metadata": {"name": "campus-view", "namespace": "g-team",
                                                 "labels": {"app.kubernetes.io/managed-by": "campus"}}}
    plan = make_plan(desired, [*observed(desired), own, stale], complete=True, config=CONFIG)
    assert [(a.verb, a.name) for a in plan.actions] == [("delete", "campus-view")]


def test_an_incomplete_read_deletes_nothing():
    gone = render(tenant(name="g-gone"), CONFIG)
    plan = make_plan([], observed(gone), complete=False, config=CONFIG)
    assert plan.actions == [] and plan.skipped_deletions == len(gone)


def test_deleting_a_namespace_takes_its_contents_without_separate_deletes():
    gone = render(tenant(name="g-gone"), CONFIG)
    keep = [render(tenant(name=f"g-keep-{n}"), CONFIG) for n in range(20)]
    desired = [o for objs in keep for o in objs]
    plan = make_plan(desired, observed(desired + gone), complete=True, config=CONFIG)
    assert [(a.verb, a.kind, a.name) for a in plan.actions] == [("delete", "Namespace", "g-gone")]


def test_mass_namespace_deletion_is_held_for_an_admin():
    tenants = [render(tenant(name=f"g-{n}"), CONFIG) for n in range(30)]
    everything = [o for objs in tenants for o in objs]
    survivors = [o for objs in tenants[:20] for o in objs]
    plan = make_plan(survivors, observed(everything), complete=True, config=CONFIG)
    assert plan.actions == [] and len(plan.held) == 10
    assert "exceed the limit of 3" in plan.held_reason


def test_a_scoped_plan_ignores_namespaces_outside_its_scope():
    other = render(tenant(name="g-other"), CONFIG)
    mine = render(tenant(name="g-mine"), CONFIG)
    plan = make_plan(mine, observed(other), complete=True, config=CONFIG, scope={"g-mine"})
    assert {a.verb for a in plan.actions} == {"create"}
    assert all(a.namespace in ("", "g-mine") for a in plan.actions)
