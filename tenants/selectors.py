"""Reads for the portal's pages (writes live in services such as tenants.tokens)."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from tenants.models import AccessToken, ManagedNamespace


def tokens_of(user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user).order_by("-created_at")


def default_namespace_of(user: User) -> str:
    """The namespace a fresh kubeconfig points at: the user's personal one, if it exists yet."""
    return (ManagedNamespace.objects.filter(owner=user, kind=ManagedNamespace.Kind.PERSONAL)
            .values_list("name", flat=True).first() or "")
