"""`make demo`: campus at http://127.0.0.1:PORT with a seeded directory and database; Ctrl-C stops it all.

State lives under .demo/ and is rebuilt on every start.
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from devstack.directory import ADMINS_GROUP, STAFF_GROUP, STUDENTS_GROUP, university
from devstack.postgres import PostgresServer
from devstack.slapd import Slapd
from devstack.wiring import campus_environment, create_database

ROOT = Path(__file__).resolve().parent.parent


def accounts_text(directory) -> str:
    by_uid = {p.uid: p for p in directory.people}
    lines = ["campus demo accounts (password: <username>-pw)", ""]
    for title, group in (("admin", ADMINS_GROUP), ("staff", STAFF_GROUP), ("students", STUDENTS_GROUP)):
        uids = directory.groups[group]
        shown = uids if len(uids) <= 5 else [*uids[:5], f"... {uids[-1]} ({len(uids)} in all)"]
        lines.append(f"{title:9} " + ", ".join(f"{u} / {by_uid[u].password}" if u in by_uid else u for u in shown))
    lines.append("no role   guest.visitor / guest.visitor-pw (valid account, refused by campus)")
    return "\n".join(lines) + "\n"


def run(port: int, demo_dir: Path) -> int:
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir(parents=True)
    directory = university(students=30)
    with contextlib.ExitStack() as stack:
        ldap = stack.enter_context(Slapd(directory, base_dir=str(demo_dir / "slapd")))
        postgres = stack.enter_context(PostgresServer(base_dir=str(demo_dir / "postgres")))
        create_database(postgres, "campus")
        env = {**os.environ, **campus_environment(ldap, postgres)}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "campus/gunicorn.conf.py",
                                "--bind", f"127.0.0.1:{port}", "--workers", "2"], cwd=ROOT, env=env)
        stack.callback(_stop, web)
        accounts = accounts_text(directory)
        (demo_dir / "accounts.txt").write_text(accounts)
        print(f"\ncampus demo: http://127.0.0.1:{port}/  (accounts in {demo_dir / 'accounts.txt'})\n")
        print(accounts)
        print("Ctrl-C stops every process the demo started.", flush=True)
        return web.wait()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=ROOT / ".demo")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM as on Ctrl-C
    try:
        sys.exit(run(args.port, args.dir))
    except KeyboardInterrupt:
        print("\ncampus demo stopped.")


if __name__ == "__main__":
    main()
