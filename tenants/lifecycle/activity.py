"""Activity that keeps namespaces alive: a sign-in counts for the namespaces the user owns (running pods count
through usage collection)."""

from django.contrib.auth.models import User
from django.utils import timezone

from tenants.models import ManagedNamespace


def record_sign_in(sender, request, user: User, **kwargs) -> None:
    """`user_logged_in` receiver."""
    ManagedNamespace.objects.filter(owner=user, kind__in=ManagedNamespace.OWNED_KINDS).update(
        last_activity_at=timezone.now())
