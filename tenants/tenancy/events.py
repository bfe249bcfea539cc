"""Processing stored GitLab system hook events: at once after they are stored, and again on failure.

Each event is claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so several workers never process the same
event; a failure schedules a retry with exponential backoff until `CAMPUS_EVENT_MAX_ATTEMPTS`.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.infra.background import after_commit
from tenants.models import GitLabEvent

log = logging.getLogger(__name__)
EventHandler = Callable[[GitLabEvent], None]


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def process_event(event_id: int, handler: EventHandler, now: datetime | None = None) -> bool:
    """Run `handler` on one due event; True when it was processed (successfully or not) by this call."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (GitLabEvent.objects.select_for_update(skip_locked=True)
                 .filter(pk=event_id, status=GitLabEvent.Status.PENDING)
                 .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).first())
        if event is None:
            return False
        event.attempts += 1
        try:
            with transaction.atomic():
                handler(event)
        except Exception as error:  # one bad event must never stop the others
            log.warning("GitLab event %s (%s) failed, attempt %s: %s", event.pk, event.event_name,
                        event.attempts, type(error).__name__)
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
            if event.attempts >= settings.CAMPUS_EVENT_MAX_ATTEMPTS:
                event.status = GitLabEvent.Status.FAILED
            else:
                event.next_attempt_at = now + retry_delay(event.attempts)
        else:
            event.status, event.processed_at, event.last_error = GitLabEvent.Status.DONE, now, ""
        event.save()
    return True


def process_due_events(handler: EventHandler, now: datetime | None = None, limit: int = 100) -> int:
    """Process pending events whose time has come, oldest first (the periodic worker's pass)."""
    now = now or timezone.now()
    due = (GitLabEvent.objects.filter(status=GitLabEvent.Status.PENDING)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
           .order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(process_event(pk, handler, now) for pk in list(due))


def dispatch_soon(event_id: int) -> None:
    """Process a just-stored event once its transaction commits, with the tenancy engine's handler."""
    from tenants.tenancy.hooks import handle_event  # hooks reconcile, and reconciling imports this module

    after_commit(process_event, event_id, handle_event)
