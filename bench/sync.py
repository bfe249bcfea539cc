"""Tenancy engine at university scale: cold sync, no-op resync, and webhook-to-RoleBinding latency.

Seeds the GitLab stand-in with 1,000 students in course groups, team subgroups and projects (about 225
GitLab namespaces and 1,000 personal ones), runs the stand-ins and campus (gunicorn) in their own processes,
and prints `name: value` lines. Targets: cold_sync_s <= 60; noop_resync_s <= 3 with 0 writes and reads that do
not grow with the number of tenants; webhook_to_rolebinding_p95_ms <= 250.
"""

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.gitlab.seed import university_spec  # noqa: E402
from devstack.net import free_port, wait_for_port  # noqa: E402
from devstack.postgres import PostgresServer  # noqa: E402
from devstack.wiring import create_database  # noqa: E402

MANAGED = "app.kubernetes.io/managed-by=campus"


def seed_spec(courses: int, teams_per_course: int, students_per_team: int) -> dict:
    spec = university_spec(courses=courses, teams_per_course=teams_per_course, students_per_team=students_per_team,
                           projects_per_team=1)
    spec["groups"] = [{"name": "Courses", "path": "courses", "members": {}, "subgroups": spec["groups"]}]
    return spec


def start(args: list[str], port: int, env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_for_port(port, timeout=30, process=process)
    return process


def scenario(postgres: PostgresServer, dbname: str, courses: int, teams: int, per_team: int,
             webhook_changes: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="campus-bench-"))
    spec = seed_spec(courses, teams, per_team)
    (work / "spec.json").write_text(json.dumps(spec))
    gitlab_port, kube_port, campus_port = free_port(), free_port(), free_port()
    gitlab_token, kube_token, hook_secret = (secrets.token_hex(16) for _ in range(3))  # never "-…": argv
    create_database(postgres, dbname)
    env = {**os.environ, "CAMPUS_DEMO": "1", "DATABASE_URL": postgres.url(dbname),
           "CAMPUS_GITLAB_URL": f"http://127.0.0.1:{gitlab_port}", "CAMPUS_GITLAB_TOKEN": gitlab_token,
           "CAMPUS_GITLAB_ROOTS": "courses", "CAMPUS_KUBE_API_URL": f"http://127.0.0.1:{kube_port}",
           "CAMPUS_KUBE_TOKEN": kube_token, "CAMPUS_KUBE_CA_FILE": "", "CAMPUS_GITLAB_WEBHOOK_SECRET": hook_secret,
           "CAMPUS_LOG_LEVEL": "WARNING"}
    processes = [
        start(["-m", "devstack.gitlab", "--port", str(gitlab_port), "--token", gitlab_token,
               "--seed", str(work / "spec.json"), "--system-hook", f"http://127.0.0.1:{campus_port}/gitlab/hook",
               "--system-hook-token", hook_secret], gitlab_port),
        start(["-m", "devstack.kube", "--port", str(kube_port), "--admin-token", kube_token], kube_port),
    ]
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        processes.append(start(["-m", "gunicorn", "-c", "campus/gunicorn.conf.py", "--bind",
                                f"127.0.0.1:{campus_port}", "--workers", "2"], campus_port, env))
        # Each scenario measures in its own process: Django is configured once per process.
        measured = subprocess.run([sys.executable, __file__, "--measure", str(work / "spec.json"), str(gitlab_port),
                                   gitlab_token, str(webhook_changes)], cwd=ROOT, check=True, stdout=subprocess.PIPE,
                                  text=True, env={**env, "DJANGO_SETTINGS_MODULE": "campus.settings"})
        return json.loads(measured.stdout.strip().splitlines()[-1])
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def measure(spec: dict, gitlab_port: int, gitlab_token: str, webhook_changes: int) -> dict[str, float]:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connections

    from tenants.infra.settings import gitlab_source, kube_cluster
    from tenants.models import ManagedNamespace
    from tenants.tenancy.reconcile import full_sync, reconcile

    students = [u["username"] for u in spec["users"] if u["username"].startswith("s")]
    student_group, _ = Group.objects.get_or_create(name="student")
    users = User.objects.bulk_create([User(username=name) for name in students])
    student_group.user_set.add(*users)
    ManagedNamespace.objects.bulk_create([ManagedNamespace(name=f"u-{u.username}", kind="personal", owner=u,
                                                           tier="student", gitlab_path=u.username) for u in users])
    figures: dict[str, float] = {}
    started = time.perf_counter()
    cold = full_sync()
    figures["cold_sync_s"] = time.perf_counter() - started
    assert not cold.failures, cold.failures[:3]
    figures["tenants"] = ManagedNamespace.objects.count()
    figures["objects_created"] = cold.plan.count("create")
    started = time.perf_counter()
    read = gitlab_source().read_all()
    read_done = time.perf_counter()
    noop = reconcile(read, "resync")
    figures["noop_resync_s"] = time.perf_counter() - started
    figures["noop_resync_gitlab_read_s"] = read_done - started
    figures["noop_resync_gitlab_requests"] = read.requests
    figures["noop_resync_writes"] = sum(n for verb, n in noop.kube_calls.items() if verb != "list" and verb != "get")
    figures["noop_resync_reads"] = sum(n for verb, n in noop.kube_calls.items() if verb in ("list", "get"))
    for verb, count in sorted(cold.kube_calls.items()):
        figures[f"cold_sync_calls_{verb}"] = count
    if webhook_changes:
        figures["webhook_to_rolebinding_p95_ms"] = webhook_latency(spec, gitlab_port, gitlab_token, webhook_changes,
                                                                   kube_cluster())
    connections.close_all()
    return figures


