"""GitLab system hooks end to end: the GitLab stand-in delivers to a live campus, which stores each event,
answers, and reconciles the entity it names in the background."""

import json

import pytest

from tenants.models import GitLabEvent
from tenants.tenancy.events import process_due_events
from tenants.tenancy.hooks import handle_event
from tenants.tenancy.reconcile import full_sync
from tests.helpers import eventually, managed_namespaces, subjects, wait_until_gone

TEAM, ROBOT = "g-courses-cs101-team-1", "p-courses-cs101-team-1-robot"


@pytest.fixture
def hooked(engine, gitlab, live_server):
    """A synced cluster whose GitLab delivers system hooks to the live campus."""
    full_sync()
    gitlab.add_system_hook(f"{live_server.url}/gitlab/hook", "hook-secret")
    return engine


pytestmark = pytest.mark.django_db(transaction=True)


def test_member_events_change_rolebindings_within_moments(hooked, gitlab):
    gitlab.add_member("courses/cs101/team-1", "s0004", 30)
    eventually(lambda: "s0004" in subjects(hooked, TEAM).get("edit", []))

    gitlab.update_member("courses/cs101/team-1", "s0004", 40)
    eventually(lambda: "s0004" in subjects(hooked, TEAM).get("admin", []))

    gitlab.remove_member("courses/cs101/team-1", "s0004")
    eventually(lambda: "s0004" not in str(subjects(hooked, TEAM)))

    gitlab.add_member("courses/cs101/team-1/robot", "s0004", 20, kind="project")  # user_add_to_team
    eventually(lambda: subjects(hooked, ROBOT).get("view") == ["s0004"])
    eventually(lambda: not GitLabEvent.objects.exclude(status="done").exists())  # marked done after applying


def test_group_and_project_lifecycle_events(hooked, gitlab):
    gitlab.create_group("Team 2", "team-2", parent="courses/cs101")
    eventually(lambda: "g-courses-cs101-team-2" in managed_namespaces(hooked))

    gitlab.create_project("Drone", "courses/cs101/team-2", path="drone")
    eventually(lambda: "p-courses-cs101-team-2-drone" in managed_namespaces(hooked))

    gitlab.rename_project("courses/cs101/team-2/drone", path="quadcopter")
    eventually(lambda: hooked.get("Namespace", "", "p-courses-cs101-team-2-drone")["metadata"]["annotations"]
               ["campus.example/path"] == "courses/cs101/team-2/quadcopter")

    gitlab.rename_group("courses/cs101/team-2", path="team-two")
    eventually(lambda: hooked.get("Namespace", "", "g-courses-cs101-team-2")["metadata"]["annotations"]
               ["campus.example/path"] == "courses/cs101/team-two")

    gitlab.delete_project("courses/cs101/team-two/quadcopter")
    eventually(lambda: "p-courses-cs101-team-2-drone" not in wait_until_gone(hooked, {"p-courses-cs101-team-2-drone"}))

    gitlab.delete_group("courses/cs101/team-two")
    eventually(lambda: "g-courses-cs101-team-2" not in wait_until_gone(hooked, {"g-courses-cs101-team-2"}))
    assert TEAM in managed_namespaces(hooked)


def test_duplicated_and_reordered_deliveries_converge(hooked, gitlab):
    gitlab.hooks.switches.duplicate_rate = 1.0
    gitlab.hooks.switches.reorder_window = 3
    gitlab.add_member("courses/cs101/team-1", "s0004", 30)
    gitlab.update_member("courses/cs101/team-1", "s0004", 40)
    gitlab.add_member("courses/cs101/team-1", "s0003", 20)
    gitlab.hooks.wait_idle()

    eventually(lambda: subjects(hooked, TEAM) == {"admin": ["prof.lang", "s0004"], "edit": ["s0001", "s0002"],
                                                  "view": ["s0003"]})


def test_a_lost_delivery_is_repaired_by_the_resync(hooked, gitlab):
    gitlab.hooks.switches.drop_next = 1
    gitlab.add_member("courses/cs101/team-1", "s0004", 30)
    gitlab.hooks.wait_idle()
    assert "s0004" not in str(subjects(hooked, TEAM))

    full_sync()

    assert "s0004" in subjects(hooked, TEAM)["edit"]


def test_a_failed_event_is_retried_until_it_succeeds(hooked, gitlab):
    gitlab.faults.error_rate, gitlab.faults.only_paths = 1.0, r"members/all"
    gitlab.add_member("courses/cs101/team-1", "s0004", 30)
    event = eventually(lambda: GitLabEvent.objects.filter(event_name="user_add_to_group", attempts__gte=1).first())
    event = eventually(lambda: GitLabEvent.objects.filter(pk=event.pk, attempts__gte=1).exclude(last_error="").first())
    assert event.status == "pending" and "incomplete" in event.last_error and event.next_attempt_at

    gitlab.faults.error_rate = 0.0
    processed = process_due_events(handle_event, now=event.next_attempt_at)

    assert processed == 1 and GitLabEvent.objects.get(pk=event.pk).status == "done"
    assert "s0004" in subjects(hooked, TEAM)["edit"]


@pytest.mark.parametrize(("headers", "body", "status", "error"), [
    ({"HTTP_X_GITLAB_TOKEN": "wrong", "HTTP_X_GITLAB_EVENT": "System Hook"}, {"event_name": "group_create"}, 401,
     "X-Gitlab-Token"),
    ({"HTTP_X_GITLAB_TOKEN": "hook-secret", "HTTP_X_GITLAB_EVENT": "Push Hook"}, {"event_name": "push"}, 400,
     "system hooks"),
    ({"HTTP_X_GITLAB_TOKEN": "hook-secret", "HTTP_X_GITLAB_EVENT": "System Hook"}, "not json", 400, "not JSON"),
    ({"HTTP_X_GITLAB_TOKEN": "hook-secret", "HTTP_X_GITLAB_EVENT": "System Hook"}, {"event_name": "repository_update"},
     400, "unsupported event_name"),
    ({"HTTP_X_GITLAB_TOKEN": "hook-secret", "HTTP_X_GITLAB_EVENT": "System Hook"},
     {"event_name": "user_add_to_group", "group_id": 5}, 400, "positive integer user_id"),
    ({"HTTP_X_GITLAB_TOKEN": "hook-secret", "HTTP_X_GITLAB_EVENT": "System Hook"},
     {"event_name": "group_create", "group_id": "5"}, 400, "positive integer group_id"),
])
def test_bad_deliveries_get_a_clear_error_and_store_nothing(client, engine, headers, body, status, error):
    data = body if isinstance(body, str) else json.dumps(body)

    response = client.post("/gitlab/hook", data, content_type="application/json", **headers)

    assert response.status_code == status and error in response.json()["error"]
    assert not GitLabEvent.objects.exists()
