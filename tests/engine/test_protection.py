"""The protecting admission webhook: what kube-apiserver asks, what campus answers, and bad reviews refused."""

import json

import pytest

from tenants.engine.protection import decide

CAMPUS = "system:serviceaccount:campus-system:campus"
MANAGED = {"app.kubernetes.io/managed-by": "campus"}
PORTAL = "https://campus.example.edu"


def review(operation="UPDATE", user="s0003", kind="NetworkPolicy", new_labels=MANAGED, old_labels=MANAGED,
           uid="705ab4f5-6393-11e8-b7cc-42010a800002"):
    obj = {"metadata": {"name": "campus-isolation", "namespace": "g-a", "labels": new_labels}}
    old = {"metadata": {"name": "campus-isolation", "namespace": "g-a", "labels": old_labels}}
    request = {"uid": uid, "kind": {"group": "networking.k8s.io", "version": "v1", "kind": kind},
               "operation": operation, "namespace": "g-a", "name": "campus-isolation",
               "userInfo": {"username": user, "groups": ["campus:student", "system:authenticated"]},
               "object": None if operation == "DELETE" else obj, "oldObject": None if operation == "CREATE" else old}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


@pytest.mark.parametrize(("operation", "user", "new", "old", "allowed"), [
    ("UPDATE", CAMPUS, MANAGED, MANAGED, True),
    ("UPDATE", "s0003", MANAGED, MANAGED, False),
    ("UPDATE", "s0003", {}, MANAGED, False),  # stripping campus's label
    ("UPDATE", "s0003", MANAGED, {}, False),  # putting it on someone else's object
    ("CREATE", "s0003", MANAGED, None, False),
    ("DELETE", "s0003", None, MANAGED, False),
    ("DELETE", "system:serviceaccount:kube-system:namespace-controller", None, MANAGED, True),
    ("UPDATE", "system:serviceaccount:kube-system:namespace-controller", MANAGED, MANAGED, False),
    ("UPDATE", "s0003", {"team": "x"}, {"team": "y"}, True),  # not campus's: not campus's business
])
def test_decisions(operation, user, new, old, allowed):
    request = review(operation, user, new_labels=new, old_labels=old)["request"]
    assert decide(request, CAMPUS, PORTAL).allowed is allowed


@pytest.mark.parametrize(("kind", "hint"), [
    ("ResourceQuota", "ask for it in the portal: https://campus.example.edu/namespaces/g-a/"),
    ("NetworkPolicy", "add a NetworkPolicy of your own beside it"),
    ("RoleBinding", "come from GitLab"),
])
def test_a_refusal_says_how_to_ask(kind, hint):
    decision = decide(review(kind=kind)["request"], CAMPUS, PORTAL)
    assert not decision.allowed and "is managed by campus" in decision.message and hint in decision.message


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
