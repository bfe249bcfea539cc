"""Work that runs right after the current transaction commits, on a background thread, so requests answer
at once. One thread keeps the order of arrival; whatever fails here is repaired by retries and the resync."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections, transaction

from tenants.infra.telemetry import carried

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campus-background")


def after_commit(task: Callable, *args) -> None:
    transaction.on_commit(lambda: _pool.submit(_run, carried(task), *args))  # the trace goes on in the thread


def _run(task: Callable, *args) -> None:
    try:
        task(*args)
    except Exception:
        log.exception("background task %s failed", getattr(task, "__name__", task))
    finally:
        connections.close_all()  # this thread's connections; it may idle for long


def drain(timeout: float = 30) -> None:
    """Wait until the work queued so far has run (the pool runs tasks in order on one thread)."""
    _pool.submit(lambda: None).result(timeout=timeout)
