"""Expiry maths: term calendar, expiry dates, warning schedule, extensions, stages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants.lifecycle.rules import (
    ExpiryPolicy,
    Term,
    default_terms,
    due_warning,
    expiry_date,
    extended_until,
    extension_refusal,
    next_stage,
    parse_terms,
    term_end,
)

TERMS = parse_terms("2026-10-01..2027-03-31,2027-04-01..2027-09-30,2027-10-01..2028-03-31")
POLICY = ExpiryPolicy(terms=TERMS)


def test_parse_terms_sorts_and_rejects_bad_parts():
    assert parse_terms("2027-04-01..2027-09-30, 2026-10-01..2027-03-31")[0] == Term(date(2026, 10, 1),
                                                                                    date(2027, 3, 31))
    with pytest.raises(ValueError, match="is not START..END"):
        parse_terms("2026-10-01-2027-03-31")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_terms("2027-03-31..2026-10-01")


def test_term_end_inside_between_and_beyond_terms():
    assert term_end(date(2026, 11, 22), TERMS) == date(2027, 3, 31)
    assert term_end(date(2027, 3, 31), TERMS) == date(2027, 3, 31)
    gap = [Term(date(2026, 10, 15), date(2027, 2, 15)), Term(date(2027, 4, 15), date(2027, 7, 31))]
    assert term_end(date(2027, 3, 1), gap) == date(2027, 7, 31)
    with pytest.raises(ValueError, match="no term in the calendar covers 2029-01-01"):
        term_end(date(2029, 1, 1), TERMS)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_default_terms_always_cover_today_with_a_semester_end(today):
    end = term_end(today, default_terms(today))
    assert today <= end and (end.month, end.day) in {(3, 31), (9, 30)}
    assert (end - today).days < 184


def test_personal_namespace_ends_with_the_term_or_earlier_when_idle():
    today = date(2026, 11, 22)
    assert expiry_date("personal", today, POLICY) == date(2027, 3, 31)
    assert expiry_date("personal", today, POLICY, last_activity=date(2026, 11, 1)) == date(2026, 12, 31)


def test_activity_near_the_term_end_carries_a_personal_namespace_into_the_next_term():
    assert expiry_date("personal", date(2027, 3, 20), POLICY, last_activity=date(2027, 3, 19)) == date(2027, 5, 18)
    relaxed = ExpiryPolicy(terms=TERMS, idle_days=365)
    assert expiry_date("personal", date(2027, 3, 20), relaxed, last_activity=date(2027, 3, 19)) == date(2027, 9, 30)


def test_course_project_and_override_dates_win_in_order():
    today = date(2026, 11, 22)
    assert expiry_date("group", today, POLICY, course_end=date(2027, 2, 15)) == date(2027, 2, 15)
    assert expiry_date("project", today, POLICY, requested_end=date(2027, 1, 10),
                       course_end=date(2027, 2, 15)) == date(2027, 1, 10)
    assert expiry_date("project", today, POLICY, requested_end=date(2027, 1, 10),
                       override=date(2027, 6, 1)) == date(2027, 6, 1)
    assert expiry_date("group", today, POLICY) == date(2027, 3, 31)


@pytest.mark.parametrize(("days_left", "sent", "expected"), [
    (20, set(), None), (14, set(), 14), (13, {14}, None), (3, {14}, 3), (3, set(), 3),
    (1, {14, 3}, 1), (1, {14, 3, 1}, None), (0, {14, 3, 1}, None), (-1, set(), None), (5, {3}, None),
])
def test_each_warning_is_due_once_and_only_the_closest(days_left, sent, expected):
    expires_on = date(2027, 3, 31)
    assert due_warning(expires_on, expires_on - timedelta(days=days_left), sent, POLICY) == expected


def test_a_daily_job_sends_exactly_three_warnings():
    expires_on, sent = date(2027, 3, 31), set()
    for offset in range(30, -3, -1):
        for _ in range(3):  # the job runs several times a day
            warning = due_warning(expires_on, expires_on - timedelta(days=offset), sent, POLICY)
            if warning:
                sent.add(warning)
                assert warning == offset
    assert sent == {14, 3, 1}


def test_extensions_are_limited_by_count_and_latest_date():
    created = date(2026, 10, 1)
    assert extension_refusal(date(2027, 3, 31), created, 0, POLICY) is None
    assert extended_until(date(2027, 3, 31), created, POLICY) == date(2027, 4, 30)
    assert "already been extended 2 times" in extension_refusal(date(2027, 3, 31), created, 2, POLICY)
    assert extended_until(date(2027, 9, 20), created, POLICY) == date(2027, 10, 1)
    assert "latest date" in extension_refusal(date(2027, 10, 1), created, 1, POLICY)


def test_stages_follow_expiry_and_grace():
    now = datetime(2027, 4, 1, 9, tzinfo=UTC)
    assert next_stage("active", date(2027, 3, 31), None, now, POLICY) == "suspended"
    assert next_stage("active", date(2027, 4, 1), None, now, POLICY) is None
    assert next_stage("suspended", date(2027, 3, 31), now - timedelta(days=29), now, POLICY) is None
    assert next_stage("suspended", date(2027, 3, 31), now - timedelta(days=30), now, POLICY) == "archived"
    assert next_stage("archived", date(2027, 3, 31), now - timedelta(days=31), now, POLICY) == "deleted"
