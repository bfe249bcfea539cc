"""Admin changes made through python-gitlab itself: groups, projects, members and users."""

import gitlab
import pytest

DEVELOPER, MAINTAINER, OWNER = 30, 40, 50


@pytest.fixture
def course(gl):
    return gl.groups.create({"name": "CS 101", "path": "cs101"})


def test_creating_a_group_makes_the_creator_its_owner(gl, course):
    assert (course.full_path, course.parent_id) == ("cs101", None)
    assert {m.username: m.access_level for m in course.members.list(get_all=True)} == {"root": OWNER}


def test_subgroups_are_created_with_parent_id(gl, course):
    team = gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    assert team.full_path == "cs101/team-1"
    assert [g.id for g in course.subgroups.list(get_all=True)] == [team.id]


def test_renaming_a_group_moves_every_path_below_it(gl, course):
    team = gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    project = gl.projects.create({"name": "App", "path": "app", "namespace_id": team.id})
    course.path = "cs-101"
    course.name = "Computing 101"
    course.save()
    assert gl.groups.get(course.id).full_path == "cs-101"
    assert gl.groups.get(team.id).full_path == "cs-101/team-1"
    assert gl.projects.get(project.id).path_with_namespace == "cs-101/team-1/app"
    with pytest.raises(gitlab.GitlabGetError):
        gl.groups.get("cs101")


def test_transferring_a_group_keeps_its_id_and_members(gl, server, course):
    other = gl.groups.create({"name": "ML 201", "path": "ml201"})
    team = gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    server.create_user("anna")
    team.members.create({"username": "anna", "access_level": DEVELOPER})
    team.transfer(other.id)
    moved = gl.groups.get(team.id)
    assert (moved.full_path, moved.parent_id) == ("ml201/team-1", other.id)
    assert {m.username for m in moved.members.list(get_all=True)} == {"root", "anna"}
    moved.transfer()  # no parent: to the top level
    assert gl.groups.get(team.id).full_path == "team-1"


def test_a_subgroup_without_owner_moved_to_the_top_gets_the_caller_as_owner(gl, server, course):
    server.create_group("Team 1", "team-1", parent=course.id)  # made without an owner (Python admin API)
    team = gl.groups.get("cs101/team-1")
    team.transfer()
    assert {m.username: m.access_level for m in team.members.list(get_all=True)} == {"root": OWNER}


def test_a_group_cannot_move_below_itself(gl, course):
    team = gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    with pytest.raises(gitlab.GitlabGroupTransferError) as error:
        course.transfer(team.id)
    assert error.value.error_message == "Transfer failed: Cannot transfer group to one of its subgroup."


def test_projects_are_renamed_transferred_and_deleted(gl, course):
    other = gl.groups.create({"name": "ML 201", "path": "ml201"})
    project = gl.projects.create({"name": "App", "path": "app", "namespace_id": course.id})
    project.path = "web-app"
    project.save()
    assert gl.projects.get(project.id).path_with_namespace == "cs101/web-app"
    project.transfer(other.id)
    assert gl.projects.get(project.id).path_with_namespace == "ml201/web-app"
    course.transfer_project(project.id)
    assert gl.projects.get(project.id).namespace["full_path"] == "cs101"
    project.delete()
    with pytest.raises(gitlab.GitlabGetError):
        gl.projects.get(project.id)


def test_deleting_a_group_deletes_its_subgroups_and_projects(gl, course):
    team = gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    project = gl.projects.create({"name": "App", "path": "app", "namespace_id": team.id})
    course.delete()
    for get, ref in ((gl.groups.get, team.id), (gl.projects.get, project.id), (gl.groups.get, course.id)):
        with pytest.raises(gitlab.GitlabGetError):
            get(ref)


def test_members_are_added_changed_and_removed(gl, server, course):
    anna = gl.users.create({"email": "anna@uni.example", "username": "anna", "name": "Anna", "password": "x" * 12})
    member = course.members.create({"user_id": anna.id, "access_level": DEVELOPER, "expires_at": "2030-01-31"})
    assert (member.access_level, member.expires_at) == (DEVELOPER, "2030-01-31")
    member.access_level = MAINTAINER
    member.save()
    changed = course.members.get(anna.id)
    assert (changed.access_level, changed.expires_at) == (MAINTAINER, "2030-01-31")
    changed.delete()
    assert anna.id not in [m.id for m in course.members.list(get_all=True)]


def test_project_members_through_the_project(gl, course):
    anna = gl.users.create({"email": "anna@uni.example", "username": "anna", "name": "Anna", "password": "x" * 12})
    project = gl.projects.create({"name": "App", "path": "app", "namespace_id": course.id})
    project.members.create({"user_id": anna.id, "access_level": DEVELOPER})
    assert {m.username: m.access_level for m in project.members_all.list(get_all=True)} == \
        {"root": OWNER, "anna": DEVELOPER}
    project.members.delete(anna.id)
    assert [m.username for m in project.members.list(get_all=True)] == []


def test_users_are_blocked_and_unblocked(gl, server):
    server.create_user("anna")
    (anna,) = gl.users.list(username="anna")
    assert anna.block() is True and anna.state == "blocked"
    assert gl.users.get(anna.id).state == "blocked"
    assert anna.unblock() is True
    assert gl.users.get(anna.id).state == "active"


def test_python_admin_api_and_http_api_see_the_same_state(gl, server):
    server.create_group("Lab", "lab")
    server.create_user("ben")
    server.add_member("lab", "ben", MAINTAINER)
    server.rename_group("lab", path="robotics-lab")
    lab = gl.groups.get("robotics-lab")
    assert {m.username: m.access_level for m in lab.members.list(get_all=True)} == {"ben": MAINTAINER}


def test_paths_follow_gitlabs_namespace_rules(gl, server, course):
    gl.groups.create({"name": "Team 1", "path": "team-1", "parent_id": course.id})
    with pytest.raises(gitlab.GitlabCreateError) as clash:  # projects and subgroups share a parent's namespace
        gl.projects.create({"name": "Team 1", "path": "team-1", "namespace_id": course.id})
    assert clash.value.response_code == 400 and clash.value.error_message == {"path": ["has already been taken"]}
    server.create_user("anna")
    for taken in ("anna", "admin", "CS101"):  # usernames, reserved routes and other top-level groups
        with pytest.raises(gitlab.GitlabCreateError):
            gl.groups.create({"name": taken, "path": taken})
    with pytest.raises(gitlab.GitlabCreateError) as invalid:
        gl.groups.create({"name": "Bad", "path": "-bad.git"})
    assert "can contain only letters, digits" in str(invalid.value.error_message)
    course.path = "CS101"  # a change of case only is still the same group's own path
    course.save()
    assert gl.groups.get(course.id).full_path == "CS101"
