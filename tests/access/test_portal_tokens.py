"""Downloading a kubeconfig and managing tokens in the portal."""

import base64

import pytest
import yaml
from django.contrib.auth.models import User

from tenants.access.tokens import hash_token, identity_for_token, mint_token
from tenants.models import AccessToken, ManagedNamespace

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(client, settings, tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    settings.CAMPUS_KUBE_PUBLIC_URL = "https://k8s.campus.example:6443"
    settings.CAMPUS_KUBE_PUBLIC_CA_FILE = str(ca)
    user = User.objects.create(username="s0001")
    client.force_login(user)
    return user


def test_download_gives_a_working_kubeconfig_with_a_fresh_token(client, student):
    ManagedNamespace.objects.create(name="u-s0001", kind="personal", owner=student, tier="student")

    response = client.post("/tokens/kubeconfig", {"label": "laptop"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="campus-kubeconfig.yaml"'
    assert response["Cache-Control"] == "no-store"
    config = yaml.safe_load(response.content)
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == "https://k8s.campus.example:6443"
    assert base64.b64decode(cluster["certificate-authority-data"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert config["contexts"][0]["context"] == {"cluster": "campus", "user": "s0001", "namespace": "u-s0001"}
    token = config["users"][0]["user"]["token"]
    assert identity_for_token(token).username == "s0001"
    record = AccessToken.objects.get(user=student)
    assert record.label == "laptop" and record.token_hash == hash_token(token)


def test_token_list_shows_prefixes_never_tokens(client, student):
    token, _ = mint_token(student, label="lab pc")

    page = client.get("/tokens/").content.decode()

    assert "lab pc" in page and token[:13] in page and token not in page


def test_revoke_own_token(client, student):
    token, record = mint_token(student)

    response = client.post(f"/tokens/{record.pk}/revoke", follow=True)

    assert b"Token revoked" in response.content
    assert identity_for_token(token) is None


def test_cannot_revoke_a_classmates_token(client, student):
    token, record = mint_token(User.objects.create(username="s0002"))

    response = client.post(f"/tokens/{record.pk}/revoke", follow=True)

    assert b"No such active token of yours" in response.content
    assert identity_for_token(token) is not None


def test_overlong_label_is_refused_and_mints_nothing(client, student):
    response = client.post("/tokens/kubeconfig", {"label": "x" * 101})

    assert response.status_code == 400 and b"at most 100 characters" in response.content
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(("method", "path"), [("get", "/tokens/kubeconfig"), ("get", "/tokens/1/revoke")])
def test_state_changes_need_post(client, student, method, path):
    assert getattr(client, method)(path).status_code == 405


def test_signed_out_users_are_sent_to_sign_in(client):
    for path in ("/tokens/", "/tokens/kubeconfig"):
        response = client.post(path) if path.endswith("kubeconfig") else client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_csrf_protects_the_download(student):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(student)
    assert strict.post("/tokens/kubeconfig").status_code == 403
    assert not AccessToken.objects.exists()
