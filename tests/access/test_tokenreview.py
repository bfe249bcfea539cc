"""campus's TokenReview webhook, as kube-apiserver calls it."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from tenants.access.tokens import identity_for_token, mint_token, revoke_token
from tenants.models import AccessToken

pytestmark = pytest.mark.django_db
SECRET = "apiserver-to-campus"


@pytest.fixture
def student(settings):
    settings.CAMPUS_TOKENREVIEW_SECRET = SECRET
    user = User.objects.create(username="s0001")
    user.groups.add(Group.objects.create(name="student"))
    return user


def review(client, token, secret=SECRET, api_version="authentication.k8s.io/v1", **overrides):
    body = {"apiVersion": api_version, "kind": "TokenReview", "spec": {"token": token}, **overrides}
    return client.post("/kubernetes/tokenreview", json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_valid_token_answers_with_the_ldap_uid_and_campus_groups(client, student):
    token, _ = mint_token(student)

    answer = review(client, token).json()

    assert answer["apiVersion"] == "authentication.k8s.io/v1" and answer["kind"] == "TokenReview"
    assert answer["status"] == {"authenticated": True,
                                "user": {"username": "s0001", "uid": str(student.pk), "groups": ["campus:student"]}}


def test_v1beta1_reviews_get_a_v1beta1_answer(client, student):
    token, _ = mint_token(student)
    answer = review(client, token, api_version="authentication.k8s.io/v1beta1").json()
    assert answer["apiVersion"] == "authentication.k8s.io/v1beta1" and answer["status"]["authenticated"]


def test_only_the_hash_is_stored(student):
    token, record = mint_token(student)
    assert token not in json.dumps(list(AccessToken.objects.values()), default=str)
    assert record.prefix and token.startswith(record.prefix)


@pytest.mark.parametrize("spoil", ["expired", "revoked", "unknown", "inactive_user"])
def test_unusable_tokens_are_not_authenticated(client, student, spoil):
    token, record = mint_token(student)
    if spoil == "expired":
        AccessToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoked":
        assert revoke_token(student, record.pk)
    elif spoil == "unknown":
        token = token[:-4] + "AAAA"
    else:
        User.objects.filter(pk=student.pk).update(is_active=False)

    answer = review(client, token)

    assert answer.status_code == 200
    assert answer.json()["status"]["authenticated"] is False
    assert "user" not in answer.json()["status"]


def test_token_lifetime_follows_the_setting(student, settings):
    settings.CAMPUS_TOKEN_LIFETIME_HOURS = 2
    _, record = mint_token(student)
    assert timedelta(hours=1, minutes=59) < record.expires_at - timezone.now() <= timedelta(hours=2)
    assert identity_for_token("campus_nope") is None


def test_someone_else_cannot_revoke_my_token(student):
    _, record = mint_token(student)
    other = User.objects.create(username="s0002")
    assert not revoke_token(other, record.pk)
    assert AccessToken.objects.get(pk=record.pk).revoked_at is None


@pytest.mark.parametrize("secret", ["", "wrong"])
def test_callers_without_the_apiserver_secret_are_refused(client, student, secret):
    token, _ = mint_token(student)
    assert review(client, token, secret=secret).status_code == 401


def test_not_configured_refuses_everyone(client, student, settings):
    settings.CAMPUS_TOKENREVIEW_SECRET = ""
    token, _ = mint_token(student)
    assert review(client, token, secret="").status_code == 401


@pytest.mark.parametrize(("body", "reason"), [
    ("not json", "body is not JSON"),
    (json.dumps([1]), "expected kind TokenReview"),
    (json.dumps({"kind": "Pod", "apiVersion": "v1"}), "expected kind TokenReview"),
    (json.dumps({"kind": "TokenReview", "apiVersion": "v9"}), "apiVersion must be one of"),
    (json.dumps({"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "spec": {}}), "spec.token"),
    (json.dumps({"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "spec": "x"}), "spec.token"),
])
def test_malformed_reviews_get_a_clear_400(client, student, body, reason):
    response = client.post("/kubernetes/tokenreview", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {SECRET}")
    assert response.status_code == 400 and reason in response.json()["error"]


def test_get_is_not_allowed(client, student):
    assert client.get("/kubernetes/tokenreview", HTTP_AUTHORIZATION=f"Bearer {SECRET}").status_code == 405
