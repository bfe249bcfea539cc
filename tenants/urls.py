from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import admission, tokenreview, webhooks
from tenants.views import account, api, desk, expiry, health, namespaces, requests, tokens

urlpatterns = [
    path("", namespaces.dashboard, name="dashboard"),
    path("namespaces/<str:name>/", namespaces.namespace_detail, name="namespace_detail"),
    path("namespaces/<str:name>/extend", expiry.extend_from_portal, name="extend_namespace"),
    path("extend/<str:token>", expiry.extend_by_link, name="extend"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/namespace/new", requests.new_namespace_request, name="new_namespace_request"),
    path("requests/quota/new", requests.new_quota_request, name="new_quota_request"),
    path("desk/", desk.desk, name="desk"),
    path("desk/requests/<int:request_id>/decide", desk.decide, name="decide_request"),
    path("desk/overview", desk.overview, name="desk_overview"),
    path("desk/held/<int:plan_id>/decide", desk.decide_held, name="decide_held_plan"),
    path("desk/audit", desk.audit, name="desk_audit"),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/kubeconfig", tokens.download_kubeconfig, name="download_kubeconfig"),
    path("tokens/<int:token_id>/revoke", tokens.revoke, name="revoke_token"),
    path("api/v1/openapi.json", api.openapi, name="api_schema"),
    path("api/v1/namespaces", api.namespace_collection, name="api_namespaces"),
    path("api/v1/namespaces/<str:name>", api.namespace, name="api_namespace"),
    path("api/v1/requests", api.request_collection, name="api_requests"),
    path("api/v1/requests/<int:request_id>", api.request_detail, name="api_request"),
    path("api/v1/requests/<int:request_id>/decision", api.request_decision, name="api_request_decision"),
    path("api/v1/tokens", api.token_collection, name="api_tokens"),
    path("api/v1/tokens/<int:token_id>", api.token_detail, name="api_token"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("gitlab/hook", webhooks.gitlab_system_hook, name="gitlab_hook"),
    path("kubernetes/tokenreview", tokenreview.token_review, name="tokenreview"),
    path("kubernetes/admission/protect", admission.protect, name="admission_protect"),
]