def webhook_latency(spec, gitlab_port, gitlab_token, changes, kube) -> float:
    """Add members to team groups (and then promote them) through GitLab's API; time until campus's
    RoleBinding for that team lists them with the new role."""
    import gitlab

    gl = gitlab.Gitlab(f"http://127.0.0.1:{gitlab_port}", private_token=gitlab_token)
    teams = [g for g in gl.groups.list(get_all=True) if g.full_path.count("/") == 2]
    # A visiting tutor in no course, so the team grant is the highest level they hold.
    outsider = gl.users.create({"username": "tutor.visiting", "name": "Visiting Tutor",
                                "email": "tutor.visiting@example.edu", "password": secrets.token_urlsafe(16)})
    timings = []
    for n in range(changes):
        team = gl.groups.get(teams[n % len(teams)].id)
        namespace = "g-" + team.full_path.replace("/", "-")
        adding = n < len(teams)
        started = time.perf_counter()
        if adding:
            team.members.create({"user_id": outsider.id, "access_level": 30})
        else:
            member = team.members.get(outsider.id)
            member.access_level = 40 if member.access_level == 30 else 30
            member.save()
        role = "edit" if adding or member.access_level == 30 else "admin"
        deadline = started + 10
        while time.perf_counter() < deadline:
            binding = kube.get("RoleBinding", namespace, f"campus-{role}")
            if binding and any(s["name"] == "tutor.visiting" for s in binding.get("subjects", [])):
                break
            time.sleep(0.005)
        else:
            raise SystemExit(f"change {n} never reached {namespace}")
        timings.append((time.perf_counter() - started) * 1000)
    kube.close()
    return statistics.quantiles(timings, n=100)[94]


def main() -> None:
    with PostgresServer() as postgres:
        small = scenario(postgres, "bench_small", courses=5, teams=4, per_team=10, webhook_changes=0)
        large = scenario(postgres, "bench_large", courses=25, teams=4, per_team=10, webhook_changes=100)
    print(f"tenants_small: {small['tenants']:.0f}")
    print(f"noop_resync_reads_at_{small['tenants']:.0f}_tenants: {small['noop_resync_reads']:.0f}")
    for name, value in large.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) and not value.is_integer() else f"{name}: {value:.0f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        spec_file, port, token, changes = sys.argv[2:]
        print(json.dumps(measure(json.loads(Path(spec_file).read_text()), int(port), token, int(changes))))
    else:
        main()
