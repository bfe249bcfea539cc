"""What the HTTP benchmarks share: campus migrated on a throwaway PostgreSQL and served by gunicorn as in
production, and closed-loop clients on threads spread over processes (so the load generator is not one GIL)."""

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.net import free_port, wait_for_port
from devstack.postgres import PostgresServer
from devstack.wiring import create_database

ROOT = Path(__file__).resolve().parent.parent
# client(port, *args, deadline, timings): requests until the deadline, appending each one's milliseconds.
Client = Callable[..., None]


@contextmanager
def campus_on_gunicorn(dbname: str, seed: list[str], extra_env: dict | None = None) -> Iterator[tuple[int, str]]:
    """(port, what the seed command printed): `seed` runs as campus after `migrate`, then gunicorn serves."""
    with PostgresServer() as postgres:
        create_database(postgres, dbname)
        env = {**os.environ, "CAMPUS_DEMO": "1", "DATABASE_URL": postgres.url(dbname),
               "DJANGO_SETTINGS_MODULE": "campus.settings", "CAMPUS_LOG_LEVEL": "WARNING", **(extra_env or {})}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        seeded = subprocess.run([sys.executable, *seed], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
                                text=True).stdout
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "campus/gunicorn.conf.py", "--bind",
                                   f"127.0.0.1:{port}", "--access-logfile", "/dev/null"], cwd=ROOT, env=env)
        try:
            wait_for_port(port, timeout=30, process=server)
            yield port, seeded
        finally:
            server.terminate()
            server.wait(timeout=20)


def _load_process(client: Client, port: int, arguments: list[tuple], deadline: float, results) -> None:
    timings: list[float] = []
    threads = [threading.Thread(target=client, args=(port, *args, deadline, timings)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(timings)


def run_clients(client: Client, port: int, arguments: list[tuple], seconds: float, processes: int = 2) -> list[float]:
    """One thread per entry of `arguments` (that client's extra arguments), spread over `processes`; every
    request's milliseconds."""
    results = multiprocessing.Queue()
    deadline = time.monotonic() + seconds
    loaders = [multiprocessing.Process(target=_load_process, args=(client, port, arguments[i::processes], deadline,
                                                                   results)) for i in range(processes)]
    for loader in loaders:
        loader.start()
    timings = [t for _ in loaders for t in results.get()]
    for loader in loaders:
        loader.join()
    return timings
