"""The one contract of campus's namespace signals: once per event, after the commit, durable per receiver."""

import pytest
from django.db import transaction

from tenants.infra.jobs import run_due_jobs
from tenants.models import Job, ManagedNamespace
from tenants.signals import announce, namespace_reactivated, namespace_reclaimed, namespace_suspended

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def receiver(signal, sender, **event):
        events.append((next(n for n, s in SIGNALS if s is signal), event["name"]))

    for _name, signal in SIGNALS:
        signal.connect(receiver)
    yield events
    for _name, signal in SIGNALS:
        signal.disconnect(receiver)


SIGNALS = [("suspended", namespace_suspended), ("reactivated", namespace_reactivated),
           ("reclaimed", namespace_reclaimed)]


def test_a_signal_arrives_after_the_commit_with_what_a_receiver_needs(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            announce(namespace_reclaimed, name="g-a", kind="group", owner="")
            assert heard == []  # not before the commit

    assert heard == [("reclaimed", "g-a")] and Job.objects.get().status == "done"


def test_nothing_is_sent_for_a_change_rolled_back(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                announce(namespace_reclaimed, name="g-a", kind="group", owner="")
                raise RuntimeError("the deletion failed")

    assert heard == [] and not Job.objects.exists()


def test_each_receiver_has_its_own_delivery_and_a_failing_one_does_not_hold_up_the_others(
        heard, django_capture_on_commit_callbacks):
    def broken(sender, **event):
        raise RuntimeError("vault is sealed")
    namespace_reclaimed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            announce(namespace_reclaimed, name="g-a", kind="group", owner="")
        assert heard == [("reclaimed", "g-a")]
        failed = Job.objects.get(status="pending")
        assert "vault is sealed" in failed.last_error and failed.payload["receiver"].endswith("broken")
    finally:
        namespace_reclaimed.disconnect(broken)

    assert run_due_jobs(now=failed.next_attempt_at) == 1  # a receiver gone since: the delivery is dropped, logged
    assert Job.objects.get(pk=failed.pk).status == "done"


def test_suspension_and_reactivation_are_announced_once_each(heard, django_capture_on_commit_callbacks):
    from tenants.lifecycle.stages import _set_stage

    ns = ManagedNamespace.objects.create(name="g-a", kind="group", tier="course")
    with django_capture_on_commit_callbacks(execute=True):
        _set_stage(ns, ManagedNamespace.Stage.SUSPENDED)
        _set_stage(ns, ManagedNamespace.Stage.SUSPENDED)  # a resumed run
        _set_stage(ns, ManagedNamespace.Stage.ACTIVE)

    assert heard == [("suspended", "g-a"), ("reactivated", "g-a")]
