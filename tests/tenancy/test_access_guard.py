"""A GitLab answer that is short, failed or implausibly empty never takes anyone's access away on its own."""

import pytest
from django.core.management import CommandError, call_command

from tenants.models import HeldPlan, Membership
from tenants.tenancy.held import decide_held_plan
from tenants.tenancy.reconcile import full_sync
from tests.helpers import subjects

pytestmark = pytest.mark.django_db
TEAM, COURSE, ROBOT = "g-courses-cs101-team-1", "g-courses-cs101", "p-courses-cs101-team-1-robot"
EVERYONE = {COURSE: {"admin": ["prof.lang"], "view": ["s0001"]},
            TEAM: {"admin": ["prof.lang"], "edit": ["s0001", "s0002"]},
            ROBOT: {"admin": ["prof.lang", "s0003"], "edit": ["s0001", "s0002"]}}


def bindings(engine):
    return {ns: subjects(engine, ns) for ns in (COURSE, TEAM, ROBOT)}


def team_id(gitlab):
    return gitlab.model.group("courses/cs101/team-1").id


def test_a_failing_member_list_keeps_everyone_and_still_adds(engine, gitlab):
    full_sync()
    gitlab.remove_member("courses/cs101/team-1", "s0002")  # would cost s0002 edit in TEAM and ROBOT
    gitlab.update_member("courses/cs101/team-1", "s0001", 20)  # and lower s0001 there
    gitlab.add_member("courses/cs101", "s0004", 20)  # inherited by every namespace below
    gitlab.faults.error_rate, gitlab.faults.only_paths = 1.0, rf"^/groups/{team_id(gitlab)}/members/all"

    result = full_sync()

    assert result.incomplete and result.plan.skipped_deletions
    team = subjects(engine, TEAM)
    assert team["edit"] == ["s0001", "s0002"]  # TEAM could not be read: nobody there loses anything
    assert subjects(engine, COURSE)["view"] == ["s0001", "s0004"]  # additions elsewhere still apply
    # ROBOT was read completely: its additions apply; its emptied edit binding waits (no deletion on a partial read)
    assert subjects(engine, ROBOT) == {"admin": ["prof.lang", "s0003"], "edit": ["s0001", "s0002"],
                                       "view": ["s0001", "s0004"]}
    assert set(Membership.objects.filter(namespace__name=TEAM).values_list("username", flat=True)) >= {"s0002"}


def test_a_member_list_cut_short_mid_pagination_removes_nobody(engine, gitlab):
    for n in range(150):
        gitlab.create_user(f"t{n:03}")
        gitlab.add_member("courses/cs101/team-1", f"t{n:03}", 30)
    full_sync()
    assert len(subjects(engine, TEAM)["edit"]) == 152
    gitlab.faults.truncate_after_pages, gitlab.faults.only_paths = 1, r"members/all"

    result = full_sync()

    assert result.incomplete and not [a for a in result.plan.actions if a.kind == "RoleBinding"]
    assert len(subjects(engine, TEAM)["edit"]) == 152 and len(subjects(engine, ROBOT)["edit"]) == 152


def test_empty_member_lists_everywhere_are_held_for_an_admin(engine, gitlab):
    full_sync()
    gitlab.faults.empty_lists, gitlab.faults.only_paths = True, r"members/all"

    result = full_sync()

    assert bindings(engine) == EVERYONE  # nobody lost anything
    held = result.held_access
    assert held.step == "remove_access" and len(held.removals) == 9
    assert {"namespace": TEAM, "role": "edit", "subject": "s0002"} in held.removals
    assert "access removals exceed the limit" in held.reason
    assert full_sync().held_access == held  # the next resync finds the same plan waiting, not a new one


def test_the_desk_shows_who_would_lose_what_and_approving_applies_exactly_that(engine, gitlab, admin_client):
    full_sync()
    gitlab.faults.empty_lists, gitlab.faults.only_paths = True, r"members/all"
    held = full_sync().held_access

    page = admin_client.get("/desk/overview").content.decode()
    assert f"s0002 loses <code>edit</code> in {TEAM}" in page

    response = admin_client.post(f"/desk/held/{held.pk}/decide", {"decision": "approve"})

    assert response.status_code == 302
    assert bindings(engine) == {COURSE: {}, TEAM: {}, ROBOT: {}}  # what the admin approved, GitLab still says []
    assert HeldPlan.objects.get(pk=held.pk).status == "approved"


def test_discarding_keeps_access_and_a_healthy_gitlab_then_changes_nothing(engine, gitlab):
    full_sync()
    gitlab.faults.empty_lists, gitlab.faults.only_paths = True, r"members/all"
    held = full_sync().held_access
    decide_held_plan(held, approve=False, admin=None)
    gitlab.faults.empty_lists = False

    again = full_sync()

    assert again.plan.actions == [] and again.held_access is None and bindings(engine) == EVERYONE


def test_a_few_removals_pass_the_guard(engine, gitlab):
    full_sync()
    gitlab.remove_member("courses/cs101/team-1", "s0002")

    result = full_sync()

    assert result.held_access is None and "s0002" not in str(subjects(engine, TEAM))


def test_manage_sync_fails_when_the_gitlab_read_was_incomplete(engine, gitlab, capsys):
    full_sync()
    gitlab.faults.error_rate, gitlab.faults.only_paths = 1.0, r"members/all"

    with pytest.raises(CommandError, match="GitLab read was incomplete"):
        call_command("sync")

    assert "not read from GitLab: group" in capsys.readouterr().err
    assert bindings(engine) == EVERYONE


def test_manage_sync_fails_through_a_total_gitlab_outage(engine, gitlab):
    full_sync()
    gitlab.faults.error_rate = 1.0

    with pytest.raises(CommandError, match="incomplete"):
        call_command("sync")

    assert bindings(engine) == EVERYONE


@pytest.mark.parametrize(("paths", "fault"), [
    (r"members/all", {"latency_seconds": 1.0}),  # slower than the client's timeout
    (r"descendant_groups", {"error_rate": 1.0}),  # subgroups unknown: their namespaces look unwanted
    (r"/projects", {"error_rate": 1.0, "error_status": 502}),  # a gateway page
    (r"members/all", {"error_rate": 1.0, "error_status": 429}),
    (r"^/groups/courses$", {"error_rate": 1.0, "error_status": 503}),  # the root itself
    (r"members/all", {"truncate_after_pages": 0}),  # not even a first page
])
def test_no_kind_of_partial_answer_deletes_or_strips(engine, gitlab, settings, paths, fault):
    full_sync()
    settings.CAMPUS_GITLAB_TIMEOUT_SECONDS = 0.5
    gitlab.faults.only_paths = paths
    for name, value in fault.items():
        setattr(gitlab.faults, name, value)

    result = full_sync()

    assert result.incomplete and bindings(engine) == EVERYONE
    assert not [a for a in result.plan.actions if a.verb == "delete"] and result.held_access is None
