"""Signing in through the real login page against the real slapd fixture."""

import socket
import threading

import ldap3
import pytest
from django.contrib.auth.models import User

from devstack.net import free_port

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_good_login_creates_the_user_with_directory_details(client, ldap_settings):
    response = sign_in(client, "s0001", "s0001-pw")

    assert response.status_code == 302 and response.url == "/"
    user = User.objects.get(username="s0001")
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Meyer", "s0001@campus.example")
    assert set(user.groups.values_list("name", flat=True)) == {"student"}
    assert not user.is_staff and not user.has_usable_password()
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and b'href="/namespaces/u-s0001/"' in dashboard.content  # recorded at sign-in


def test_username_is_canonicalised_to_the_directory_uid(client, ldap_settings):
    assert sign_in(client, "S0001", "s0001-pw").status_code == 302
    assert list(User.objects.values_list("username", flat=True)) == ["s0001"]


@pytest.mark.parametrize(("username", "password"), [("s0001", "wrong"), ("nobody", "s0001-pw")])
def test_wrong_password_and_unknown_user_get_the_same_answer(client, ldap_settings, username, password):
    response = sign_in(client, username, password)

    assert response.status_code == 200
    assert b"Wrong username or password" in response.content
    assert not User.objects.exists()


def test_empty_password_is_refused_without_binding(client, ldap_settings, monkeypatch):
    binds = []
    monkeypatch.setattr(ldap3.Connection, "bind", lambda self, *a, **k: binds.append(self.user))

    response = sign_in(client, "s0001", "")

    assert response.status_code == 200 and b"This field is required" in response.content
    assert binds == [] and not User.objects.exists()


def test_backend_refuses_empty_password_even_when_called_directly(ldap_settings):
    from django.contrib.auth import authenticate

    assert authenticate(None, username="s0001", password="") is None
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["*", "*)(uid=*))(|(uid=*", "s0001)(|(uid=*", "s*", "\\2a", "s0001\x00"])
def test_injection_strings_sign_nobody_in(client, ldap_settings, username):
    response = sign_in(client, username, "s0001-pw")

    assert response.status_code == 200
    assert not User.objects.exists()


def test_user_in_no_allowed_group_is_told_why(client, ldap_settings):
    response = sign_in(client, "guest.visitor", "guest.visitor-pw")

    assert response.status_code == 200
    assert b"not in a group that may use campus" in response.content
    assert not User.objects.exists()


def test_roles_follow_the_directory_at_every_login(client, ldap_settings, slapd):
    admins = slapd.directory.group_dn("campus-admins")
    student = slapd.directory.user_dn("s0002")
    with slapd.admin_connection() as conn:
        conn.modify(admins, {"member": [(ldap3.MODIFY_ADD, [student])]})
    try:
        sign_in(client, "s0002", "s0002-pw")
        user = User.objects.get(username="s0002")
        assert user.is_staff and user.is_superuser
        assert set(user.groups.values_list("name", flat=True)) == {"student", "admin"}
        assert client.get("/admin/").status_code == 200
    finally:
        with slapd.admin_connection() as conn:
            conn.modify(admins, {"member": [(ldap3.MODIFY_DELETE, [student])]})
    client.post("/logout/")

    sign_in(client, "s0002", "s0002-pw")

    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert set(user.groups.values_list("name", flat=True)) == {"student"}
    assert client.get("/admin/").status_code == 302  # the admin site sends non-admins to its login


def test_group_search_mode_finds_the_same_roles(client, ldap_settings, slapd):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "GROUP_BASE": slapd.directory.groups_base}

    assert sign_in(client, "prof.lang", "prof.lang-pw").status_code == 302
    assert set(User.objects.get(username="prof.lang").groups.values_list("name", flat=True)) == {"staff"}


def test_starttls_with_the_directory_ca(client, ldap_settings, ldap_tls):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "START_TLS": True, "CA_FILE": str(ldap_tls.ca_cert)}

    assert sign_in(client, "s0003", "s0003-pw").status_code == 302


def test_starttls_refuses_a_directory_with_an_unknown_ca(client, ldap_settings, tmp_path):
    from devstack.tls import make_server_certificate

    other_ca = make_server_certificate(tmp_path / "other").ca_cert
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "START_TLS": True, "CA_FILE": str(other_ca)}

    response = sign_in(client, "s0003", "s0003-pw")

    assert response.status_code == 503 and b"directory is not answering" in response.content
    assert not User.objects.exists()


def test_directory_down_gives_a_clear_page_not_a_500(client, ldap_settings):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "URIS": [f"ldap://127.0.0.1:{free_port()}"]}

    response = sign_in(client, "s0001", "s0001-pw")

    assert response.status_code == 503
    assert b"directory is not answering" in response.content


@pytest.fixture
def silent_directory():
    """A server that accepts LDAP connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for conn, _ in accepted:
        conn.close()


def test_slow_directory_times_out_with_a_clear_page(client, ldap_settings, silent_directory):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "URIS": [silent_directory], "TIMEOUT_SECONDS": 1}

    response = sign_in(client, "s0001", "s0001-pw")

    assert response.status_code == 503
    assert b"directory is not answering" in response.content


def test_second_directory_server_is_used_when_the_first_is_down(client, ldap_settings, slapd):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "URIS": [f"ldap://127.0.0.1:{free_port()}", slapd.uri]}

    assert sign_in(client, "s0004", "s0004-pw").status_code == 302


def test_wrong_service_password_is_an_unavailable_directory(client, ldap_settings, caplog):
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "BIND_PASSWORD": "not-the-service-password"}

    response = sign_in(client, "s0001", "s0001-pw")

    assert response.status_code == 503
    assert "LDAP service bind failed" in caplog.text
    assert "not-the-service-password" not in caplog.text


def test_passwords_never_reach_the_logs(client, ldap_settings, caplog):
    caplog.set_level("DEBUG")
    sign_in(client, "s0001", "s0001-pw")
    client.post("/logout/")
    sign_in(client, "s0002", "Secret-Typo-4711")
    ldap_settings.CAMPUS_LDAP = {**ldap_settings.CAMPUS_LDAP, "URIS": [f"ldap://127.0.0.1:{free_port()}"]}
    sign_in(client, "s0003", "Secret-Down-0815")

    assert caplog.records, "the directory outage should have been logged"
    for secret in ("s0001-pw", "Secret-Typo-4711", "Secret-Down-0815", "service-secret"):
        assert secret not in caplog.text
