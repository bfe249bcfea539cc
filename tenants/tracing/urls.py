from django.urls import path

from tenants.tracing import views

urlpatterns = [
    path("kubernetes/admission/pods", views.pods, name="admission_pods"),
    path("namespaces/<str:name>/tracing", views.switch, name="namespace_tracing"),
]
