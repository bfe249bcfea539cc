"""The durable job queue: work recorded in the database, run right after the transaction that recorded it
commits, and retried with backoff until it succeeds or `CAMPUS_EVENT_MAX_ATTEMPTS` is reached.

A worker claims one item in a short transaction (`SELECT … FOR UPDATE SKIP LOCKED`) and takes a lease on it,
then runs the handler *outside* any transaction — the handler talks to GitLab and Kubernetes, and what it changed
there (and recorded here) must not be rolled back when it fails later — and records the outcome. A worker that
dies mid-way leaves the item due again when its lease runs out.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.infra.background import after_commit
from tenants.infra.models import Job, QueuedWork
from tenants.infra.settings import max_attempts

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # longer than any handler runs; a dead worker's claim expires after it
Handler = Callable[[QueuedWork], None]
_HANDLERS: dict[str, Callable[[dict], None]] = {}


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def _due(model: type[QueuedWork], now: datetime):
    return model.objects.filter(status=QueuedWork.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(model: type[QueuedWork], pk: int, now: datetime) -> QueuedWork | None:
    with transaction.atomic():
        work = _due(model, now).select_for_update(skip_locked=True).filter(pk=pk).first()
        if work is None:
            return None
        work.attempts += 1
        work.next_attempt_at = now + LEASE
        work.save(update_fields=["attempts", "next_attempt_at"])
    return work


def run(model: type[QueuedWork], pk: int, handler: Handler, now: datetime | None = None) -> bool:
    """Run `handler` on one due item; True when this call processed it (successfully or not)."""
    now = now or timezone.now()
    work = _claim(model, pk, now)
    if work is None:
        return False
    try:
        handler(work)
    except Exception as error:  # one bad item must never stop the others
        log.warning("%s %s failed, attempt %s: %s", model.__name__, pk, work.attempts, type(error).__name__)
        work.last_error = f"{type(error).__name__}: {error}"[:2000]
        if work.attempts >= max_attempts():
            work.status, work.next_attempt_at = QueuedWork.Status.FAILED, None
        else:
            work.next_attempt_at = now + retry_delay(work.attempts)
    else:
        work.status, work.processed_at, work.last_error, work.next_attempt_at = QueuedWork.Status.DONE, now, "", None
    work.save(update_fields=["status", "processed_at", "last_error", "next_attempt_at"])
    return True


def run_due(model: type[QueuedWork], handler: Handler, now: datetime | None = None, limit: int = 100) -> int:
    """Process pending items whose time has come, oldest first (the periodic worker's pass)."""
    now = now or timezone.now()
    due = list(_due(model, now).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(run(model, pk, handler, now) for pk in due)


def run_soon(model: type[QueuedWork], pk: int, handler: Handler) -> None:
    """Process the item once the current transaction commits, on the background thread."""
    after_commit(run, model, pk, handler)


# --- jobs by kind -------------------------------------------------------------------------------------------------

def register(kind: str, handler: Callable[[dict], None]) -> None:
    """The handler for a kind of job: it gets the job's payload and must be idempotent (it may run again)."""
    _HANDLERS[kind] = handler


def enqueue(kind: str, payload: dict, on_commit: bool = False) -> Job:
    """Record a job in the current transaction; it runs after the commit — on the background thread, or with
    `on_commit` in the committing thread right away — and is retried until it succeeds."""
    if kind not in _HANDLERS:
        raise KeyError(f"no handler registered for job kind {kind!r}")
    job = Job.objects.create(kind=kind, payload=payload)
    if on_commit:
        transaction.on_commit(lambda: run(Job, job.pk, _dispatch))
    else:
        run_soon(Job, job.pk, _dispatch)
    return job


def _dispatch(job: Job) -> None:
    _HANDLERS[job.kind](job.payload)


def run_due_jobs(now: datetime | None = None) -> int:
    return run_due(Job, _dispatch, now)
