"""The pure rules behind the engine's promises, over generated tenants, clusters and edits."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.engine.access import Removal
from tenants.engine.config import TenancyConfig
from tenants.engine.desired import Tenant, render
from tenants.engine.drift import differences, replacement
from tenants.engine.membership import Member
from tenants.engine.naming import EntityKey, assign_names
from tenants.engine.plan import Guards, make_plan

CONFIG = TenancyConfig()
users = st.sampled_from([f"s{n:04}" for n in range(12)])
members = st.lists(st.builds(Member, users, st.sampled_from([10, 20, 30, 40, 50])), max_size=8)


def tenant(name, people, tier="course", suspended=False):
    return Tenant(name=name, kind="group", tier=tier, path=f"courses/{name}", gitlab_id=abs(hash(name)) % 10**6,
                  members=tuple(people), suspended=suspended)


def served(objects):
    """What the API server would hand back: server metadata added, other tools' labels, status."""
    out = []
    for n, obj in enumerate(copy.deepcopy(objects)):
        meta = obj["metadata"]
        meta.update(uid=f"uid-{n}", resourceVersion=str(n + 1), creationTimestamp="2026-12-04T00:00:00Z")
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
        if obj["kind"] == "ResourceQuota":
            obj["status"] = {"hard": dict(obj["spec"]["hard"]), "used": {"pods": "1"}}
        out.append(obj)
    return out


def bound(objects):
    return {(o["metadata"]["namespace"], o["roleRef"]["name"], s["name"]) for o in objects if o["kind"] == "RoleBinding"
            for s in o.get("subjects") or []}


@given(members, st.sampled_from(["student", "course", "research", "gpu"]), st.booleans())
def test_what_campus_rendered_and_the_server_serves_is_never_drift(people, tier, suspended):
    objects = render(tenant("g-a", people, tier, suspended), CONFIG)
    for desired, observed in zip(objects, served(objects), strict=True):
        assert differences(desired, observed) == []


EDITS = {
    "NetworkPolicy": [lambda o: o["spec"].update(ingress=[{}]), lambda o: o["spec"].update(egress=[{}]),
                      lambda o: o["spec"].update(policyTypes=["Ingress", "Egress"]),
                      lambda o: o["spec"]["ingress"][0]["from"].append({"ipBlock": {"cidr": "0.0.0.0/0"}})],
    "ResourceQuota": [lambda o: o["spec"]["hard"].update(pods="1000"), lambda o: o["spec"]["hard"].pop("pods"),
                      lambda o: o["spec"].update(scopes=["BestEffort"])],
    "LimitRange": [lambda o: o["spec"]["limits"][0]["default"].update(cpu="64")],
    "RoleBinding": [lambda o: o["subjects"].append({"kind": "User", "name": "intruder"}),
                    lambda o: o["roleRef"].update(name="cluster-admin")],
    "Namespace": [lambda o: o["metadata"]["labels"].update({"pod-security.kubernetes.io/enforce": "privileged"}),
                  lambda o: o["metadata"]["labels"].pop("app.kubernetes.io/managed-by")],
}


@given(members.filter(bool), st.data())
def test_any_edit_of_what_campus_owns_is_drift_and_the_replacement_undoes_it(people, data):
    objects = [o for o in render(tenant("g-a", people), CONFIG) if o["kind"] in EDITS]
    desired = data.draw(st.sampled_from(objects))
    observed = served([desired])[0]
    data.draw(st.sampled_from(EDITS[desired["kind"]]))(observed)

    assert differences(desired, observed)
    repaired = replacement(desired, observed)
    assert differences(desired, repaired) == []
    assert repaired["metadata"]["labels"]["kubernetes.io/metadata.name"] == desired["metadata"]["name"]  # theirs stay
    assert repaired["metadata"]["uid"] == observed["metadata"]["uid"]


@settings(max_examples=60)
@given(st.lists(members, min_size=1, max_size=6), st.lists(members, min_size=1, max_size=6), st.booleans())
def test_a_plan_past_the_access_guard_takes_nobody_away_and_adds_everyone(before, after, read_complete):
    names = [f"g-{n}" for n in range(max(len(before), len(after)))]
    old = [o for n, ppl in zip(names, before, strict=False) for o in render(tenant(n, ppl), CONFIG)]
    new = [o for n, ppl in zip(names, after, strict=False) for o in render(tenant(n, ppl), CONFIG)]
    strict = TenancyConfig(max_access_removals=0, max_access_removal_share=0, access_removals_always_allowed=0)

    plan = make_plan(new, served(old), complete=read_complete, config=strict)

    result = {(o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]): o for o in old
              if o["kind"] == "RoleBinding"}
    for action in plan.actions:
        if action.kind == "RoleBinding" and action.verb == "delete":
            result.pop(action.key)
        elif action.kind == "RoleBinding":
            result[action.key] = action.obj
    assert bound(old) <= bound(result.values())  # nobody lost anything on their own
    assert bound(new) <= bound(result.values())  # and every addition is made


@given(members, members)
def test_approved_removals_pass_and_only_those(before, after):
    old, new = render(tenant("g-a", before), CONFIG), render(tenant("g-a", after), CONFIG)
    strict = TenancyConfig(max_access_removals=0, max_access_removal_share=0, access_removals_always_allowed=0)
    first = make_plan(new, served(old), complete=True, config=strict)

    approved = make_plan(new, served(old), complete=True, config=strict,
                         guards=Guards(approved_removals=frozenset(first.held_removals)))

    assert approved.held_removals == []
    assert all(isinstance(r, Removal) for r in first.held_removals)


@given(st.lists(st.tuples(st.sampled_from(["group", "project", "personal"]), st.integers(1, 50),
                          st.sampled_from(["a", "team", "team-1", "Ünïcode", "x" * 70])), max_size=20, unique_by=lambda
                t: (t[0], t[1])),
       st.sets(st.sampled_from(["g-a", "g-team", "g-team-1", "p-team", "u-a", "g-unicode"]), max_size=6))
def test_names_never_land_on_a_namespace_campus_does_not_own(entities, foreign):
    keyed = [(EntityKey(kind, n), path) for kind, n, path in entities]

    names = assign_names(keyed, {}, CONFIG, unavailable=foreign)

    assert not set(names.values()) & foreign
    assert len(set(names.values())) == len(names)
