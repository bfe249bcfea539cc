"""The portal shell: probes, sign-out, the dashboard's guard and the admin site's guard."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_readyz_checks_the_database(client):
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get("/readyz").status_code == 503


def test_dashboard_needs_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_sign_out_ends_the_session(client, ldap_settings):
    client.post("/login/", {"username": "s0020", "password": "s0020-pw"})
    assert client.get("/").status_code == 200

    client.post("/logout/")

    assert client.get("/").status_code == 302


def test_admin_site_is_closed_to_students_and_staff(client, ldap_settings):
    for username in ("s0021", "prof.okafor"):
        client.post("/login/", {"username": username, "password": f"{username}-pw"})
        assert client.get("/admin/").status_code == 302
        client.post("/logout/")


def test_admin_site_is_open_to_the_admin_role(client, ldap_settings):
    client.post("/login/", {"username": "admin.ops", "password": "admin.ops-pw"})
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(username="admin.ops").is_superuser


def test_pages_load_no_external_resources(client, ldap_settings):
    client.post("/login/", {"username": "s0022", "password": "s0022-pw"})
    for path in ("/", "/login/"):
        body = client.get(path).content.decode()
        assert "http://" not in body and "https://" not in body
    css = client.get("/static/campus/campus.css")
    assert css.status_code == 200
