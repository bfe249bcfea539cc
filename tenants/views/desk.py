"""The admins' desk: pending requests to decide, the cluster overview, plans held by the guard, the audit log."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenants.approvals.services import decide_request
from tenants.models import HeldPlan, NamespaceRequest
from tenants.selectors import namespaces as selectors
from tenants.selectors.desk import audit_entries, cluster_overview
from tenants.tenancy.held import decide_held_plan
from tenants.views.forms import AuditFilterForm, DecisionForm
from tenants.views.panels import desk_panels_for


def admin_required(view):
    """Signed-in members of the admin role only; everyone else gets 403."""
    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("the admin desk is for campus admins")
        return view(request, *args, **kwargs)
    return guarded


@admin_required
def desk(request):
    return render(request, "tenants/desk.html", {"pending": selectors.pending_requests(),
                                                 "decided": selectors.decided_requests(), "form": DecisionForm()})


@admin_required
@require_POST
def decide(request, request_id: int):
    pending = get_object_or_404(NamespaceRequest, pk=request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or deny.")
        return redirect("desk")
    try:
        decided = decide_request(pending, approve=form.cleaned_data["decision"] == "approve", admin=request.user,
                                 comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, f"Request #{pending.pk}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Request #{decided.pk} {decided.status}; {decided.requester} was told by mail.")
    return redirect("desk")


@admin_required
def overview(request):
    overview = cluster_overview()
    overview["panels"] = desk_panels_for(request)
    overview["lifecycle"] = [("Expiring within 14 days", overview["expiring"]), ("Suspended", overview["suspended"]),
                             ("Archived", overview["archived"])]
    return render(request, "tenants/desk_overview.html", overview)


@admin_required
@require_POST
def decide_held(request, plan_id: int):
    held = get_object_or_404(HeldPlan, pk=plan_id)
    approve = request.POST.get("decision") == "approve"
    try:
        carried_out = decide_held_plan(held, approve=approve, admin=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        done = {HeldPlan.Step.DELETE: f"{carried_out} namespace(s) deleted",
                HeldPlan.Step.REMOVE_ACCESS: f"{carried_out} change(s) applied"}.get(
                    held.step, "the next reclaim run acts on it")
        messages.success(request, f"Held plan #{held.pk} {held.status}; {done}.")
    return redirect("desk_overview")


@admin_required
def audit(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(form.cleaned_data if form.is_valid() else {})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "tenants/desk_audit.html", {"form": form, "page": page, "query": query.urlencode()})
