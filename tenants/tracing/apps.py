from django.apps import AppConfig


class TracingConfig(AppConfig):
    """Tracing injected into tenants' workloads: a mutating admission webhook and a per-namespace switch."""

    name = "tenants.tracing"
    label = "tracing"
    verbose_name = "campus tracing"
