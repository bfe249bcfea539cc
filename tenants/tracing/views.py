"""`POST /kubernetes/admission/pods`: kube-apiserver's mutating admission webhook for pods created in campus's
namespaces (deploy/tracing-webhook.yaml). Answers with the request's uid, always `allowed`, and the JSONPatch of
`tracing.rules.decide`; a bad review gets 400, never a 500, and no patch. And the namespace page's switch."""

import base64
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.infra.settings import tracing_settings
from tenants.selectors.namespaces import namespace_role, visible_namespace
from tenants.tracing.rules import decide
from tenants.tracing.selectors import namespace_facts
from tenants.tracing.services import set_tracing
from tenants.views.admission import read_review

API_VERSION = "admission.k8s.io/v1"


@csrf_exempt
@require_POST
def pods(request: HttpRequest) -> JsonResponse:
    review = read_review(request)
    if isinstance(review, JsonResponse):
        return review
    admitted = review["request"]
    problem = ""
    if (admitted.get("kind") or {}).get("kind") != "Pod":
        problem = "request.kind must be Pod"
    elif not isinstance(admitted.get("object"), dict):
        problem = "request.object must be the pod"
    if problem:
        return JsonResponse({"error": problem}, status=400)
    response = {"uid": admitted["uid"], "allowed": True}
    facts = namespace_facts(admitted.get("namespace") or "")
    if facts is not None and admitted.get("operation") == "CREATE":
        tier, enabled = facts
        decision = decide(admitted["object"], admitted["namespace"], tier, enabled, tracing_settings())
        if decision.patch:
            response["patchType"] = "JSONPatch"
            response["patch"] = base64.b64encode(json.dumps(decision.patch).encode()).decode()
    return JsonResponse({"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": response})


@login_required
@require_POST
def switch(request: HttpRequest, name: str):
    """A namespace's admins (its owner, for a personal or requested one) turn tracing on or off for pods started
    from now on."""
    namespace = visible_namespace(request.user, name)
    if namespace is None:
        raise Http404("no such namespace of yours")
    if namespace_role(request.user, namespace) != "admin":
        messages.error(request, "Only the namespace's admins can turn tracing on or off.")
        return redirect("namespace_detail", name)
    enabled = request.POST.get("enabled") == "true"
    set_tracing(namespace, enabled, request.user)
    messages.success(request, f"Tracing is {'on' if enabled else 'off'} for pods started in {name} from now on.")
    return redirect("namespace_detail", name)
