"""Offset pagination, read by python-gitlab and checked header by header."""

import gitlab
import pytest
import requests

from devstack.gitlab import GitLabServer
from devstack.gitlab.pagination import paginate
from tests.devstack.gitlab.conftest import ADMIN_TOKEN

GROUPS = 130  # more than one page even at the maximum per_page of 100


@pytest.fixture(scope="module")
def big_server():
    with GitLabServer(token=ADMIN_TOKEN) as running:
        parent = running.create_group("Everything", "everything")
        for number in range(1, GROUPS + 1):
            running.create_group(f"Course {number:03d}", f"course-{number:03d}", parent=parent.id)
        yield running


@pytest.fixture
def big_gl(big_server):
    big_server.faults.truncate_after_pages = None
    big_server.requests.clear()
    return gitlab.Gitlab(big_server.url, private_token=ADMIN_TOKEN)


def _get(server, path, **params):
    return requests.get(f"{server.url}/api/v4/{path}", params=params, headers={"PRIVATE-TOKEN": ADMIN_TOKEN})


def test_iterator_walks_every_page_following_link_next(big_server, big_gl):
    subgroups = big_gl.groups.get("everything").subgroups.list(iterator=True)
    paths = [group.full_path for group in subgroups]
    assert len(paths) == GROUPS
    assert paths == sorted(paths)  # GitLab orders groups by name by default
    assert subgroups.total == GROUPS and subgroups.total_pages == 7 and subgroups.per_page == 20
    assert len([r for r in big_server.requests if r[1].endswith("/subgroups")]) == 7


def test_get_all_with_maximum_per_page_needs_two_requests(big_server, big_gl):
    groups = big_gl.groups.list(get_all=True, per_page=100, top_level_only=False)
    assert len(groups) == GROUPS + 1
    assert big_server.requests.count(("GET", "/groups")) == 2


def test_a_plain_list_returns_one_page_and_python_gitlab_warns(big_gl):
    with pytest.warns(UserWarning, match="will return a maximum of 20 items"):
        groups = big_gl.groups.list()
    assert len(groups) == 20


def test_headers_of_a_middle_page(big_server):
    answer = _get(big_server, "groups", page=2, per_page=30, search="course")
    assert answer.status_code == 200
    assert len(answer.json()) == 30
    headers = answer.headers
    assert (headers["X-Page"], headers["X-Per-Page"], headers["X-Next-Page"], headers["X-Prev-Page"]) == \
        ("2", "30", "3", "1")
    assert (headers["X-Total"], headers["X-Total-Pages"]) == (str(GROUPS), "5")
    links = requests.utils.parse_header_links(headers["Link"])
    by_rel = {link["rel"]: link["url"] for link in links}
    assert set(by_rel) == {"prev", "next", "first", "last"}
    assert by_rel["next"].startswith(f"{big_server.url}/api/v4/groups?")
    assert "page=3" in by_rel["next"] and "per_page=30" in by_rel["next"] and "search=course" in by_rel["next"]
    assert "page=5" in by_rel["last"]


def test_last_page_has_no_next(big_server):
    headers = _get(big_server, "groups", page=2, per_page=100).headers
    assert headers["X-Next-Page"] == ""
    assert 'rel="next"' not in headers["Link"]


def test_per_page_is_capped_at_100(big_server):
    answer = _get(big_server, "groups", per_page=500)
    assert len(answer.json()) == 100 and answer.headers["X-Per-Page"] == "100"


def test_a_page_past_the_end_is_empty(big_server):
    assert _get(big_server, "groups", page=99).json() == []


def test_a_non_numeric_per_page_is_a_400(big_server):
    answer = _get(big_server, "groups", per_page="lots")
    assert answer.status_code == 400 and answer.json() == {"error": "per_page is invalid"}


def test_truncated_pagination_serves_fewer_pages_than_it_claims(big_server, big_gl):
    big_server.faults.truncate_after_pages = 2
    listing = big_gl.groups.get("everything").subgroups.list(iterator=True)
    received = list(listing)
    assert len(received) == 40
    assert listing.total == GROUPS  # the headers still claim everything: the answer is partial
    assert _get(big_server, "groups/1/subgroups", page=3).json() == []


def test_above_ten_thousand_items_gitlab_stops_counting():
    _, headers = paginate(list(range(10_001)), {"per_page": "100"}, "http://gitlab.test/api/v4/users")
    assert "X-Total" not in headers and "X-Total-Pages" not in headers
    assert headers["X-Next-Page"] == "2" and 'rel="last"' not in headers["Link"]
    _, counted = paginate(list(range(10_000)), {"per_page": "100"}, "http://gitlab.test/api/v4/users")
    assert (counted["X-Total"], counted["X-Total-Pages"]) == ("10000", "100")
