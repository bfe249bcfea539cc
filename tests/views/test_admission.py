"""/kubernetes/admission/protect: what kube-apiserver asks, what campus answers, and bad reviews refused."""

import json

import pytest

from tests.helpers import CAMPUS_USER as CAMPUS
from tests.helpers import admission_review as review


@pytest.fixture
def apiserver(settings):
    settings.CAMPUS_ADMISSION_SECRET = "admission-secret"
    settings.CAMPUS_KUBE_USERNAME = CAMPUS
    return {"HTTP_AUTHORIZATION": "Bearer admission-secret"}


def post(client, body, headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/kubernetes/admission/protect", data, content_type="application/json", **headers)


def test_the_answer_echoes_the_uid_with_a_403_status(client, apiserver):
    answer = post(client, review(), apiserver).json()
    assert answer["apiVersion"] == "admission.k8s.io/v1" and answer["kind"] == "AdmissionReview"
    assert answer["response"]["uid"] == "705ab4f5-6393-11e8-b7cc-42010a800002"
    assert answer["response"]["allowed"] is False and answer["response"]["status"]["code"] == 403


def test_campus_itself_is_allowed(client, apiserver):
    answer = post(client, review(user=CAMPUS), apiserver).json()
    assert answer["response"] == {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": True}


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"HTTP_AUTHORIZATION": "Bearer wrong"}, 401)])
def test_callers_without_the_secret_are_refused(client, apiserver, headers, status):
    assert post(client, review(), headers).status_code == status


def test_no_secret_configured_refuses_everyone(client, settings):
    settings.CAMPUS_ADMISSION_SECRET = ""
    assert post(client, review(), {"HTTP_AUTHORIZATION": "Bearer "}).status_code == 401


@pytest.mark.parametrize(("body", "error"), [
    ("not json", "not JSON"),
    ({"kind": "TokenReview", "apiVersion": "admission.k8s.io/v1"}, "expected kind AdmissionReview"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1beta1", "request": {}}, "apiVersion must be"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"operation": "UPDATE"}},
     "request.uid"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": "u", "operation": "X"}},
     "request.operation"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",
      "request": {"uid": "u", "operation": "UPDATE", "object": "x"}}, "request.object must be an object"),
])
def test_bad_reviews_get_a_clear_error(client, apiserver, body, error):
    response = post(client, body, apiserver)
    assert response.status_code == 400 and error in response.json()["error"]
