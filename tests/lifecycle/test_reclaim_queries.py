"""Planning a reclamation pass reads everything in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.lifecycle.reclaim import plan
from tenants.models import ExpiryWarning, ManagedNamespace

pytestmark = pytest.mark.django_db


def seed(count: int, start: int) -> None:
    today = timezone.localdate()
    created = ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"g-{i}", kind="group", gitlab_id=i, tier="course", expires_on=today + timedelta(days=i))
        for i in range(start, start + count)])
    ExpiryWarning.objects.bulk_create([ExpiryWarning(namespace=ns, days_before=14, sent_at=timezone.now())
                                       for ns in created])


def test_plan_queries_do_not_grow_with_the_number_of_namespaces(settings):
    settings.CAMPUS_TERMS = "2026-10-01..2027-03-31,2027-04-01..2027-09-30"
    seed(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert len(plan().expiry) == 3  # group namespaces end with the term
    seed(60, 3)
    with CaptureQueriesContext(connection) as many:
        plan()
    assert len(many) == len(few)


def test_a_sign_in_counts_as_activity_for_the_users_own_namespaces(client, django_user_model):
    from django.contrib.auth.signals import user_logged_in

    owner = django_user_model.objects.create(username="s0009")
    ManagedNamespace.objects.create(name="u-s0009", kind="personal", owner=owner, tier="student")
    ManagedNamespace.objects.create(name="g-other", kind="group", gitlab_id=99, tier="course")

    user_logged_in.send(sender=django_user_model, request=None, user=owner)

    assert ManagedNamespace.objects.get(name="u-s0009").last_activity_at is not None
    assert ManagedNamespace.objects.get(name="g-other").last_activity_at is None
