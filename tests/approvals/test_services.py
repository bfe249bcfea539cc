"""Requests through the services and the pages: auto-approval within policy, the admin desk, mail, audit."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenants.approvals.services import decide_request, submit_namespace_request, submit_quota_request
from tenants.models import AuditEntry, ManagedNamespace, Membership, NamespaceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def applied(monkeypatch, settings):
    """What would be applied in the background after the commit (the engine tests prove the applying)."""
    settings.CAMPUS_TERMS = "2026-10-01..2027-03-31,2027-04-01..2027-09-30"
    settings.CAMPUS_AUTO_APPROVED_NAMESPACES = 2
    calls = []
    monkeypatch.setattr("tenants.approvals.services.after_commit",
                        lambda task, *args: calls.append((task.__name__, *args)))
    return calls


@pytest.fixture
def student():
    user = User.objects.create(username="s0001", email="s0001@students.example.edu", first_name="Anna")
    user.groups.add(Group.objects.get_or_create(name="student")[0])
    return user


@pytest.fixture
def admin():
    return User.objects.create(username="admin.ops", is_staff=True, is_superuser=True)


def soon() -> date:
    return timezone.localdate() + timedelta(days=30)


def ask(user, name, **kwargs):
    return submit_namespace_request(user, name=name, purpose=kwargs.get("purpose", "thesis"), course="",
                                    end_date=kwargs.get("end_date", soon()))


def test_the_first_two_namespaces_are_approved_at_once_the_third_waits(student, applied,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = ask(student, "Robots"), ask(student, "vision"), ask(student, "third")

    assert [r.status for r in (first, second, third)] == ["approved", "approved", "pending"]
    assert first.auto_approved and first.namespace.name == "r-robots"
    assert first.namespace.owner == student and first.namespace.tier == "student"
    assert first.namespace.expires_on == soon() == first.namespace.requested_end
    assert [call[0] for call in applied] == ["apply_recorded_namespace"] * 2
    assert [m.subject for m in mail.outbox] == [f"campus: request #{first.pk} approved",
                                                f"campus: request #{second.pk} approved"]
    assert AuditEntry.objects.filter(kind="NamespaceRequest", action="approve", trigger="policy").count() == 2


def test_bad_requests_change_nothing(student):
    with pytest.raises(ValidationError) as error:
        ask(student, "ok-name", purpose="", end_date=timezone.localdate() + timedelta(days=400))
    assert set(error.value.message_dict) == {"purpose", "end_date"}
    ask(student, "taken")
    with pytest.raises(ValidationError, match="already taken"):
        ask(student, "Taken")
    assert NamespaceRequest.objects.count() == 1 and ManagedNamespace.objects.count() == 1


def test_an_admin_approves_or_denies_with_a_comment_and_the_requester_is_mailed(
        student, admin, applied, django_capture_on_commit_callbacks):
    ManagedNamespace.objects.bulk_create([ManagedNamespace(name=f"r-old-{i}", kind="requested", owner=student,
                                                           tier="student") for i in range(2)])
    waiting, other = ask(student, "big-project"), ask(student, "another")
    assert waiting.status == "pending"

    with pytest.raises(ValidationError, match="Say why"):
        decide_request(other, approve=False, admin=admin, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        decide_request(waiting, approve=True, admin=admin, comment="enjoy")
        decide_request(other, approve=False, admin=admin, comment="one at a time")

    waiting.refresh_from_db()
    assert waiting.status == "approved" and waiting.decided_by == admin and not waiting.auto_approved
    assert ManagedNamespace.objects.filter(name="r-big-project", owner=student).exists()
    assert not ManagedNamespace.objects.filter(name="r-another").exists()
    assert "was denied" in mail.outbox[-1].body and "one at a time" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="already approved"):
        decide_request(waiting, approve=False, admin=admin, comment="changed my mind")


def test_quota_requests_come_from_namespace_admins_and_approval_changes_the_record(student, admin, applied):
    team = ManagedNamespace.objects.create(name="g-team", kind="group", gitlab_id=5, tier="course")
    Membership.objects.create(namespace=team, username="s0001", role="edit")
    with pytest.raises(ValidationError, match="owner or admins"):
        submit_quota_request(student, team, tier="research", quota_values={}, justification="training")

    Membership.objects.filter(namespace=team).update(role="admin")
    request = submit_quota_request(student, team, tier="", quota_values={"requests.cpu": "12"},
                                   justification="training")
    assert request.status == "pending"
    decide_request(request, approve=True, admin=admin, comment="")

    team.refresh_from_db()
    assert team.quota_overrides == {"requests.cpu": "12"} and team.tier == "course"
    assert applied[-1][0] == "apply_recorded_namespace" and applied[-1][1] == team


def test_the_pages_show_errors_and_the_desk_is_for_admins(client, student, admin):
    client.force_login(student)
    bad = client.post("/requests/namespace/new", {"name": "x", "purpose": "", "end_date": "not a date"})
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()
    good = client.post("/requests/namespace/new", {"name": "robots", "purpose": "thesis",
                                                   "end_date": soon().isoformat()})
    assert good.status_code == 302
    assert "r-robots" in client.get("/requests/").content.decode()
    assert client.get("/requests/quota/new").status_code == 200  # offers r-robots, which the student owns
    for path in ("/desk/", "/desk/overview", "/desk/audit"):
        assert client.get(path).status_code == 403

    client.force_login(admin)
    ManagedNamespace.objects.bulk_create([ManagedNamespace(name=f"r-more-{i}", kind="requested", owner=student,
                                                           tier="student") for i in range(2)])
    client.force_login(student)
    client.post("/requests/namespace/new", {"name": "queued", "purpose": "x", "end_date": soon().isoformat()})
    queued = NamespaceRequest.objects.get(name="r-queued")
    client.force_login(admin)
    assert "r-queued" in client.get("/desk/").content.decode()
    client.post(f"/desk/requests/{queued.pk}/decide", {"decision": "approve", "comment": ""})
    queued.refresh_from_db()
    assert queued.status == "approved"
    assert client.get("/desk/overview").status_code == 200
    audit = client.get("/desk/audit", {"action": "approve"}).content.decode()
    assert "NamespaceRequest" in audit and "admin:admin.ops" in audit


def test_the_overview_lists_expiring_suspended_and_archived_namespaces(client, admin):
    today = timezone.localdate()
    ManagedNamespace.objects.create(name="g-soon", kind="group", gitlab_id=1, tier="course",
                                    expires_on=today + timedelta(days=3))
    ManagedNamespace.objects.create(name="g-later", kind="group", gitlab_id=2, tier="course",
                                    expires_on=today + timedelta(days=90))
    ManagedNamespace.objects.create(name="g-asleep", kind="group", gitlab_id=3, tier="course", stage="suspended")
    client.force_login(admin)

    page = client.get("/desk/overview").content.decode()

    assert "Expiring within 14 days (1)" in page and "g-soon" in page and "g-later" not in page
    assert "Suspended (1)" in page and "g-asleep" in page and "Archived (0)" in page
