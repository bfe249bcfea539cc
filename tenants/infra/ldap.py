"""The LDAP directory, through ldap3: find a user with the service account, check the password by binding as them.

I/O only. Every way the directory can fail to answer becomes DirectoryUnavailable; a wrong password or an
unknown user is simply no match (None), so callers cannot tell the two apart by accident.
"""

import logging
import ssl
from dataclasses import dataclass

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from tenants.infra.telemetry import call_span

log = logging.getLogger(__name__)
INVALID_CREDENTIALS = 49


class DirectoryUnavailable(Exception):
    """The directory could not be reached or did not answer in time."""


@dataclass(frozen=True)
class DirectoryUser:
    dn: str
    uid: str
    first_name: str
    last_name: str
    email: str
    groups: frozenset[str]


def _first(entry: dict, name: str) -> str:
    values = entry.get(name) or []
    return str(values[0]) if values else ""


class LdapDirectory:
    def __init__(self, config: dict):
        self.config = config
        timeout = config["TIMEOUT_SECONDS"]
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, version=ssl.PROTOCOL_TLS_CLIENT,
                        ca_certs_file=config["CA_FILE"] or None)
        servers = [ldap3.Server(uri, connect_timeout=timeout, get_info=ldap3.NONE, tls=tls) for uri in config["URIS"]]
        # One pass over the servers in order; an unreachable one is skipped for the rest of this attempt.
        self._pool = ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True)

    def _connect(self, user: str, password: str) -> ldap3.Connection:
        conn = ldap3.Connection(self._pool, user=user, password=password, read_only=True, auto_referrals=False,
                                receive_timeout=self.config["TIMEOUT_SECONDS"], raise_exceptions=False)
        conn.open()
        if self.config["START_TLS"] and not conn.start_tls():
            raise DirectoryUnavailable("StartTLS failed")
        conn.bind()
        return conn

    def authenticate(self, username: str, password: str) -> DirectoryUser | None:
        """The directory's user when the password is right; None for an unknown user or a wrong password."""
        if not username or not password:
            return None  # an empty password is an anonymous bind, which LDAP reports as success
        try:
            with call_span("ldap authenticate"):  # never the username's password, nor the DN searched for
                return self._authenticate(username, password)
        except LDAPException as error:
            log.warning("LDAP directory unavailable: %s", type(error).__name__)
            raise DirectoryUnavailable(str(type(error).__name__)) from None

    def _authenticate(self, username: str, password: str) -> DirectoryUser | None:
        service = self._connect(self.config["BIND_DN"], self.config["BIND_PASSWORD"])
        try:
            if not service.bound:
                log.error("LDAP service bind failed: %s", service.result.get("description"))
                raise DirectoryUnavailable("service bind failed")
            user_filter = self.config["USER_FILTER"].format(username=escape_filter_chars(username))
            service.search(self.config["USER_BASE"], user_filter, ldap3.SUBTREE, size_limit=2,
                           attributes=["uid", "givenName", "sn", "cn", "mail", "memberOf"])
            entries = service.response or []
            entries = [e for e in entries if e.get("type") == "searchResEntry"]
            if len(entries) != 1:
                if len(entries) > 1:
                    log.warning("LDAP user filter matched more than one entry; refusing")
                return None
            dn, attributes = entries[0]["dn"], entries[0]["attributes"]
            if not self._password_matches(dn, password):
                return None
            groups = self._groups(service, dn, attributes)
        finally:
            service.unbind()
        return DirectoryUser(
            dn=dn, uid=_first(attributes, "uid") or username, first_name=_first(attributes, "givenName"),
            last_name=_first(attributes, "sn"), email=_first(attributes, "mail"), groups=groups,
        )

    def _password_matches(self, dn: str, password: str) -> bool:
        user = self._connect(dn, password)
        try:
            if user.bound:
                return True
            if user.result.get("result") != INVALID_CREDENTIALS:
                log.warning("LDAP user bind refused: %s", user.result.get("description"))
            return False
        finally:
            user.unbind()

    def _groups(self, service: ldap3.Connection, dn: str, attributes: dict) -> frozenset[str]:
        if not self.config["GROUP_BASE"]:
            return frozenset(str(g) for g in attributes.get("memberOf") or [])
        group_filter = self.config["GROUP_FILTER"].format(user_dn=escape_filter_chars(dn))
        service.search(self.config["GROUP_BASE"], group_filter, ldap3.SUBTREE, attributes=[])
        return frozenset(e["dn"] for e in service.response or [] if e.get("type") == "searchResEntry")
