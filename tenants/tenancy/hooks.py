"""GitLab system hook events: which entity to re-read and reconcile, or a full resync."""



from tenants.models import GitLabEvent
from tenants.tenancy.reconcile import full_sync, reconcile_gitlab_entity
from tenants.tenancy.rules import affected_entity

FULL_SYNC_EVENTS = {"user_destroy", "user_rename"}  # memberships everywhere may change


def handle_event(event: GitLabEvent) -> None:
    """Re-read the entity the event names from GitLab (never trusting the payload) and reconcile it."""
    if event.event_name in FULL_SYNC_EVENTS:
        full_sync(trigger=f"webhook:{event.pk}")
        return
    if event.event_name == "user_create":
        return  # a new user has no memberships yet
    entity = affected_entity(event.payload)
    result = reconcile_gitlab_entity(entity.kind, entity.gitlab_id, f"webhook:{event.pk}")
    if result.failures:
        raise RuntimeError(f"{len(result.failures)} change(s) failed, first: {result.failures[0]}")
