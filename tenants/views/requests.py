"""A user's requests: a project namespace, or more quota for a namespace they administer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from tenants.approvals.services import semester_end, submit_namespace_request, submit_quota_request
from tenants.infra.settings import tenancy_config
from tenants.selectors import namespaces as selectors
from tenants.views.forms import NamespaceRequestForm, QuotaRequestForm, add_service_errors


@login_required
def request_list(request):
    return render(request, "tenants/requests.html", {"requests": selectors.requests_of(request.user)})


@login_required
def new_namespace_request(request):
    form = NamespaceRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = submit_namespace_request(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if created.status == created.Status.APPROVED:
                messages.success(request, f"{created.name} was approved and is being created.")
            else:
                messages.info(request, f"Your request for {created.name} waits for an admin.")
            return redirect("requests")
    return render(request, "tenants/request_namespace.html",
                  {"form": form, "latest_end": semester_end(timezone.localdate())},
                  status=400 if form.is_bound else 200)


@login_required
def new_quota_request(request):
    form = QuotaRequestForm(request.POST if request.method == "POST" else None,
                            namespaces=selectors.administered_namespaces(request.user),
                            tiers=sorted(tenancy_config().tiers))
    if request.method == "POST" and form.is_valid():
        namespace = selectors.visible_namespace(request.user, form.cleaned_data["namespace"])
        try:
            submit_quota_request(request.user, namespace, tier=form.cleaned_data["tier"],
                                 quota_values=form.quota_values(), justification=form.cleaned_data["justification"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.info(request, f"Your quota request for {namespace.name} waits for an admin.")
            return redirect("requests")
    return render(request, "tenants/request_quota.html", {"form": form}, status=400 if form.is_bound else 200)
