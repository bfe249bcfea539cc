"""API fault switches as python-gitlab experiences them: 5xx answers and hangs."""

import gitlab
import pytest
import requests

from tests.devstack.gitlab.conftest import ADMIN_TOKEN


@pytest.fixture
def course(server):
    return server.create_group("CS 101", "cs101")


def test_the_next_calls_fail_with_a_500_then_recover(server, gl, course):
    server.faults.fail_next = 1
    with pytest.raises(gitlab.GitlabGetError) as error:
        gl.groups.get("cs101")
    assert error.value.response_code == 500 and error.value.error_message == "500 Internal Server Error"
    assert gl.groups.get("cs101").id == course.id


def test_python_gitlab_retries_transient_errors_when_asked(server, course):
    server.faults.fail_next = 2
    server.faults.error_status = 503
    patient = gitlab.Gitlab(server.url, private_token=ADMIN_TOKEN, retry_transient_errors=True)
    assert patient.groups.get("cs101").id == course.id
    assert server.requests.count(("GET", "/groups/cs101")) == 3


def test_gateway_errors_answer_html_like_the_proxy_in_front_of_gitlab(server, course):
    server.faults.fail_next = 1
    server.faults.error_status = 502
    answer = requests.get(f"{server.url}/api/v4/groups/cs101", headers={"PRIVATE-TOKEN": ADMIN_TOKEN})
    assert answer.status_code == 502 and answer.headers["Content-Type"] == "text/html"


def test_an_error_rate_fails_some_calls_and_is_repeatable(server, course):
    server.faults.error_rate = 0.5
    statuses = [requests.get(f"{server.url}/api/v4/groups", headers={"PRIVATE-TOKEN": ADMIN_TOKEN}).status_code
                for _ in range(20)]
    assert set(statuses) == {200, 500}


def test_faults_can_target_some_paths_only(server, gl, course):
    server.faults.fail_next = 5
    server.faults.only_paths = r"/members"
    assert gl.groups.get("cs101").id == course.id
    with pytest.raises(gitlab.GitlabListError):
        gl.groups.get("cs101").members.list(get_all=True)


def test_a_hanging_api_times_the_client_out(server, course):
    server.faults.latency_seconds = 2
    impatient = gitlab.Gitlab(server.url, private_token=ADMIN_TOKEN, timeout=0.1)
    with pytest.raises(requests.exceptions.Timeout):
        impatient.groups.get("cs101")
