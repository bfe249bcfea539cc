"""The GitLab adapter against the GitLab stand-in, through python-gitlab."""

import pytest

from devstack.gitlab.server import GitLabServer
from tenants.infra.gitlab import GitLabSource


@pytest.fixture
def gitlab():
    with GitLabServer(token="campus-reader") as server:
        for username in ("prof.lang", "s0001", "s0002", "s0003"):
            server.create_user(username)
        server.create_group("Courses", "courses")
        server.create_group("CS 101", "cs101", parent="courses")
        server.create_group("Team 1", "team-1", parent="courses/cs101")
        server.create_project("Robot", "courses/cs101/team-1", path="robot")
        server.create_group("Elsewhere", "elsewhere")
        server.add_member("courses/cs101", "prof.lang", 50)
        server.add_member("courses/cs101", "s0001", 20)
        server.add_member("courses/cs101/team-1", "s0001", 30)
        server.add_member("courses/cs101/team-1", "s0002", 30)
        server.add_member("courses/cs101/team-1/robot", "s0003", 40, kind="project")
        server.block_user("s0002")
        yield server


def source(gitlab, **kwargs):
    return GitLabSource(gitlab.url, "campus-reader", roots=["courses"], timeout_seconds=2, **kwargs)


def levels(read, kind, path_key, path):
    entities = read.groups if kind == "group" else read.projects
    entity_id = next(e["id"] for e in entities.values() if e[path_key] == path)
    return {m["username"]: (m["access_level"], m["state"]) for m in read.members[(kind, entity_id)]}


def test_reads_everything_under_the_roots_with_effective_members(gitlab):
    read = source(gitlab).read_all()

    assert read.complete
    assert sorted(g["full_path"] for g in read.groups.values()) == ["courses/cs101", "courses/cs101/team-1"]
    assert [p["path_with_namespace"] for p in read.projects.values()] == ["courses/cs101/team-1/robot"]
    team = levels(read, "group", "full_path", "courses/cs101/team-1")
    assert team == {"prof.lang": (50, "active"), "s0001": (30, "active"), "s0002": (30, "blocked")}
    robot = levels(read, "project", "path_with_namespace", "courses/cs101/team-1/robot")
    assert robot["s0003"] == (40, "active") and robot["prof.lang"] == (50, "active")


def test_projects_can_be_left_out(gitlab):
    read = source(gitlab, include_projects=False).read_all()
    assert read.complete and not read.projects


def test_a_truncated_listing_is_incomplete(gitlab):
    for n in range(120):
        gitlab.create_group(f"Extra {n}", f"extra-{n}", parent="courses")
    gitlab.faults.truncate_after_pages = 1

    read = source(gitlab).read_all()

    assert not read.complete
    assert any("descendants" in problem for problem in read.missing)


def test_server_errors_make_the_read_incomplete_not_a_crash(gitlab):
    gitlab.faults.error_rate = 1.0
    gitlab.faults.only_paths = r"/members/all"

    read = source(gitlab).read_all()

    assert not read.complete and len(read.groups) == 2
    assert all("GitlabListError" in problem for problem in read.missing)


def test_unknown_root_is_reported(gitlab):
    read = GitLabSource(gitlab.url, "campus-reader", roots=["nope"]).read_all()
    assert read.missing == ["root group nope: GitlabGetError 404"]


def test_reading_one_group_includes_it_and_its_subtree(gitlab):
    read = source(gitlab).read_group(gitlab.model.group("courses/cs101").id)

    assert read.complete
    assert sorted(g["full_path"] for g in read.groups.values()) == ["courses/cs101", "courses/cs101/team-1"]
    assert len(read.projects) == 1


def test_deleted_entities_are_absent_not_errors(gitlab):
    assert source(gitlab).read_group(999_999).absent == {("group", 999_999)}
    assert source(gitlab).read_project(999_999).absent == {("project", 999_999)}
