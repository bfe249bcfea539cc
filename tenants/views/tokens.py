"""kubectl access: the token list, kubeconfig downloads and revocation."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants.access.rules import render_kubeconfig
from tenants.access.tokens import mint_token, revoke_token
from tenants.selectors import namespaces as selectors
from tenants.views.forms import TokenLabelForm


@login_required
def tokens(request):
    return render(request, "tenants/tokens.html", {"tokens": selectors.tokens_of(request.user),
                                                   "lifetime_hours": settings.CAMPUS_TOKEN_LIFETIME_HOURS})


@login_required
@require_POST
def download_kubeconfig(request):
    form = TokenLabelForm(request.POST)
    if not form.is_valid():
        return render(request, "tenants/tokens.html", {"tokens": selectors.tokens_of(request.user), "form": form,
                                                       "lifetime_hours": settings.CAMPUS_TOKEN_LIFETIME_HOURS},
                      status=400)
    token, _ = mint_token(request.user, label=form.cleaned_data["label"])
    ca_file = settings.CAMPUS_KUBE_PUBLIC_CA_FILE
    kubeconfig = render_kubeconfig(
        settings.CAMPUS_CLUSTER_NAME, settings.CAMPUS_KUBE_PUBLIC_URL,
        Path(ca_file).read_text() if ca_file else "", request.user.username, token,
        namespace=selectors.default_namespace_of(request.user))
    response = HttpResponse(kubeconfig, content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{settings.CAMPUS_CLUSTER_NAME}-kubeconfig.yaml"'
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
