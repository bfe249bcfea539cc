"""Login rate limiting per username and per client address."""

import pytest
from django.contrib.auth.models import User

from tenants.infra.ldap import LdapDirectory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_too_many_failures_for_a_username_lock_it_without_asking_ldap(client, ldap_settings, monkeypatch):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 3, "PER_ADDRESS": 100}
    for _ in range(3):
        assert sign_in(client, "s0005", "wrong").status_code == 200
    asked = []
    monkeypatch.setattr(LdapDirectory, "authenticate", lambda self, *args: asked.append(args))

    response = sign_in(client, "S0005", "s0005-pw", address="10.0.0.2")

    assert response.status_code == 429
    assert b"Too many failed sign-ins. Try again in 15 minute(s)" in response.content
    assert asked == [] and not User.objects.exists()


def test_other_usernames_are_not_locked_by_someone_elses_failures(client, ldap_settings):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 2, "PER_ADDRESS": 100}
    for _ in range(2):
        sign_in(client, "s0005", "wrong")

    assert sign_in(client, "s0006", "s0006-pw").status_code == 302


def test_too_many_failures_from_an_address_lock_that_address(client, ldap_settings):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 100, "PER_ADDRESS": 3}
    for name in ("s0007", "s0008", "s0009"):
        sign_in(client, name, "wrong", address="10.9.9.9")

    assert sign_in(client, "s0010", "s0010-pw", address="10.9.9.9").status_code == 429
    assert sign_in(client, "s0010", "s0010-pw", address="10.9.9.10").status_code == 302


def test_a_success_clears_the_usernames_failures(client, ldap_settings):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 3, "PER_ADDRESS": 100}
    sign_in(client, "s0011", "wrong")
    sign_in(client, "s0011", "wrong")
    assert sign_in(client, "s0011", "s0011-pw").status_code == 302
    client.post("/logout/")

    sign_in(client, "s0011", "wrong")
    sign_in(client, "s0011", "wrong")

    assert sign_in(client, "s0011", "s0011-pw").status_code == 302


def test_failures_leave_the_window(client, ldap_settings):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 2, "PER_ADDRESS": 100}
    sign_in(client, "s0012", "wrong")
    sign_in(client, "s0012", "wrong")
    from datetime import timedelta

    from tenants.models import LoginFailure

    LoginFailure.objects.update(at=LoginFailure.objects.first().at - timedelta(seconds=901))

    assert sign_in(client, "s0012", "s0012-pw").status_code == 302


def test_client_address_header_is_used_behind_an_ingress(client, ldap_settings):
    ldap_settings.CAMPUS_LOGIN_LIMITS = {"WINDOW_SECONDS": 900, "PER_USERNAME": 100, "PER_ADDRESS": 2}
    ldap_settings.CAMPUS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for name in ("s0013", "s0014"):
        client.post("/login/", {"username": name, "password": "wrong"}, HTTP_X_REAL_IP="192.0.2.7")

    blocked = client.post("/login/", {"username": "s0015", "password": "s0015-pw"}, HTTP_X_REAL_IP="192.0.2.7")
    other = client.post("/login/", {"username": "s0015", "password": "s0015-pw"}, HTTP_X_REAL_IP="192.0.2.8")

    assert (blocked.status_code, other.status_code) == (429, 302)
