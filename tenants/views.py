from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@require_GET
@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@never_cache
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unreachable\n", content_type="text/plain", status=503)
    return HttpResponse("ready\n", content_type="text/plain")
