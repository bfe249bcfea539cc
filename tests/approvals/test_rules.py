"""The request rules, as pure functions."""

from datetime import date

import pytest

from tenants.approvals.rules import auto_approved, namespace_request_errors, quota_request_errors
from tenants.engine.config import TenancyConfig

CONFIG = TenancyConfig()
TODAY, SEMESTER_END = date(2026, 11, 22), date(2027, 3, 31)


def errors(name="Thesis Robots", purpose="my thesis", end=date(2027, 2, 1), taken=()):
    return namespace_request_errors(name, purpose, end, taken=set(taken), today=TODAY, latest_end=SEMESTER_END,
                                    config=CONFIG)


def test_a_good_request_has_no_errors():
    assert errors() == {}


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"name": "!!!"}, "name", "letters, digits and dashes"),
    ({"name": "x" * 70}, "name", "too long"),
    ({"name": "thesis-robots", "taken": {"r-thesis-robots"}}, "name", "already taken"),
    ({"purpose": "  "}, "purpose", "what the namespace is for"),
    ({"end": None}, "end_date", "Give the date"),
    ({"end": TODAY}, "end_date", "in the future"),
    ({"end": date(2027, 4, 1)}, "end_date", "end of the semester, 2027-03-31"),
])
def test_each_rule_names_its_field(kwargs, field, message):
    found = errors(**kwargs)
    assert list(found) == [field] and message in found[field][0]


def test_reserved_names_are_refused():
    config = TenancyConfig(prefixes={**CONFIG.prefixes, "requested": "kube-"})
    found = namespace_request_errors("system", "x", date(2027, 1, 1), taken=set(), today=TODAY,
                                     latest_end=SEMESTER_END, config=config)
    assert "reserved" in found["name"][0]


def test_auto_approval_stops_at_the_limit():
    assert auto_approved(0, 2) and auto_approved(1, 2) and not auto_approved(2, 2)


def test_quota_requests_need_a_known_tier_or_valid_values_and_a_reason():
    tiers = CONFIG.tiers
    assert quota_request_errors("research", {}, "training runs", tiers) == {}
    assert quota_request_errors("", {"requests.cpu": "4"}, "more", tiers) == {}
    assert set(quota_request_errors("", {}, "", tiers)) == {"tier", "justification"}
    assert "Unknown tier 'huge'" in quota_request_errors("huge", {}, "x", tiers)["tier"][0]
    assert "needs a unit" in quota_request_errors("", {"requests.memory": "8"}, "x", tiers)["quota_values"][0]
