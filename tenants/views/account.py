"""Sign-in and the dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tenants.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = form.status_code
        return response


@login_required
def dashboard(request):
    roles = sorted(request.user.groups.values_list("name", flat=True))
    return render(request, "tenants/dashboard.html", {"roles": roles, "namespaces": []})
