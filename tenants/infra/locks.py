"""The sync lock: one reconcile at a time, across processes (a PostgreSQL advisory lock)."""

import time
from contextlib import contextmanager

from django.db import connection

SYNC_LOCK_ID = 0x63616D70  # "camp": the advisory lock every sync holds


class SyncBusy(Exception):
    """Another sync holds the lock."""


@contextmanager
def sync_lock(wait_seconds: float = 0):
    """PostgreSQL advisory lock; other databases (SQLite in development) run one process anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_ID])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise SyncBusy("another sync is running")
            time.sleep(0.05)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_ID])
