"""Sign in 200 times against a real slapd through the whole Django stack (middleware, sessions, PostgreSQL).

Prints `ldap_login_p50_ms` and `ldap_login_p95_ms` last. Target: p95 <= 100 ms on a 2-core machine.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.directory import university  # noqa: E402
from devstack.postgres import PostgresServer  # noqa: E402
from devstack.slapd import Slapd  # noqa: E402
from devstack.wiring import campus_environment, create_database  # noqa: E402

SIGN_INS = 200


def main() -> None:
    with Slapd(university(students=200)) as ldap, PostgresServer() as postgres:
        create_database(postgres, "campus")
        os.environ.update(campus_environment(ldap, postgres))
        os.environ["DJANGO_SETTINGS_MODULE"] = "campus.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        timings = []
        for i in range(SIGN_INS):
            uid = f"s{i + 1:04d}"
            client = Client(HTTP_HOST="127.0.0.1")
            started = time.perf_counter()
            response = client.post("/login/", {"username": uid, "password": f"{uid}-pw"})
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 302:
                raise SystemExit(f"sign-in {uid} failed with {response.status_code}")
        quantiles = statistics.quantiles(timings, n=100)
        print(f"sign_ins: {SIGN_INS}")
        print(f"ldap_login_p50_ms: {statistics.median(timings):.1f}")
        print(f"ldap_login_p95_ms: {quantiles[94]:.1f}")


if __name__ == "__main__":
    main()
