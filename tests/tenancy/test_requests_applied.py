"""An approved request reaches the cluster at once, through the engine."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tenants.approvals.services import decide_request, submit_namespace_request, submit_quota_request
from tenants.models import ManagedNamespace
from tests.helpers import eventually, subjects

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_approved_namespace_and_an_approved_quota_are_applied(engine, settings):
    settings.CAMPUS_AUTO_APPROVED_NAMESPACES = 1
    student = User.objects.create(username="s0004")
    admin = User.objects.create(username="admin.ops", is_staff=True)

    request = submit_namespace_request(student, name="Robot Lab", purpose="thesis", course="CS 101",
                                       end_date=timezone.localdate() + timedelta(days=20))
    assert request.status == "approved"
    eventually(lambda: subjects(engine, "r-robot-lab") == {"admin": ["s0004"]})

    more = submit_quota_request(student, ManagedNamespace.objects.get(name="r-robot-lab"), tier="research",
                                quota_values={"pods": "60"}, justification="simulations")
    decide_request(more, approve=True, admin=admin, comment="ok")
    eventually(lambda: engine.get("ResourceQuota", "r-robot-lab", "campus-quota")["spec"]["hard"]["pods"] == "60")
    assert engine.get("ResourceQuota", "r-robot-lab", "campus-quota")["spec"]["hard"]["requests.memory"] == "64Gi"
