from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import tokenreview, webhooks
from tenants.views import account, health, namespaces, tokens

urlpatterns = [
    path("", namespaces.dashboard, name="dashboard"),
    path("namespaces/<str:name>/", namespaces.namespace_detail, name="namespace_detail"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/kubeconfig", tokens.download_kubeconfig, name="download_kubeconfig"),
    path("tokens/<int:token_id>/revoke", tokens.revoke, name="revoke_token"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("gitlab/hook", webhooks.gitlab_system_hook, name="gitlab_hook"),
    path("kubernetes/tokenreview", tokenreview.token_review, name="tokenreview"),
]
