"""Reads for tracing: a namespace's switch and tier, as the admission webhook needs them."""

from tenants.models import ManagedNamespace


def namespace_facts(name: str) -> tuple[str, bool] | None:
    """(tier, tracing on?) of a campus namespace; None for a namespace campus does not manage. One query."""
    row = (ManagedNamespace.objects.filter(name=name).values_list("tier", "tracing__enabled").first())
    if row is None:
        return None
    tier, enabled = row
    return tier, enabled is not False  # no switch recorded: on
