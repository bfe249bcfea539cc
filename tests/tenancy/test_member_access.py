"""RoleBindings rendered from GitLab membership, exercised with kubectl and each member's own token."""

import pytest

pytestmark = pytest.mark.django_db
TEAM, COURSE = "g-courses-cs101-team-1", "g-courses-cs101"


def test_developer_can_edit_in_the_team_namespace(kubectl_as):
    created = kubectl_as("s0002", "create", "configmap", "notes", "-n", TEAM, "--from-literal=a=b")
    assert created.returncode == 0, created.stderr
    assert kubectl_as("s0002", "auth", "can-i", "delete", "deployments", "-n", TEAM).stdout.strip() == "yes"
    assert kubectl_as("s0002", "auth", "can-i", "create", "rolebindings", "-n", TEAM).stdout.strip() == "no"


def test_reporter_can_only_look(kubectl_as):
    assert kubectl_as("s0001", "get", "pods", "-n", COURSE).returncode == 0
    denied = kubectl_as("s0001", "create", "configmap", "x", "-n", COURSE, "--from-literal=a=b")
    assert denied.returncode != 0
    assert 'User "s0001" cannot create resource "configmaps"' in denied.stderr


def test_non_members_are_forbidden(kubectl_as):
    denied = kubectl_as("s0004", "get", "pods", "-n", TEAM)
    assert denied.returncode != 0
    assert f'User "s0004" cannot list resource "pods" in API group "" in the namespace "{TEAM}"' in denied.stderr


def test_maintainer_administers_the_project_namespace(kubectl_as):
    robot = "p-courses-cs101-team-1-robot"
    assert kubectl_as("s0003", "auth", "can-i", "create", "rolebindings", "-n", robot).stdout.strip() == "yes"
    assert kubectl_as("s0003", "auth", "can-i", "get", "pods", "-n", TEAM).stdout.strip() == "no"
