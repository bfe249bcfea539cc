"""Nested groups, projects, direct and inherited members, users and error answers, through python-gitlab."""

import gitlab
import pytest
import requests

from tests.devstack.gitlab.conftest import ADMIN_TOKEN

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50


@pytest.fixture
def campus(server):
    """A course with two teams, a nested sub-team, projects, and members at several levels."""
    for username in ("prof", "tutor", "anna", "ben", "cara", "dan"):
        server.create_user(username, username.title())
    course = server.create_group("CS 101", "cs101")
    team = server.create_group("Team A", "team-a", parent=course.id)
    server.create_group("Team B", "team-b", parent=course.id)
    sub_team = server.create_group("Frontend", "frontend", parent=team.id)
    server.create_project("Web App", "cs101/team-a", path="web-app")
    server.create_project("Design", "cs101/team-a/frontend", path="design")
    server.add_member("cs101", "prof", OWNER)
    server.add_member("cs101", "tutor", MAINTAINER)
    server.add_member("cs101", "anna", REPORTER)
    server.add_member("cs101/team-a", "anna", DEVELOPER, expires_at="2031-03-31")
    server.add_member("cs101/team-a", "tutor", GUEST)  # lower than inherited Maintainer: Maintainer wins
    server.add_member(sub_team.id, "ben", DEVELOPER)
    server.add_member("cs101/team-a/web-app", "cara", MAINTAINER, kind="project")
    server.block_user("ben")
    return server


def _levels(members) -> dict[str, int]:
    return {member.username: member.access_level for member in members}


def test_groups_nest_by_parent_id_with_full_paths(campus, gl):
    sub_team = gl.groups.get("cs101/team-a/frontend")
    team = gl.groups.get(sub_team.parent_id)
    assert (sub_team.path, sub_team.full_path, sub_team.full_name) == \
        ("frontend", "cs101/team-a/frontend", "CS 101 / Team A / Frontend")
    assert team.full_path == "cs101/team-a"
    assert gl.groups.get(team.parent_id).parent_id is None
    assert gl.groups.get("CS101/Team-A").id == team.id  # paths resolve case-insensitively


def test_subgroups_are_children_and_descendant_groups_the_whole_tree(campus, gl):
    course = gl.groups.get("cs101")
    assert [g.full_path for g in course.subgroups.list(get_all=True)] == ["cs101/team-a", "cs101/team-b"]
    assert sorted(g.full_path for g in course.descendant_groups.list(get_all=True)) == \
        ["cs101/team-a", "cs101/team-a/frontend", "cs101/team-b"]
    assert [g.full_path for g in gl.groups.list(get_all=True, top_level_only=True)] == ["cs101"]
    assert [g.full_path for g in gl.groups.list(get_all=True, search="front")] == ["cs101/team-a/frontend"]


def test_group_projects_with_and_without_subgroups(campus, gl):
    team = gl.groups.get("cs101/team-a")
    assert [p.path_with_namespace for p in team.projects.list(get_all=True)] == ["cs101/team-a/web-app"]
    assert sorted(p.path_with_namespace for p in team.projects.list(get_all=True, include_subgroups=True)) == \
        ["cs101/team-a/frontend/design", "cs101/team-a/web-app"]


def test_project_namespace_and_paths(campus, gl):
    project = gl.projects.get("cs101/team-a/web-app")
    assert (project.path, project.path_with_namespace, project.name_with_namespace) == \
        ("web-app", "cs101/team-a/web-app", "CS 101 / Team A / Web App")
    assert project.namespace["full_path"] == "cs101/team-a" and project.namespace["kind"] == "group"
    assert gl.projects.get(project.id).path_with_namespace == project.path_with_namespace


def test_members_are_direct_members_only(campus, gl):
    team = gl.groups.get("cs101/team-a")
    assert _levels(team.members.list(get_all=True)) == {"anna": DEVELOPER, "tutor": GUEST}


def test_members_all_adds_inherited_members_and_the_highest_level_wins(campus, gl):
    team = gl.groups.get("cs101/team-a")
    assert _levels(team.members_all.list(get_all=True)) == \
        {"prof": OWNER, "tutor": MAINTAINER, "anna": DEVELOPER}
    sub_team = gl.groups.get("cs101/team-a/frontend")
    assert _levels(sub_team.members_all.list(get_all=True)) == \
        {"prof": OWNER, "tutor": MAINTAINER, "anna": DEVELOPER, "ben": DEVELOPER}


def test_project_members_all_inherit_from_every_namespace_group(campus, gl):
    project = gl.projects.get("cs101/team-a/web-app")
    assert _levels(project.members.list(get_all=True)) == {"cara": MAINTAINER}
    assert _levels(project.members_all.list(get_all=True)) == \
        {"prof": OWNER, "tutor": MAINTAINER, "anna": DEVELOPER, "cara": MAINTAINER}


