"""The dashboard under load: 1,000 tenants, gunicorn as in production, 50 concurrent signed-in clients for 20 s.

Seeds 1,000 students (each with a personal namespace, a team namespace they develop in and a course namespace
they view, with usage rows) in a throwaway PostgreSQL, serves campus with gunicorn (campus/gunicorn.conf.py),
and drives `GET /` with keep-alive clients spread over several processes. Prints `dashboard_rps`,
`dashboard_p50_ms`, `dashboard_p99_ms` last. Targets on a 2-core machine: >= 250 req/s, p99 <= 200 ms.
"""

import http.client
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.loadgen import campus_on_gunicorn, run_clients  # noqa: E402

TENANTS, CLIENTS, SECONDS, LOAD_PROCESSES = 1000, 50, 20, 2


def seed() -> list[str]:
    """In a child process configured as campus: the tenants, and one session per client."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from tenants.models import ManagedNamespace, Membership, NamespaceUsage

    students = User.objects.bulk_create([User(username=f"s{i:04d}") for i in range(1, TENANTS + 1)])
    Group.objects.create(name="student").user_set.add(*students)
    personal = ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"u-{u.username}", kind="personal", owner=u, tier="student") for u in students])
    courses = ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"g-courses-c{c}", kind="group", gitlab_id=c, tier="course") for c in range(40)])
    teams = ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"g-courses-c{t % 40}-team-{t}", kind="group", gitlab_id=1000 + t, tier="course")
        for t in range(200)])
    Membership.objects.bulk_create(
        [Membership(namespace=teams[i // 5], username=u.username, role="edit") for i, u in enumerate(students)]
        + [Membership(namespace=courses[i // 25], username=u.username, role="view") for i, u in enumerate(students)])
    now = timezone.now()
    NamespaceUsage.objects.bulk_create([
        NamespaceUsage(namespace=ns, collected_at=now, hard={"requests.cpu": "2", "requests.memory": "4Gi",
                                                             "pods": "20"},
                       used={"requests.cpu": "500m", "requests.memory": "1Gi", "pods": "3"}, pods_running=3)
        for ns in personal + courses + teams])
    sessions = []
    for user in students[:CLIENTS]:
        session = SessionStore()
        session.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "tenants.access.backend.LDAPBackend",
                        "_auth_user_hash": user.get_session_auth_hash()})
        session.create()
        sessions.append(session.session_key)
    return sessions


def client_loop(port: int, session: str, deadline: float, timings: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("GET", "/", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b"Your namespaces" not in body:
            raise SystemExit(f"dashboard answered {response.status}")
        timings.append((time.perf_counter() - started) * 1000)


def main() -> None:
    with campus_on_gunicorn("portal_load", [__file__, "--seed"]) as (port, seeded):
        sessions = json.loads(seeded.strip().splitlines()[-1])
        client_loop(port, sessions[0], time.monotonic() + 2, [])  # warm up every worker's connections
        timings = run_clients(client_loop, port, [(session,) for session in sessions], SECONDS, LOAD_PROCESSES)
    print(f"tenants: {TENANTS}")
    print(f"clients: {CLIENTS}")
    print(f"dashboard_requests: {len(timings)}")
    print(f"dashboard_rps: {len(timings) / SECONDS:.1f}")
    print(f"dashboard_p50_ms: {statistics.median(timings):.1f}")
    print(f"dashboard_p99_ms: {statistics.quantiles(timings, n=100)[98]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--seed"]:
        print(json.dumps(seed()))
    else:
        main()
