"""Sign-in."""

from django.contrib.auth import views as auth_views

from tenants.views.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = form.status_code
        return response
