"""kubectl access: the token list, kubeconfig downloads and revocation."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants.access.kubeconfigs import issue_kubeconfig
from tenants.access.tokens import revoke_token
from tenants.infra.settings import token_lifetime_hours
from tenants.selectors import namespaces as selectors
from tenants.views.forms import TokenLabelForm


@login_required
def tokens(request):
    return render(request, "tenants/tokens.html", {"tokens": selectors.tokens_of(request.user),
                                                   "lifetime_hours": token_lifetime_hours()})


@login_required
@require_POST
def download_kubeconfig(request):
    form = TokenLabelForm(request.POST)
    if not form.is_valid():
        return render(request, "tenants/tokens.html", {"tokens": selectors.tokens_of(request.user), "form": form,
                                                       "lifetime_hours": token_lifetime_hours()},
                      status=400)
    filename, kubeconfig = issue_kubeconfig(request.user, label=form.cleaned_data["label"])
    response = HttpResponse(kubeconfig, content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request, token_id: int):
    if revoke_token(request.user, token_id):
        messages.success(request, "Token revoked. kubectl configurations that use it stop working within a minute.")
    else:
        messages.error(request, "No such active token of yours.")
    return redirect("tokens")
