"""A 404 that GitLab did not send never deletes anything; GitLab's own 404, confirmed, does."""

import json

import gitlab as python_gitlab
import pytest

from tenants.infra.gitlab import GitLabSource, is_gitlab_not_found
from tenants.tenancy.reconcile import reconcile_gitlab_entity
from tests.helpers import GITLAB_TOKEN, managed_namespaces, wait_until_gone

pytestmark = pytest.mark.django_db
TEAM = "g-courses-cs101-team-1"


@pytest.fixture
def synced(engine):
    from tenants.tenancy.reconcile import full_sync

    full_sync()
    return engine


def team_id(gitlab):
    return gitlab.model.group("courses/cs101/team-1").id


def test_a_proxy_404_page_is_an_error_not_a_deletion(synced, gitlab):
    uid = synced.get("Namespace", "", TEAM)["metadata"]["uid"]
    gitlab.faults.error_rate, gitlab.faults.error_status = 1.0, 404  # an HTML page, as a proxy would send
    gitlab.faults.only_paths = rf"^/groups/{team_id(gitlab)}$"

    with pytest.raises(RuntimeError, match="incomplete.*404"):
        reconcile_gitlab_entity("group", team_id(gitlab), "webhook:1")

    gitlab.faults.error_rate = 0.0
    assert synced.get("Namespace", "", TEAM)["metadata"]["uid"] == uid
    assert synced.get("ResourceQuota", TEAM, "campus-quota") is not None


def test_a_proxy_404_on_a_project_is_an_error_too(synced, gitlab):
    robot = gitlab.model.project("courses/cs101/team-1/robot").id
    gitlab.faults.error_rate, gitlab.faults.error_status, gitlab.faults.only_paths = 1.0, 404, rf"^/projects/{robot}$"

    read = GitLabSource(gitlab.url, GITLAB_TOKEN, roots=["courses"]).read_project(robot)

    assert not read.absent and read.missing == [f"project {robot}: GitlabGetError 404"]


def test_gitlabs_own_404_deletes_after_a_second_read(synced, gitlab):
    group = team_id(gitlab)
    gitlab.delete_group("courses/cs101/team-1")
    before = len(list(gitlab.requests))

    reconcile_gitlab_entity("group", group, "webhook:2")

    assert TEAM not in wait_until_gone(synced, {TEAM})
    assert [path for _, path in list(gitlab.requests)[before:]].count(f"/groups/{group}") == 2  # confirmed


@pytest.mark.parametrize(("status", "body", "absent"), [
    (404, b'{"message":"404 Group Not Found"}', True),
    (404, b'{"message":"404 Project Not Found"}', True),
    (404, b"<html><body><h1>404 Not Found</h1></body></html>", False),
    (404, b"", False),
    (404, b'{"error":"404 Not Found"}', False),  # GitLab's answer for an unknown route, not for an entity
    (404, b'["404 Not Found"]', False),
    (502, b'{"message":"404 Group Not Found"}', False),
])
def test_only_gitlabs_json_404_means_absent(status, body, absent):
    error = python_gitlab.GitlabGetError("x", response_code=status, response_body=body)
    assert is_gitlab_not_found(error) is absent


def test_an_error_in_the_read_names_no_secret(synced, gitlab):
    gitlab.faults.error_rate, gitlab.faults.only_paths = 1.0, r"members/all"

    read = GitLabSource(gitlab.url, GITLAB_TOKEN, roots=["courses"]).read_all()

    assert read.missing and GITLAB_TOKEN not in json.dumps(read.missing)
    assert managed_namespaces(synced)  # nothing was touched by reading
