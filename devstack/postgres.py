"""A throwaway PostgreSQL cluster on a random loopback port (Debian's postgresql package)."""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from devstack.net import free_port


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return Path(candidates[-1]).parent


class PostgresServer:
    """initdb + pg_ctl in a temp dir; runs as the `postgres` user when we are root (initdb refuses root)."""

    def __init__(self, base_dir: str | None = None, port: int | None = None):
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="campus-pg-"))
        self.data_dir = self.base_dir / "data"
        self.port = port or free_port()
        self.user = "postgres"
        self.password = secrets.token_urlsafe(16)
        self._bin = _bin_dir()
        self._run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self._run_as, *args], check=True, capture_output=True, text=True)

    def start(self) -> "PostgresServer":
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if self._run_as:
            pg = pwd.getpwnam("postgres")
            os.chown(self.base_dir, pg.pw_uid, pg.pw_gid)
        pwfile = self.base_dir / "pwfile"
        pwfile.write_text(self.password)
        if self._run_as:
            os.chown(pwfile, pg.pw_uid, pg.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(str(self._bin / "initdb"), "-D", str(self.data_dir), "-U", self.user,
                      "-A", "scram-sha-256", f"--pwfile={pwfile}", "--no-sync", "-E", "UTF8")
        pwfile.unlink()
        options = f"-p {self.port} -k {self.base_dir} -c listen_addresses=127.0.0.1 -F -c max_connections=200"
        self._run(str(self._bin / "pg_ctl"), "-D", str(self.data_dir), "-w", "-l",
                  str(self.base_dir / "postgres.log"), "-o", options, "start")
        return self

    def stop(self, remove: bool = True) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run([*self._run_as, str(self._bin / "pg_ctl"), "-D", str(self.data_dir),
                            "-m", "immediate", "stop"], capture_output=True)
        if remove:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
