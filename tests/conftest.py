"""Session fixtures: the real PostgreSQL behind Django's test database and a real slapd with the test university."""

import pytest

from devstack.directory import university
from devstack.slapd import Slapd
from devstack.tls import make_server_certificate


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL cluster that also holds Django's test database (started by tests/settings.py)."""
    from tests.settings import TEST_POSTGRES

    return TEST_POSTGRES


@pytest.fixture(scope="session")
def ldap_tls(tmp_path_factory):
    return make_server_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def slapd(ldap_tls):
    with Slapd(university(), tls=ldap_tls) as server:
        yield server


@pytest.fixture
def ldap_settings(settings, slapd):
    """Point campus at the fixture directory (memberOf mode, no TLS); tests adjust single keys."""
    directory = slapd.directory
    settings.CAMPUS_LDAP = {
        "URIS": [slapd.uri], "START_TLS": False, "CA_FILE": "", "BIND_DN": directory.service_dn,
        "BIND_PASSWORD": directory.service_password, "USER_BASE": directory.people_base,
        "USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))", "GROUP_BASE": "",
        "GROUP_FILTER": "(&(objectClass=groupOfNames)(member={user_dn}))", "TIMEOUT_SECONDS": 2,
    }
    settings.CAMPUS_ROLE_GROUPS = {
        "student": [directory.group_dn("students")], "staff": [directory.group_dn("staff")],
        "admin": [directory.group_dn("campus-admins")],
    }
    return settings
