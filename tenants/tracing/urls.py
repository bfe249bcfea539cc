from django.urls import path

from tenants.tracing import pages, views

urlpatterns = [
    path("kubernetes/admission/pods", views.pods, name="admission_pods"),
    path("namespaces/<str:name>/tracing", views.switch, name="namespace_tracing"),
    path("namespaces/<str:name>/traces", pages.namespace_traces, name="namespace_traces"),
]
