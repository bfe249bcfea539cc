"""A real OpenLDAP slapd on a random loopback port, configured through cn=config (Debian's slapd)."""

import base64
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import ldap3

from devstack.directory import Directory
from devstack.net import free_port, wait_for_port
from devstack.tls import TlsFiles

SCHEMAS = ("core", "cosine", "nis", "inetorgperson")


def ssha(password: str) -> str:
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _config_ldif(suffix: str, root_dn: str, root_password: str, db_dir: Path, tls: TlsFiles | None) -> str:
    tls_lines = ""
    if tls:
        tls_lines = (f"olcTLSCACertificateFile: {tls.ca_cert}\n"
                     f"olcTLSCertificateFile: {tls.cert}\n"
                     f"olcTLSCertificateKeyFile: {tls.key}\n")
    schemas = "\n".join(Path(f"/etc/ldap/schema/{name}.ldif").read_text() for name in SCHEMAS)
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPasswordHash: {{SSHA}}
{tls_lines}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{schemas}
dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcSizeLimit: 5000

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {suffix}
olcRootDN: {root_dn}
olcRootPW: {ssha(root_password)}
olcDbDirectory: {db_dir}
olcDbNoSync: TRUE
olcDbMaxSize: 268435456
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcDbIndex: memberOf eq
olcAccess: to attrs=userPassword by anonymous auth by self write by * none
olcAccess: to * by users read by * none

dn: olcOverlay={{0}}memberof,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {{0}}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf

dn: olcOverlay={{1}}refint,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {{1}}refint
olcRefintAttribute: member
"""


class Slapd:
    """Start with `with Slapd(directory) as ldap:`; `ldap.uri`, `ldap.service_dn`/`service_password`."""

    def __init__(self, directory: Directory, tls: TlsFiles | None = None, base_dir: str | None = None):
        self.directory = directory
        self.tls = tls
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="campus-slapd-"))
        self.port = free_port()
        self.root_dn = f"cn=admin,{directory.suffix}"
        self.root_password = secrets.token_urlsafe(16)
        self._process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self) -> "Slapd":
        config_dir = self.base_dir / "slapd.d"
        # The database lives in shared memory: the directory is rebuilt on every start anyway.
        db_dir = Path(tempfile.mkdtemp(prefix="campus-mdb-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
        self._db_dir = db_dir
        config_dir.mkdir(parents=True)
        ldif = self.base_dir / "config.ldif"
        ldif.write_text(_config_ldif(self.directory.suffix, self.root_dn, self.root_password, db_dir, self.tls))
        subprocess.run(["slapadd", "-n0", "-F", str(config_dir), "-l", str(ldif)], check=True, capture_output=True)
        self._process = subprocess.Popen(
            ["slapd", "-d", "0", "-F", str(config_dir), "-h", self.uri + "/"],
            stdout=subprocess.DEVNULL, stderr=open(self.base_dir / "slapd.log", "wb"),
        )
        wait_for_port(self.port, process=self._process)
        self.seed()
        return self

    def admin_connection(self) -> ldap3.Connection:
        return ldap3.Connection(ldap3.Server(self.uri), self.root_dn, self.root_password, auto_bind=True)

    def seed(self) -> None:
        """Add the directory's entries through the protocol so the memberof overlay fires."""
        with self.admin_connection() as conn:
            for dn, attributes in self.directory.entries(password_hash=ssha):
                if not conn.add(dn, attributes=attributes):
                    raise RuntimeError(f"cannot add {dn}: {conn.result}")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        shutil.rmtree(self.base_dir, ignore_errors=True)
        shutil.rmtree(getattr(self, "_db_dir", ""), ignore_errors=True)

    def __enter__(self) -> "Slapd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
