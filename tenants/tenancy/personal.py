"""Every student gets a personal namespace at their first sign-in."""

from django.contrib.auth.models import User

from tenants.infra.background import after_commit
from tenants.models import ManagedNamespace
from tenants.tenancy.reconcile import sync_owned_namespaces
from tenants.tenancy.records import ensure_personal_namespace


def provision_on_sign_in(sender, request, user: User, **kwargs) -> None:
    """`user_logged_in` receiver: record the namespace now, create it in the cluster in the background."""
    if not user.groups.filter(name="student").exists():
        return
    if ManagedNamespace.objects.filter(kind="personal", owner=user).exists():
        return  # the periodic resync keeps it in shape
    namespace = ensure_personal_namespace(user)
    after_commit(sync_owned_namespaces, {namespace.name}, "sign-in")
