"""What campus's own tracing costs: the dashboard rendered in-process, 1,000 tenants seeded, with telemetry off
and then on (every request sampled, spans exported asynchronously to the trace backend stand-in).

Prints `dashboard_cpu_ms_off`, `dashboard_cpu_ms_sampled_10pct` (the default rate), `dashboard_cpu_ms_sampled_all`,
and `tracing_overhead_ratio` (throughput at the default rate / off, from CPU time per request, which the shared
machine's other load does not skew as wall time would) and `tracing_overhead_ratio_all_sampled`. Target: >= 0.9.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.postgres import PostgresServer  # noqa: E402
from devstack.traces.server import TraceServer  # noqa: E402
from devstack.wiring import create_database  # noqa: E402

REQUESTS, ROUNDS = 300, 5


def cpu_ms_per_request(client) -> float:
    for _ in range(30):
        client.get("/")
    started = time.process_time()
    for _ in range(REQUESTS):
        if client.get("/").status_code != 200:
            raise SystemExit("the dashboard did not answer 200")
    return (time.process_time() - started) / REQUESTS * 1000


def main() -> None:
    with PostgresServer() as postgres, TraceServer() as traces:
        create_database(postgres, "telemetry")
        env = {**os.environ, "CAMPUS_DEMO": "1", "DATABASE_URL": postgres.url("telemetry"),
               "DJANGO_SETTINGS_MODULE": "campus.settings", "CAMPUS_LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        seeded = subprocess.run([sys.executable, "bench/portal_load.py", "--seed"], cwd=ROOT, env=env, check=True,
                                stdout=subprocess.PIPE, text=True)
        session = json.loads(seeded.stdout.strip().splitlines()[-1])[0]
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        client = Client()
        client.cookies["sessionid"] = session
        measured: dict[str, list[float]] = {"off": [], "default": [], "all": []}
        for _round in range(ROUNDS):  # interleaved, medians: one slow phase does not decide
            for name, url, rate in (("off", "", 0.1), ("default", traces.spans_url, 0.1),
                                    ("all", traces.spans_url, 1.0)):
                settings.CAMPUS_TELEMETRY_ZIPKIN_URL, settings.CAMPUS_TELEMETRY_SAMPLE_RATE = url, rate
                measured[name].append(cpu_ms_per_request(client))
        off, default, everything = (statistics.median(measured[name]) for name in ("off", "default", "all"))
    print(f"dashboard_cpu_ms_off: {off:.2f}")
    print(f"dashboard_cpu_ms_sampled_10pct: {default:.2f}")
    print(f"dashboard_cpu_ms_sampled_all: {everything:.2f}")
    print(f"tracing_overhead_ratio: {off / default:.2f}")
    print(f"tracing_overhead_ratio_all_sampled: {off / everything:.2f}")


if __name__ == "__main__":
    main()
