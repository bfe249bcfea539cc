from django.urls import path

from tenants.tracing import api, pages, views

urlpatterns = [
    path("kubernetes/admission/pods", views.pods, name="admission_pods"),
    path("namespaces/<str:name>/tracing", views.switch, name="namespace_tracing"),
    path("namespaces/<str:name>/traces", pages.namespace_traces, name="namespace_traces"),
    path("api/v1/namespaces/<str:name>/traces", api.namespace_traces, name="api_namespace_traces"),
    path("api/v1/namespaces/<str:name>/traces/<str:trace_id>", api.namespace_trace, name="api_namespace_trace"),
]
