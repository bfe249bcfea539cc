"""Admins change a namespace's tier or single quota values in the Django admin; bad values are refused."""

import pytest

from tenants.admin import ManagedNamespaceForm
from tenants.models import ManagedNamespace

pytestmark = pytest.mark.django_db


def form_for(namespace, **changes):
    data = {"name": namespace.name, "kind": namespace.kind, "tier": namespace.tier, "quota_overrides": "{}",
            "stage": namespace.stage, "extensions_used": 0, "suspended_state": "{}", **changes}
    return ManagedNamespaceForm(data, instance=namespace)


@pytest.fixture
def namespace():
    return ManagedNamespace.objects.create(name="g-courses-cs101", kind="group", gitlab_id=7, tier="course")


def test_a_known_tier_and_valid_overrides_are_saved(namespace):
    form = form_for(namespace, tier="gpu", quota_overrides='{"requests.cpu": "8", "limits.memory": "64Gi"}')
    assert form.is_valid(), form.errors
    form.save()
    namespace.refresh_from_db()
    assert (namespace.tier, namespace.quota_overrides) == ("gpu", {"requests.cpu": "8", "limits.memory": "64Gi"})


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"tier": "platinum"}, "tier", "unknown tier 'platinum'"),
    ({"quota_overrides": '{"requests.cpu": "lots"}'}, "quota_overrides", "requests.cpu"),
    ({"quota_overrides": '{"bitcoin": "1"}'}, "quota_overrides", "not a quota or limit campus manages"),
    ({"quota_overrides": '{"requests.cpu": 4}'}, "quota_overrides", "JSON object of quantities"),
])
def test_bad_values_are_refused_and_nothing_changes(namespace, changes, field, message):
    form = form_for(namespace, **changes)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    namespace.refresh_from_db()
    assert (namespace.tier, namespace.quota_overrides) == ("course", {})
