"""Full resyncs against the GitLab and Kubernetes stand-ins."""

import pytest
from django.core.management import call_command

from tenants.models import AuditEntry, HeldPlan, ManagedNamespace, Membership
from tenants.signals import namespace_reclaimed
from tenants.tenancy.reconcile import full_sync
from tests.helpers import managed_namespaces, subjects, wait_until_gone

pytestmark = pytest.mark.django_db
TEAM, COURSE, ROBOT = "g-courses-cs101-team-1", "g-courses-cs101", "p-courses-cs101-team-1-robot"


def test_cold_sync_creates_namespaces_with_everything_in_them(engine):
    result = full_sync()

    assert result.failures == [] and result.applied == len(result.plan.actions)
    assert managed_namespaces(engine) == {COURSE, TEAM, ROBOT}
    assert subjects(engine, COURSE) == {"admin": ["prof.lang"], "view": ["s0001"]}
    assert subjects(engine, TEAM) == {"admin": ["prof.lang"], "edit": ["s0001", "s0002"]}  # inherited, highest wins
    assert subjects(engine, ROBOT) == {"admin": ["prof.lang", "s0003"], "edit": ["s0001", "s0002"]}
    team = engine.get("Namespace", "", TEAM)
    assert team["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert team["metadata"]["annotations"]["campus.example/path"] == "courses/cs101/team-1"
    quota = engine.get("ResourceQuota", TEAM, "campus-quota")
    assert quota["spec"]["hard"]["requests.memory"] == "16Gi"
    assert engine.get("LimitRange", TEAM, "campus-limits")["spec"]["limits"][0]["default"]["cpu"] == "500m"
    assert engine.get("NetworkPolicy", TEAM, "campus-isolation")["spec"]["policyTypes"] == ["Ingress"]
    assert AuditEntry.objects.filter(action="create").count() == result.applied


def test_a_second_sync_changes_nothing(engine):
    full_sync()
    again = full_sync()
    assert again.plan.actions == [] and again.applied == 0


def test_a_tenants_own_rolebinding_survives(engine):
    full_sync()
    engine.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                  "metadata": {"name": "my-ci", "namespace": TEAM},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                  "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": TEAM}]})

    full_sync()

    assert engine.get("RoleBinding", TEAM, "my-ci") is not None


def test_rename_and_transfer_keep_the_namespace(engine, gitlab):
    full_sync()
    uid = engine.get("Namespace", "", TEAM)["metadata"]["uid"]
    gitlab.rename_group("courses/cs101/team-1", path="robots-team")
    gitlab.create_group("CS 102", "cs102", parent="courses")
    gitlab.transfer_project("courses/cs101/robots-team/robot", "courses/cs102")

    result = full_sync()

    namespace_actions = {(a.verb, a.name) for a in result.plan.actions if a.kind == "Namespace"}
    assert namespace_actions == {("update", TEAM), ("update", ROBOT), ("create", "g-courses-cs102")}
    assert managed_namespaces(engine) == {COURSE, TEAM, ROBOT, "g-courses-cs102"}
    assert subjects(engine, ROBOT) == {"admin": ["s0003"]}  # no longer inherits from cs101
    renamed = engine.get("Namespace", "", TEAM)
    assert renamed["metadata"]["uid"] == uid
    assert renamed["metadata"]["annotations"]["campus.example/path"] == "courses/cs101/robots-team"
    assert ManagedNamespace.objects.get(name=ROBOT).gitlab_path == "courses/cs102/robot"


def test_level_changes_blocked_users_and_removals_follow_gitlab(engine, gitlab):
    full_sync()
    gitlab.update_member("courses/cs101/team-1", "s0002", 40)
    gitlab.block_user("s0001")

    full_sync()

    assert subjects(engine, TEAM) == {"admin": ["prof.lang", "s0002"]}
    assert subjects(engine, COURSE) == {"admin": ["prof.lang"]}


@pytest.mark.parametrize("fault", ["errors", "truncated"])
def test_a_failing_or_partial_gitlab_deletes_nothing(engine, gitlab, fault):
    full_sync()
    gitlab.delete_project("courses/cs101/team-1/robot")
    if fault == "errors":
        gitlab.faults.error_rate, gitlab.faults.only_paths = 1.0, r"members/all"
    else:
        for n in range(101):  # more than one page of 100
            gitlab.create_group(f"Extra {n}", f"extra-{n}", parent="courses")
        gitlab.faults.truncate_after_pages = 1

    result = full_sync()

    assert result.plan.count("delete") == 0 and result.plan.skipped_deletions > 0
    assert ROBOT in managed_namespaces(engine)


def test_a_complete_read_deletes_what_gitlab_deleted(engine, gitlab, django_capture_on_commit_callbacks):
    full_sync()
    gitlab.delete_project("courses/cs101/team-1/robot")
    released = []

    def release(sender, name, kind, owner, **kwargs):
        released.append((name, kind))

    namespace_reclaimed.connect(release)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # other capabilities hear of it after the commit
            result = full_sync()
    finally:
        namespace_reclaimed.disconnect(release)

    assert [(a.verb, a.kind, a.name) for a in result.plan.actions] == [("delete", "Namespace", ROBOT)]
    assert ROBOT not in wait_until_gone(engine, {ROBOT})
    assert not ManagedNamespace.objects.filter(name=ROBOT).exists()
    assert released == [(ROBOT, "project")]  # what other capabilities hold for it is released


def test_mass_deletion_is_held_until_an_admin_approves(engine, gitlab, settings):
    settings.CAMPUS_MAX_NAMESPACE_DELETIONS = 1
    full_sync()
    gitlab.delete_group("courses/cs101")  # the course, its team and its project

    result = full_sync()

    assert result.held_plan and sorted(result.held_plan.namespaces) == sorted([COURSE, TEAM, ROBOT])
    assert managed_namespaces(engine) == {COURSE, TEAM, ROBOT}
    call_command("sync", approve_held=result.held_plan.pk)
    assert wait_until_gone(engine, {COURSE, TEAM, ROBOT}) == set()
    assert HeldPlan.objects.get().status == "approved"


def test_plan_prints_and_changes_nothing(engine, capsys):
    call_command("sync", plan=True)

    out = capsys.readouterr().out
    assert f"create Namespace      {TEAM}" in out and "plan: " in out and "nothing was changed" in out
    assert managed_namespaces(engine) == set() and not ManagedNamespace.objects.exists()


def test_converges_despite_kubernetes_faults_without_duplicates(engine, kube_cluster):
    kube_cluster.server.faults.seed(11)
    kube_cluster.server.faults.set("*", error_rate=0.10, status=503)
    passes = 0
    while passes < 3:
        passes += 1
        if not full_sync().failures:
            break
    kube_cluster.server.faults.clear()

    assert full_sync().plan.actions == []
    assert managed_namespaces(engine) == {COURSE, TEAM, ROBOT}
    assert sorted(subjects(engine, TEAM)) == ["admin", "edit"]


def test_memberships_are_recorded_for_the_portal_and_follow_gitlab(engine, gitlab):
    full_sync()
    team = ManagedNamespace.objects.get(name=TEAM)
    assert set(team.memberships.values_list("username", "role")) == {
        ("prof.lang", "admin"), ("s0001", "edit"), ("s0002", "edit")}

    gitlab.remove_member("courses/cs101/team-1", "s0002")
    full_sync()

    assert set(team.memberships.values_list("username", "role")) == {("prof.lang", "admin"), ("s0001", "edit")}
    assert Membership.objects.filter(username="s0003").count() == 1  # robot only
