"""How campus is pointed at the devstack services: the same environment variables production uses."""

from devstack.postgres import PostgresServer
from devstack.slapd import Slapd


def campus_environment(ldap: Slapd, postgres: PostgresServer, dbname: str = "campus") -> dict[str, str]:
    directory = ldap.directory
    return {
        "CAMPUS_DEMO": "1",
        "DATABASE_URL": postgres.url(dbname),
        "CAMPUS_LDAP_URIS": ldap.uri,
        "CAMPUS_LDAP_BIND_DN": directory.service_dn,
        "CAMPUS_LDAP_BIND_PASSWORD": directory.service_password,
        "CAMPUS_LDAP_USER_BASE": directory.people_base,
        "CAMPUS_LDAP_STUDENT_GROUPS": directory.group_dn("students"),
        "CAMPUS_LDAP_STAFF_GROUPS": directory.group_dn("staff"),
        "CAMPUS_LDAP_ADMIN_GROUPS": directory.group_dn("campus-admins"),
        "CAMPUS_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def create_database(postgres: PostgresServer, dbname: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
