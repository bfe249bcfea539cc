"""Every student gets a personal namespace at their first sign-in."""

from django.contrib.auth.models import User

from tenants.background import after_commit
from tenants.models import ManagedNamespace
from tenants.sync import ensure_personal_namespace, sync_personal_namespace


def provision_on_sign_in(sender, request, user: User, **kwargs) -> None:
    """`user_logged_in` receiver: record the namespace now, create it in the cluster in the background."""
    if not user.groups.filter(name="student").exists():
        return
    if ManagedNamespace.objects.filter(kind="personal", owner=user).exists():
        return  # the periodic resync keeps it in shape
    ensure_personal_namespace(user)
    after_commit(_apply, user.pk)


def _apply(user_id: int) -> None:
    sync_personal_namespace(User.objects.get(pk=user_id), trigger="sign-in")
