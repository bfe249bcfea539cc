"""A suspended tenant renders with no pods allowed and every member only viewing; the plan removes the rest."""

from dataclasses import replace

from tenants.engine.config import TenancyConfig
from tenants.engine.desired import Tenant, render
from tenants.engine.membership import Member
from tenants.engine.plan import make_plan

CONFIG = TenancyConfig()
TEAM = Tenant(name="g-team", kind="group", path="courses/team", gitlab_id=7, tier="course",
              members=(Member("prof.lang", 50), Member("s0001", 30), Member("s0002", 20)))


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_suspended_quota_allows_no_pods_and_keeps_the_rest_of_the_tier():
    normal = by_kind(render(TEAM, CONFIG), "ResourceQuota")["campus-quota"]["spec"]["hard"]
    suspended = by_kind(render(replace(TEAM, suspended=True), CONFIG),
                        "ResourceQuota")["campus-quota"]["spec"]["hard"]
    assert normal["pods"] != "0"
    assert suspended == {**normal, "pods": "0"}


def test_suspended_members_share_one_view_binding():
    bindings = by_kind(render(replace(TEAM, suspended=True), CONFIG), "RoleBinding")
    assert list(bindings) == ["campus-view"]
    assert bindings["campus-view"]["roleRef"]["name"] == "view"
    assert [s["name"] for s in bindings["campus-view"]["subjects"]] == ["prof.lang", "s0001", "s0002"]


def test_a_suspended_tenant_without_members_has_no_bindings():
    assert by_kind(render(replace(TEAM, members=(), suspended=True), CONFIG), "RoleBinding") == {}


def test_the_plan_deletes_the_edit_and_admin_bindings_of_a_suspended_tenant():
    observed = render(TEAM, CONFIG)
    desired = render(replace(TEAM, suspended=True), CONFIG)
    plan = make_plan(desired, observed, complete=True, config=CONFIG, scope={"g-team"})
    deleted = {(a.kind, a.name) for a in plan.actions if a.verb == "delete"}
    assert deleted == {("RoleBinding", "campus-admin"), ("RoleBinding", "campus-edit")}
