from django.apps import AppConfig


class TracingConfig(AppConfig):
    """Tracing injected into tenants' workloads: a mutating admission webhook and a per-namespace switch."""

    name = "tenants.tracing"
    label = "tracing"
    verbose_name = "campus tracing"

    def ready(self):
        from tenants.tracing import api
        from tenants.tracing.panels import namespace_panel
        from tenants.views import api_schema, panels

        panels.register(namespace_panel)
        api_schema.register(api.PATHS, api.SCHEMAS)
