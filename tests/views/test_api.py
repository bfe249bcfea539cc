"""The JSON API against its OpenAPI schema: every documented answer is produced and validates."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tenants.access.tokens import mint_token
from tenants.models import ManagedNamespace, Membership, NamespaceRequest
from tenants.views.api_schema import PATHS, schema
from tests.helpers import Api

pytestmark = pytest.mark.django_db
SCHEMA = schema()


@pytest.fixture(scope="module")
def seen():
    return set()


@pytest.fixture(autouse=True)
def quiet_engine(monkeypatch, settings):
    settings.CAMPUS_AUTO_APPROVED_NAMESPACES = 1
    monkeypatch.setattr("tenants.approvals.services.after_commit", lambda *args: None)


@pytest.fixture
def student():
    return User.objects.create(username="s0001", email="s0001@example.edu")


@pytest.fixture
def api(client, student, seen):
    client.force_login(student)
    return Api(client, seen)


def end_date() -> str:
    return (timezone.localdate() + timedelta(days=10)).isoformat()


def test_anonymous_and_bad_tokens_get_401_with_a_challenge(client, seen):
    for template in ("/api/v1/namespaces", "/api/v1/requests", "/api/v1/tokens"):
        response = Api(client, seen).call("get", template, template)
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert Api(client, seen, token="campus_forged").call("get", "/api/v1/namespaces",
                                                         "/api/v1/namespaces").status_code == 401
    for template, path in (("/api/v1/namespaces/{name}", "/api/v1/namespaces/x"),
                           ("/api/v1/requests/{id}", "/api/v1/requests/1")):
        assert Api(client, seen).call("get", path, template).status_code == 401
    assert Api(client, seen).call("post", "/api/v1/requests/1/decision", "/api/v1/requests/{id}/decision",
                                  body={"approve": True}).status_code == 401
    assert Api(client, seen).call("delete", "/api/v1/tokens/1", "/api/v1/tokens/{id}").status_code == 401
    for template in ("/api/v1/requests", "/api/v1/tokens"):
        assert Api(client, seen).call("post", template, template, body={}).status_code == 401


def test_namespaces_are_the_callers_own(api, student):
    mine = ManagedNamespace.objects.create(name="g-team", kind="group", gitlab_id=1, tier="course")
    Membership.objects.create(namespace=mine, username="s0001", role="edit")
    ManagedNamespace.objects.create(name="g-other", kind="group", gitlab_id=2, tier="course")

    listed = api.call("get", "/api/v1/namespaces", "/api/v1/namespaces").json()["namespaces"]
    assert [(n["name"], n["role"]) for n in listed] == [("g-team", "edit")]
    detail = api.call("get", "/api/v1/namespaces/g-team", "/api/v1/namespaces/{name}").json()
    assert detail["members"] == [{"username": "s0001", "role": "edit"}]
    assert api.call("get", "/api/v1/namespaces/g-other", "/api/v1/namespaces/{name}").status_code == 404


def test_requests_through_the_api(api, student, seen, client):
    created = api.call("post", "/api/v1/requests", "/api/v1/requests",
                       body={"kind": "namespace", "name": "robots", "purpose": "thesis", "end_date": end_date()})
    assert created.status_code == 201 and created.json()["status"] == "approved"
    queued = api.call("post", "/api/v1/requests", "/api/v1/requests",
                      body={"kind": "namespace", "name": "second", "purpose": "x", "end_date": end_date()}).json()
    assert queued["status"] == "pending"
    quota = api.call("post", "/api/v1/requests", "/api/v1/requests", body={
        "kind": "quota", "namespace": "r-robots", "quota_values": {"requests.cpu": "4"}, "justification": "sims"})
    assert quota.status_code == 201 and quota.json()["namespace"] == "r-robots"
    for bad in ({"kind": "vm"}, {"kind": "namespace", "name": 5, "purpose": "x", "end_date": end_date()},
                {"kind": "namespace", "name": "x", "purpose": "x", "end_date": "tomorrow"},
                {"kind": "quota", "namespace": "r-robots", "quota_values": {"pods": 3}, "justification": "x"}):
        answer = api.call("post", "/api/v1/requests", "/api/v1/requests", body=bad)
        assert answer.status_code == 400 and answer.json()["errors"]
    assert api.call("post", "/api/v1/requests", "/api/v1/requests", raw="{not json").status_code == 400
    assert api.call("post", "/api/v1/requests", "/api/v1/requests", raw="[1]").status_code == 400
    assert NamespaceRequest.objects.count() == 3  # bad input changed nothing

    listed = api.call("get", "/api/v1/requests", "/api/v1/requests", status="pending").json()["requests"]
    assert [r["id"] for r in listed] == [quota.json()["id"], queued["id"]]
    assert api.call("get", f"/api/v1/requests/{queued['id']}", "/api/v1/requests/{id}").status_code == 200
    assert api.call("post", f"/api/v1/requests/{queued['id']}/decision", "/api/v1/requests/{id}/decision",
                    body={"approve": True}).status_code == 403  # students do not decide

    admin = User.objects.create(username="admin.ops", is_staff=True)
    client.force_login(admin)
    desk = Api(client, seen)
    everyone = desk.call("get", "/api/v1/requests", "/api/v1/requests", all="1").json()["requests"]
    assert len(everyone) == 3
    assert desk.call("post", "/api/v1/requests/999/decision", "/api/v1/requests/{id}/decision",
                     body={"approve": True}).status_code == 404
    assert desk.call("post", f"/api/v1/requests/{queued['id']}/decision", "/api/v1/requests/{id}/decision",
                     body={"approve": "yes"}).status_code == 400
    decided = desk.call("post", f"/api/v1/requests/{queued['id']}/decision", "/api/v1/requests/{id}/decision",
                        body={"approve": False, "comment": "one is enough"})
    assert decided.json()["status"] == "denied"

    client.force_login(User.objects.create(username="s0002"))
    assert Api(client, seen).call("get", f"/api/v1/requests/{queued['id']}", "/api/v1/requests/{id}").status_code \
        == 404


def test_tokens_through_the_api(api, student, client, seen):
    assert api.call("post", "/api/v1/tokens", "/api/v1/tokens", body={"label": 7}).status_code == 400
    minted = api.call("post", "/api/v1/tokens", "/api/v1/tokens", body={"label": "ci"})
    assert minted.status_code == 201 and minted.json()["token"].startswith("campus_")
    listed = api.call("get", "/api/v1/tokens", "/api/v1/tokens").json()["tokens"]
    assert [t["label"] for t in listed] == ["ci"] and "token" not in listed[0]

    by_token = Api(Client(), seen, token=minted.json()["token"])
    assert by_token.call("get", "/api/v1/namespaces", "/api/v1/namespaces").status_code == 200
    assert by_token.call("post", "/api/v1/tokens", "/api/v1/tokens", body={}).status_code == 403
    wrong_method = api.client.put("/api/v1/tokens/1")
    assert (wrong_method.status_code, wrong_method["Allow"]) == (405, "DELETE") and wrong_method.json()["error"]
    assert api.call("delete", f"/api/v1/tokens/{minted.json()['id']}", "/api/v1/tokens/{id}").status_code == 204
    assert api.call("delete", f"/api/v1/tokens/{minted.json()['id']}", "/api/v1/tokens/{id}").status_code == 404
    assert by_token.call("get", "/api/v1/namespaces", "/api/v1/namespaces").status_code == 401  # revoked


def test_sessions_need_csrf_for_changes(student, seen):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(student)
    answer = Api(strict, seen).call("post", "/api/v1/tokens", "/api/v1/tokens", body={})
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
    assert Api(strict, seen).call("post", "/api/v1/requests", "/api/v1/requests", body={}).status_code == 403
    assert Api(strict, seen).call("delete", "/api/v1/tokens/1", "/api/v1/tokens/{id}").status_code == 403
    token, _ = mint_token(student)
    with_token = Client(enforce_csrf_checks=True)
    assert Api(with_token, seen, token=token).call("get", "/api/v1/tokens", "/api/v1/tokens").status_code == 200


def test_the_schema_is_served_and_every_documented_answer_was_exercised(client, seen):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json() == json.loads(json.dumps(SCHEMA))
    documented = {(path, method, status) for path, methods in PATHS.items()  # the core's; apps test their own
                  for method, operation in methods.items() for status in operation["responses"]}
    assert documented - seen == set()