def test_member_fields_carry_state_expiry_and_level(campus, gl):
    sub_team = gl.groups.get("cs101/team-a/frontend")
    ben = sub_team.members.get(campus.model.user_by_username("ben").id)
    assert (ben.username, ben.state, ben.access_level) == ("ben", "blocked", DEVELOPER)
    anna = gl.groups.get("cs101/team-a").members.get(campus.model.user_by_username("anna").id)
    assert anna.expires_at == "2031-03-31" and anna.name == "Anna"


def test_single_member_direct_versus_inherited(campus, gl):
    team = gl.groups.get("cs101/team-a")
    prof_id = campus.model.user_by_username("prof").id
    with pytest.raises(gitlab.GitlabGetError) as missing:
        team.members.get(prof_id)
    assert missing.value.response_code == 404 and missing.value.error_message == "404 Not found"
    assert team.members_all.get(prof_id).access_level == OWNER


def test_member_filters_query_and_user_ids(campus, gl):
    course = gl.groups.get("cs101")
    assert [m.username for m in course.members.list(get_all=True, query="tut")] == ["tutor"]
    anna_id = campus.model.user_by_username("anna").id
    assert [m.username for m in course.members.list(get_all=True, user_ids=[anna_id])] == ["anna"]


def test_users_by_username_and_state(campus, gl):
    (ben,) = gl.users.list(username="ben")
    assert ben.state == "blocked" and ben.email == "ben@campus.example"
    assert gl.users.get(ben.id).username == "ben"
    assert "ben" in [u.username for u in gl.users.list(get_all=True, blocked=True)]
    assert "ben" not in [u.username for u in gl.users.list(get_all=True, active=True)]


def test_not_found_answers_name_the_resource(campus, gl):
    for get, message in ((lambda: gl.groups.get("no/such/group"), "404 Group Not Found"),
                         (lambda: gl.projects.get(4242), "404 Project Not Found"),
                         (lambda: gl.users.get(4242), "404 User Not Found")):
        with pytest.raises(gitlab.GitlabGetError) as error:
            get()
        assert error.value.response_code == 404 and error.value.error_message == message


def test_bad_credentials_are_a_401_with_gitlabs_body(campus):
    with pytest.raises(gitlab.GitlabAuthenticationError) as error:
        gitlab.Gitlab(campus.url, private_token="wrong").groups.get("cs101")
    assert error.value.response_code == 401
    answer = requests.get(f"{campus.url}/api/v4/groups")
    assert answer.status_code == 401 and answer.json() == {"message": "401 Unauthorized"}


def test_bearer_tokens_work_like_private_tokens(campus):
    answer = requests.get(f"{campus.url}/api/v4/groups/cs101", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert answer.json()["full_path"] == "cs101"


def test_a_non_admin_token_reads_but_cannot_change(campus):
    token = campus.add_token("anna")
    student = gitlab.Gitlab(campus.url, private_token=token)
    assert student.groups.get("cs101").name == "CS 101"
    with pytest.raises(gitlab.GitlabCreateError) as error:
        student.groups.create({"name": "Mine", "path": "mine"})
    assert error.value.response_code == 403
    with pytest.raises(gitlab.GitlabListError) as hooks:
        student.hooks.list()
    assert hooks.value.response_code == 403


def test_a_blocked_users_token_is_refused(campus):
    token = campus.add_token("ben")  # ben is blocked
    with pytest.raises(gitlab.GitlabGetError) as error:
        gitlab.Gitlab(campus.url, private_token=token).groups.get("cs101")
    assert error.value.response_code == 403
    assert error.value.error_message == "403 Forbidden - Your account has been blocked."


def test_bad_requests_have_gitlabs_400_shapes(campus, gl):
    course = gl.groups.get("cs101")
    with pytest.raises(gitlab.GitlabCreateError) as invalid_level:
        course.members.create({"user_id": campus.model.user_by_username("dan").id, "access_level": 35})
    assert invalid_level.value.response_code == 400
    assert invalid_level.value.error_message == "access_level does not have a valid value"
    with pytest.raises(gitlab.GitlabCreateError) as taken:
        gl.groups.create({"name": "Another", "path": "team-a", "parent_id": course.id})
    assert taken.value.response_code == 400
    assert taken.value.error_message == 'Failed to save group {:path=>["has already been taken"]}'
    answer = requests.post(f"{campus.url}/api/v4/groups", json={"name": "x"}, headers={"PRIVATE-TOKEN": ADMIN_TOKEN})
    assert answer.status_code == 400 and answer.json() == {"error": "path is missing"}


def test_adding_an_existing_member_is_a_409(campus, gl):
    with pytest.raises(gitlab.GitlabCreateError) as error:
        gl.groups.get("cs101").members.create({"username": "prof", "access_level": OWNER})
    assert error.value.response_code == 409 and error.value.error_message == "Member already exists"


def test_unknown_routes_are_404(campus):
    answer = requests.get(f"{campus.url}/api/v4/nothing/here", headers={"PRIVATE-TOKEN": ADMIN_TOKEN})
    assert answer.status_code == 404 and answer.json() == {"error": "404 Not Found"}
