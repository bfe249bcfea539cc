"""A hook's reconcile runs outside any database transaction: what it applied to the cluster stays recorded when a
later step fails, and the event is retried."""

import pytest

from tenants.models import AuditEntry, GitLabEvent
from tenants.tenancy.events import process_event
from tenants.tenancy.hooks import handle_event
from tenants.tenancy.reconcile import full_sync
from tests.helpers import subjects

pytestmark = pytest.mark.django_db
TEAM = "g-courses-cs101-team-1"


def member_event(gitlab, username):
    group = gitlab.model.group("courses/cs101/team-1")
    return GitLabEvent.objects.create(event_name="user_add_to_group", payload={
        "event_name": "user_add_to_group", "group_id": group.id, "user_id": gitlab.model.user_by_username(username).id})


def test_changes_applied_before_a_failure_stay_audited_and_the_event_is_retried(engine, gitlab, kube_cluster):
    full_sync()
    gitlab.update_member("courses/cs101/team-1", "s0002", 40)  # campus-admin and campus-edit change (PUT)
    gitlab.add_member("courses/cs101/team-1", "s0004", 20)  # campus-view is new (POST), and will fail
    kube_cluster.server.faults.set("create", error_rate=1.0, status=500)
    event = member_event(gitlab, "s0004")

    assert process_event(event.pk, handle_event)

    event.refresh_from_db()
    assert event.status == "pending" and event.next_attempt_at and "failed" in event.last_error
    assert subjects(engine, TEAM)["admin"] == ["prof.lang", "s0002"]  # applied to the cluster …
    trigger = f"webhook:{event.pk}"
    assert AuditEntry.objects.filter(trigger=trigger, action="update", name="campus-admin").exists()  # … and kept
    assert AuditEntry.objects.filter(trigger=trigger, action="error", name="campus-view").exists()

    kube_cluster.server.faults.clear()
    assert process_event(event.pk, handle_event, now=event.next_attempt_at)
    assert GitLabEvent.objects.get(pk=event.pk).status == "done" and subjects(engine, TEAM)["view"] == ["s0004"]


def test_a_claimed_event_is_not_processed_twice(engine, gitlab):
    full_sync()
    event = member_event(gitlab, "s0001")
    calls = []

    def slow_handler(claimed):
        calls.append(claimed.pk)
        assert not process_event(claimed.pk, handle_event)  # another worker finds it leased

    assert process_event(event.pk, slow_handler) and calls == [event.pk]
