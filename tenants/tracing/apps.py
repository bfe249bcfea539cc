from django.apps import AppConfig


class TracingConfig(AppConfig):
    """Tracing injected into tenants' workloads: a mutating admission webhook and a per-namespace switch."""

    name = "tenants.tracing"
    label = "tracing"
    verbose_name = "campus tracing"

    def ready(self):
        from tenants.tenancy.usage import register_pod_observer
        from tenants.tracing import api
        from tenants.tracing.panels import namespace_panel
        from tenants.tracing.reports import desk_panel, record_untraced
        from tenants.views import api_schema, panels

        panels.register(namespace_panel)
        panels.register_desk(desk_panel)
        register_pod_observer(record_untraced)
        api_schema.register(api.PATHS, api.SCHEMAS)
