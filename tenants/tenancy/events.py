"""Processing stored GitLab system hook events: at once after they are stored, and again on failure, through the
durable queue's claim, lease and backoff (`tenants.infra.jobs`). The reconcile runs outside any transaction: what
it applied to the cluster stays recorded even when a later step fails."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from tenants.infra import jobs
from tenants.models import GitLabEvent

EventHandler = Callable[[GitLabEvent], None]


def process_event(event_id: int, handler: EventHandler, now: datetime | None = None) -> bool:
    """Run `handler` on one due event; True when it was processed (successfully or not) by this call."""
    return jobs.run(GitLabEvent, event_id, handler, now)


def process_due_events(handler: EventHandler, now: datetime | None = None, limit: int = 100) -> int:
    """Process pending events whose time has come, oldest first (the periodic worker's pass)."""
    return jobs.run_due(GitLabEvent, handler, now, limit)


def receive(payload: dict) -> GitLabEvent:
    """Store a validated delivery durably (before GitLab is answered) and process it after the commit."""
    with transaction.atomic():
        event = GitLabEvent.objects.create(event_name=payload["event_name"], payload=payload)
        dispatch_soon(event.pk)
    return event


def dispatch_soon(event_id: int) -> None:
    """Process a just-stored event once its transaction commits, with the tenancy engine's handler."""
    from tenants.tenancy.hooks import handle_event  # hooks reconcile, and reconciling imports this module

    jobs.run_soon(GitLabEvent, event_id, handle_event)
