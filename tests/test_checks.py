"""The system checks (tenants/checks.py): each wrong setting is reported under its own stable id, with the
setting named and a hint; the settings the test run uses pass `manage.py check`."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command


def campus_ids() -> list[str]:
    return sorted(message.id for message in run_checks(tags=["campus"]))


def campus_messages() -> list:
    return list(run_checks(tags=["campus"]))


def test_the_settings_of_the_test_run_pass_manage_py_check():
    assert campus_ids() == []
    call_command("check")  # raises SystemCheckError on any error, campus's or Django's


def test_the_checks_run_without_a_tag(settings):
    """manage.py check, migrate, sync and reclaim run every check, not only `check --tag campus`."""
    settings.CAMPUS_GITLAB_ROOTS = []
    assert "campus.E014" in {message.id for message in run_checks()}


@pytest.mark.parametrize(("terms", "expected"), [
    ("2026-10-01..2027-03-31,autumn", ["campus.E001"]),
    ("2026-10-01..2027-02-30", ["campus.E001"]),
    ("2026-10-01-2027-03-31", ["campus.E001"]),
    (" , ", ["campus.E001"]),
    ("2027-03-31..2026-10-01", ["campus.E002"]),
    ("2026-10-01..2027-03-31,2027-03-31..2027-09-30", ["campus.E003"]),
    ("2027-04-01..2027-09-30,2026-10-01..2027-04-15", ["campus.E003"]),
])
def test_wrong_terms(settings, terms, expected):
    settings.CAMPUS_TERMS = terms
    assert campus_ids() == expected


@pytest.mark.parametrize("terms", ["", "2026-10-01..2027-03-31, 2027-04-01..2027-09-30",
                                   "2027-04-01..2027-09-30,2026-10-01..2027-03-31", "2026-10-01..2026-10-01"])
def test_good_terms(settings, terms):
    settings.CAMPUS_TERMS = terms
    assert campus_ids() == []


@pytest.mark.parametrize("days", [[14, 0, 1], [-3], [14, "3"], [True], 14, "14,3,1"])
def test_wrong_warning_days(settings, days):
    settings.CAMPUS_WARNING_DAYS = days
    assert campus_ids() == ["campus.E004"]


@pytest.mark.parametrize("name", ["CAMPUS_GRACE_DAYS", "CAMPUS_IDLE_DAYS", "CAMPUS_EXTENSION_DAYS"])
@pytest.mark.parametrize("value", [0, -1, "30", None])
def test_day_counts_are_positive(settings, name, value):
    setattr(settings, name, value)
    [message] = campus_messages()
    assert message.id == "campus.E005" and name in message.msg and name in message.hint


@pytest.mark.parametrize("name", ["CAMPUS_MAX_ACCESS_REMOVAL_PERCENT", "CAMPUS_MAX_NAMESPACE_DELETION_PERCENT"])
@pytest.mark.parametrize("value", [-1, 101, 250, "10", None])
def test_percentages_are_0_to_100(settings, name, value):
    setattr(settings, name, value)
    [message] = campus_messages()
    assert message.id == "campus.E006" and name in message.msg


@pytest.mark.parametrize("name", ["CAMPUS_MAX_ACCESS_REMOVAL_PERCENT", "CAMPUS_MAX_NAMESPACE_DELETION_PERCENT"])
@pytest.mark.parametrize("value", [0, 100, 12.5])
def test_percentages_at_the_edges_pass(settings, name, value):
    setattr(settings, name, value)
    assert campus_ids() == []


def prefixes(settings, **changed) -> None:
    settings.CAMPUS_NAMESPACE_PREFIXES = {**settings.CAMPUS_NAMESPACE_PREFIXES, **changed}


@pytest.mark.parametrize(("changed", "expected"), [
    ({"group": ""}, ["campus.E007"]),
    ({"group": "G-"}, ["campus.E008"]),
    ({"group": "-g"}, ["campus.E008"]),
    ({"group": "g_"}, ["campus.E008"]),
    ({"group": "g."}, ["campus.E008"]),
    ({"group": "g" * 60}, ["campus.E008"]),
    ({"project": "g-"}, ["campus.E009"]),
    ({"personal": "kube-"}, ["campus.E010"]),
    ({"requested": "openshift-r-"}, ["campus.E010"]),
    ({"requested": "campus-"}, ["campus.E010"]),
])
def test_wrong_namespace_prefixes(settings, changed, expected):
    prefixes(settings, **changed)
    messages = campus_messages()
    assert sorted(m.id for m in messages) == expected
    kind = next(iter(changed))
    assert f"CAMPUS_NAMESPACE_PREFIX_{kind.upper()}" in messages[0].msg and messages[0].hint


@pytest.mark.parametrize("changed", [{"group": "grp-"}, {"personal": "u"}, {"project": "kube"},
                                     {"requested": "r1-"}])
def test_good_namespace_prefixes(settings, changed):
    prefixes(settings, **changed)
    assert campus_ids() == []


URLS = ["CAMPUS_PUBLIC_URL", "CAMPUS_GITLAB_URL", "CAMPUS_KUBE_API_URL", "CAMPUS_KUBE_PUBLIC_URL"]


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("value", ["", "campus.example.edu", "ftp://campus.example.edu", "https://",
                                   "https://host:port", "https://campus.example.edu?x=1",
                                   "https://campus.example.edu#top", "/relative/path"])
def test_urls_are_absolute_http(settings, name, value):
    setattr(settings, name, value)
    [message] = campus_messages()
    assert message.id == "campus.E011" and name in message.msg and message.hint


@pytest.mark.parametrize("name", ["CAMPUS_PUBLIC_URL", "CAMPUS_KUBE_API_URL"])
def test_urls_campus_appends_paths_to_have_no_trailing_slash(settings, name):
    setattr(settings, name, "https://campus.example.edu/")
    [message] = campus_messages()
    assert message.id == "campus.E012" and name in message.msg and "'https://campus.example.edu'" in message.hint


@pytest.mark.parametrize("name", ["CAMPUS_GITLAB_URL", "CAMPUS_KUBE_PUBLIC_URL"])
def test_a_trailing_slash_is_fine_where_the_client_strips_it(settings, name):
    setattr(settings, name, "https://example.edu/")
    assert campus_ids() == []


def test_urls_under_a_path_pass(settings):
    settings.CAMPUS_PUBLIC_URL = "https://www.example.edu/campus"
    settings.CAMPUS_KUBE_API_URL = "https://rancher.example.edu/k8s/clusters/c-1"
    assert campus_ids() == []


@pytest.mark.parametrize("name", ["CAMPUS_KUBE_API_URL", "CAMPUS_KUBE_PUBLIC_URL"])
def test_kubernetes_urls_are_https_outside_the_demo(settings, name):
    settings.DEMO = settings.DEBUG = False
    setattr(settings, name, "http://127.0.0.1:6443")
    [message] = campus_messages()
    assert message.id == "campus.E013" and name in message.msg and "CAMPUS_DEMO" in message.hint


@pytest.mark.parametrize("mode", ["DEMO", "DEBUG"])
def test_demo_and_debug_allow_plain_http_kubernetes(settings, mode):
    setattr(settings, mode, True)
    settings.CAMPUS_KUBE_API_URL = settings.CAMPUS_KUBE_PUBLIC_URL = "http://127.0.0.1:6443"
    assert campus_ids() == []


def test_plain_http_public_and_gitlab_urls_pass(settings):
    settings.DEMO = settings.DEBUG = False
    settings.CAMPUS_PUBLIC_URL, settings.CAMPUS_GITLAB_URL = "http://campus.lan", "http://gitlab.lan:8080"
    assert campus_ids() == []


def test_gitlab_roots_when_gitlab_is_set(settings):
    settings.CAMPUS_GITLAB_ROOTS = []
    [message] = campus_messages()
    assert message.id == "campus.E014" and "CAMPUS_GITLAB_ROOTS" in message.msg and "CAMPUS_GITLAB_URL" in message.msg
    settings.CAMPUS_GITLAB_URL = ""
    assert campus_ids() == ["campus.E011"]  # the URL is what is wrong then


def test_every_error_names_its_setting_and_has_a_hint(settings):
    settings.CAMPUS_TERMS = "2027-03-31..2026-10-01"
    settings.CAMPUS_WARNING_DAYS = [0]
    settings.CAMPUS_GRACE_DAYS = 0
    settings.CAMPUS_MAX_ACCESS_REMOVAL_PERCENT = 101
    settings.CAMPUS_NAMESPACE_PREFIXES = {"personal": "", "group": "G", "project": "p-", "requested": "p-"}
    settings.CAMPUS_PUBLIC_URL = "https://campus.example.edu/"
    settings.CAMPUS_KUBE_API_URL = "kubernetes"
    messages = campus_messages()
    assert sorted(m.id for m in messages) == ["campus.E002", "campus.E004", "campus.E005", "campus.E006",
                                              "campus.E007", "campus.E008", "campus.E009", "campus.E011",
                                              "campus.E012"]
    assert all(m.is_serious() and "CAMPUS_" in m.msg and m.hint for m in messages)
