from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import tokenreview, views, webhooks

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/kubeconfig", views.download_kubeconfig, name="download_kubeconfig"),
    path("tokens/<int:token_id>/revoke", views.revoke, name="revoke_token"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("gitlab/hook", webhooks.gitlab_system_hook, name="gitlab_hook"),
    path("kubernetes/tokenreview", tokenreview.token_review, name="tokenreview"),
]
