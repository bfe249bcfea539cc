"""Turning tracing on or off for a namespace (its admins, on the namespace page)."""

from django.contrib.auth.models import User

from tenants.infra import audit
from tenants.models import ManagedNamespace
from tenants.tracing.models import NamespaceTracing


def set_tracing(namespace: ManagedNamespace, enabled: bool, by: User) -> NamespaceTracing:
    """Takes effect for pods created from now on (running pods keep what they were started with)."""
    switch, _ = NamespaceTracing.objects.update_or_create(namespace=namespace,
                                                          defaults={"enabled": enabled, "changed_by": by})
    audit.namespace_event(audit.Action.UPDATE, namespace.name,
                          f"tracing turned {'on' if enabled else 'off'} by {by.username}", f"user:{by.username}")
    return switch
