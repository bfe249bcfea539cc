"""Planning a reclamation pass over 10,000 namespaces: time and queries.

Seeds 10,000 managed namespaces (kinds, stages, expiry dates and warnings mixed as in a real term) in a
throwaway PostgreSQL and plans a pass at a fixed moment. Prints `reclaim_plan_s` (target <= 10) and
`reclaim_plan_queries`, and the queries at 1,000 namespaces, which must be the same.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.postgres import PostgresServer  # noqa: E402
from devstack.wiring import create_database  # noqa: E402

KINDS = ("personal", "group", "project", "requested")
STAGES = ("active", "active", "active", "warned", "suspended", "archived")


def measure(count: int) -> dict:
    """In a child process configured as campus: seed `count` namespaces, plan once, count queries."""
    import django

    django.setup()
    from datetime import datetime, timedelta

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tenants.lifecycle.reclaim import plan
    from tenants.models import ExpiryWarning, ManagedNamespace

    now = timezone.make_aware(datetime(2027, 3, 20, 3))
    owner = User.objects.create(username=f"owner-{count}")
    created = ManagedNamespace.objects.bulk_create([ManagedNamespace(
        name=f"ns-{count}-{i}", kind=KINDS[i % 4], gitlab_id=i if KINDS[i % 4] in ("group", "project") else None,
        owner=owner if i % 4 in (0, 3) and i < 4 else None, tier="student", stage=STAGES[i % 6],
        expires_on=(now - timedelta(days=i % 40 - 20)).date(), stage_changed_at=now - timedelta(days=i % 50),
        requested_end=(now + timedelta(days=i % 30)).date() if KINDS[i % 4] == "requested" else None,
        last_activity_at=now - timedelta(days=i % 90) if i % 3 else None) for i in range(count)], batch_size=2000)
    ExpiryWarning.objects.bulk_create([ExpiryWarning(namespace=ns, days_before=14, sent_at=now)
                                       for ns in created[::3]], batch_size=2000)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = plan(now)
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "queries": len(queries), "steps": len(result.steps), "warnings": len(result.warnings),
            "held": sum(len(names) for names in result.held.values())}


def run(postgres: PostgresServer, count: int) -> dict:
    database = f"reclaim_{count}"
    create_database(postgres, database)
    env = {**os.environ, "CAMPUS_DEMO": "1", "DATABASE_URL": postgres.url(database),
           "DJANGO_SETTINGS_MODULE": "campus.settings", "CAMPUS_TERMS": "2026-10-01..2027-03-31,2027-04-01..2027-09-30"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    measured = subprocess.run([sys.executable, __file__, "--measure", str(count)], cwd=ROOT, env=env, check=True,
                              stdout=subprocess.PIPE, text=True)
    return json.loads(measured.stdout.strip().splitlines()[-1])


def main() -> None:
    with PostgresServer() as postgres:
        small, large = run(postgres, 1_000), run(postgres, 10_000)
    print(f"reclaim_plan_queries_at_1000: {small['queries']}")
    print(f"reclaim_plan_steps: {large['steps']}, warnings: {large['warnings']}, held: {large['held']}")
    print(f"reclaim_plan_s: {large['seconds']:.2f}")
    print(f"reclaim_plan_queries: {large['queries']}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main()
