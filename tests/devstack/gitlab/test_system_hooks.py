"""System hooks, received by a real HTTP endpoint: headers, payloads, order, and the delivery switches."""

import threading
import uuid

import gitlab
import pytest
import requests

from tests.devstack.gitlab.conftest import ADMIN_TOKEN

HOOK_TOKEN = "hook-secret"
DEVELOPER, MAINTAINER = 30, 40


@pytest.fixture
def hooked(server, gl, receiver):
    """A server with one system hook (registered through python-gitlab) pointing at the receiver."""
    gl.hooks.create({"url": receiver.url, "token": HOOK_TOKEN})
    server.create_user("anna", "Anna Meyer")
    server.create_group("CS 101", "cs101")
    server.hooks.wait_idle()
    receiver.received.clear()
    server.hooks.clear_attempts()
    return server


def test_every_delivery_carries_the_system_hook_headers(hooked, receiver):
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.hooks.wait_idle()
    ((headers, body),) = receiver.received
    assert headers["X-Gitlab-Event"] == "System Hook"
    assert headers["X-Gitlab-Token"] == HOOK_TOKEN
    assert headers["Content-Type"] == "application/json"
    assert uuid.UUID(headers["X-Gitlab-Event-UUID"]) and uuid.UUID(headers["Idempotency-Key"])
    assert body["event_name"] == "group_create"
    assert (body["name"], body["path"], body["full_path"]) == ("Team 1", "team-1", "cs101/team-1")


def test_group_and_project_lifecycle_events_in_order(hooked, receiver):
    hooked.create_group("Team 1", "team-1", parent="cs101")
    project = hooked.create_project("App", "cs101/team-1", path="app")
    hooked.rename_project(project.id, name="Application")
    hooked.rename_project(project.id, path="application")
    hooked.rename_group("cs101/team-1", path="team-one")
    hooked.delete_group("cs101")
    hooked.hooks.wait_idle()
    assert receiver.events() == ["group_create", "project_create", "project_update", "project_rename",
                                 "group_rename", "project_destroy", "group_destroy", "group_destroy"]
    _, rename = receiver.last("project_rename")
    assert (rename["path_with_namespace"], rename["old_path_with_namespace"]) == \
        ("cs101/team-1/application", "cs101/team-1/app")
    assert rename["project_id"] == project.id and rename["project_visibility"] == "private"
    _, group_rename = receiver.last("group_rename")
    assert (group_rename["path"], group_rename["full_path"]) == ("team-one", "cs101/team-one")
    assert (group_rename["old_path"], group_rename["old_full_path"]) == ("team-1", "cs101/team-1")
    _, destroyed = receiver.last("project_destroy")
    assert destroyed["path_with_namespace"] == "cs101/team-one/application"


def test_project_transfer_names_the_old_path(hooked, receiver):
    hooked.create_group("ML 201", "ml201")
    project = hooked.create_project("App", "cs101", path="app")
    hooked.transfer_project(project.id, "ml201")
    hooked.hooks.wait_idle()
    _, transfer = receiver.last("project_transfer")
    assert (transfer["path_with_namespace"], transfer["old_path_with_namespace"]) == ("ml201/app", "cs101/app")


def test_group_transfer_sends_no_hook_as_in_gitlab(hooked, receiver):
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.hooks.wait_idle()
    receiver.received.clear()
    hooked.transfer_group("cs101/team-1", None)
    hooked.hooks.wait_idle()
    assert receiver.received == []


def test_group_member_events_name_the_access_level(hooked, receiver):
    hooked.add_member("cs101", "anna", DEVELOPER, expires_at="2030-09-30")
    hooked.update_member("cs101", "anna", MAINTAINER)
    hooked.remove_member("cs101", "anna")
    hooked.hooks.wait_idle()
    assert receiver.events() == ["user_add_to_group", "user_update_for_group", "user_remove_from_group"]
    _, added = receiver.received[0]
    assert (added["group_path"], added["group_name"], added["user_username"], added["user_name"]) == \
        ("cs101", "CS 101", "anna", "Anna Meyer")
    assert (added["group_access"], added["expires_at"]) == ("Developer", "2030-09-30")
    assert added["user_id"] == hooked.model.user_by_username("anna").id
    assert added["group_id"] == hooked.model.group("cs101").id
    assert receiver.received[1][1]["group_access"] == "Maintainer"


def test_project_member_events_are_team_events(hooked, receiver):
    project = hooked.create_project("App", "cs101", path="app")
    hooked.add_member(project.id, "anna", DEVELOPER, kind="project")
    hooked.update_member(project.id, "anna", MAINTAINER, kind="project")
    hooked.remove_member(project.id, "anna", kind="project")
    hooked.hooks.wait_idle()
    assert receiver.events() == ["project_create", "user_add_to_team", "user_update_for_team",
                                 "user_remove_from_team"]
    _, added = receiver.last("user_add_to_team")
    assert (added["project_path_with_namespace"], added["project_id"], added["access_level"]) == \
        ("cs101/app", project.id, "Developer")


