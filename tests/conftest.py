"""Session fixtures: a real PostgreSQL for Django's test database and a real slapd with the test university."""

import pytest

from campus.env import database_from_url
from devstack.directory import university
from devstack.postgres import PostgresServer
from devstack.slapd import Slapd
from devstack.tls import make_server_certificate


@pytest.fixture(scope="session")
def postgres():
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgres, django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    # Mutated in place before any connection exists, so Django's connection handler sees PostgreSQL.
    settings.DATABASES["default"].clear()
    settings.DATABASES["default"].update(database_from_url(postgres.url("campus")))


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