def test_user_events(hooked, receiver):
    hooked.create_user("ben", "Ben Schulz")
    hooked.rename_user("ben", "ben.schulz")
    hooked.block_user("ben.schulz")  # GitLab has no system hook for blocking
    hooked.delete_user("ben.schulz")
    hooked.hooks.wait_idle()
    assert receiver.events() == ["user_create", "user_rename", "user_destroy"]
    _, renamed = receiver.last("user_rename")
    assert (renamed["username"], renamed["old_username"]) == ("ben.schulz", "ben")


def test_changes_through_the_api_send_hooks_too(hooked, gl, receiver):
    group = gl.groups.get("cs101")
    group.path = "cs-101"
    group.save()
    hooked.hooks.wait_idle()
    assert receiver.events() == ["group_rename"]


def test_dropped_deliveries_are_recorded_but_not_sent(hooked, receiver):
    hooked.hooks.switches.drop_next = 1
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.create_group("Team 2", "team-2", parent="cs101")
    hooked.hooks.wait_idle()
    assert [body["path"] for _, body in receiver.received] == ["team-2"]
    assert [(a.payload["path"], a.outcome) for a in hooked.hooks.attempts()] == \
        [("team-1", "dropped"), ("team-2", "delivered")]


def test_duplicated_deliveries_repeat_the_idempotency_key(hooked, receiver):
    hooked.hooks.switches.duplicate_next = 1
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.hooks.wait_idle()
    (first, _), (second, _) = receiver.received
    assert first["Idempotency-Key"] == second["Idempotency-Key"]
    assert [a.duplicate for a in hooked.hooks.attempts()] == [False, True]


def test_reordered_deliveries_arrive_newest_first(hooked, receiver):
    hooked.hooks.switches.reorder_window = 3
    for number in (1, 2, 3):
        hooked.create_group(f"Team {number}", f"team-{number}", parent="cs101")
    hooked.hooks.wait_idle()
    assert [body["path"] for _, body in receiver.received] == ["team-3", "team-2", "team-1"]


def test_rates_drop_and_duplicate_some_deliveries_repeatably(hooked, receiver):
    hooked.hooks.switches.drop_rate = 0.3
    hooked.hooks.switches.duplicate_rate = 0.3
    for number in range(20):
        hooked.create_group(f"Team {number}", f"team-{number}", parent="cs101")
    hooked.hooks.wait_idle()
    outcomes = [a.outcome for a in hooked.hooks.attempts()]
    assert "dropped" in outcomes and any(a.duplicate for a in hooked.hooks.attempts())
    assert len(receiver.received) == outcomes.count("delivered")


def test_a_failing_endpoint_is_not_retried(hooked, receiver):
    receiver.status = 500
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.hooks.wait_idle()
    (attempt,) = hooked.hooks.attempts()
    assert (attempt.outcome, attempt.status) == ("failed", 500)
    assert len(receiver.received) == 1


def test_an_unreachable_endpoint_is_recorded_as_failed(server, gl):
    gl.hooks.create({"url": "http://127.0.0.1:9/nobody-listens"})
    server.create_group("CS 101", "cs101")
    server.hooks.wait_idle()
    (attempt,) = server.hooks.attempts()
    assert attempt.outcome == "failed" and attempt.status is None and attempt.error


def test_hooks_are_listed_without_their_token_and_deleted(hooked, gl, receiver):
    (hook,) = gl.hooks.list()
    assert hook.url == receiver.url
    assert "token" not in hook.attributes
    hook.delete()
    hooked.create_group("Team 1", "team-1", parent="cs101")
    hooked.hooks.wait_idle()
    assert gl.hooks.list() == [] and receiver.received == []


def test_a_hook_is_read_back_and_tested_through_the_api(hooked, gl, receiver):
    (listed,) = gl.hooks.list()
    assert gl.hooks.get(listed.id).url == receiver.url
    answer = requests.post(f"{hooked.url}/api/v4/hooks/{listed.id}", headers={"PRIVATE-TOKEN": ADMIN_TOKEN})
    hooked.hooks.wait_idle()
    assert answer.status_code == 201
    assert receiver.events() == ["project_create"]  # GitLab's sample payload


def test_concurrent_changes_are_all_applied_and_each_sends_one_hook(hooked, receiver):
    def create_teams(worker: int):
        client = gitlab.Gitlab(hooked.url, private_token=ADMIN_TOKEN)
        parent = client.groups.get("cs101")
        for number in range(10):
            client.groups.create({"name": f"T{worker}-{number}", "path": f"t{worker}-{number}",
                                  "parent_id": parent.id})

    workers = [threading.Thread(target=create_teams, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    hooked.hooks.wait_idle()
    assert len(hooked.model.subgroups(hooked.model.group("cs101"))) == 40
    created = [body["full_path"] for _, body in receiver.received if body["event_name"] == "group_create"]
    assert sorted(created) == sorted(f"cs101/t{w}-{n}" for w in range(4) for n in range(10))
    assert receiver.events().count("user_add_to_group") == 40  # the creator becomes owner of each
