"""The validating admission webhook that keeps tenants' hands off campus's objects.

kube-apiserver POSTs an `admission.k8s.io/v1` AdmissionReview for every CREATE, UPDATE and DELETE that its
`ValidatingWebhookConfiguration` (deploy/protect-webhook.yaml) selects, authenticating with a bearer token
(`CAMPUS_ADMISSION_SECRET`). campus answers with the request's uid and the decision of `engine.protection`.
"""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.engine.protection import decide
from tenants.infra.settings import campus_kube_username, public_url
from tenants.views.callers import presents_secret

API_VERSION = "admission.k8s.io/v1"
MAX_BODY_BYTES = 3 * 1024 * 1024  # kube-apiserver's own request limit



def _bad_request(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


def review_problem(review) -> str:
    if not isinstance(review, dict) or review.get("kind") != "AdmissionReview":
        return "expected kind AdmissionReview"
    if review.get("apiVersion") != API_VERSION:
        return f"apiVersion must be {API_VERSION}"
    request = review.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("uid"), str) or not request["uid"]:
        return "request.uid must be a non-empty string"
    if request.get("operation") not in ("CREATE", "UPDATE", "DELETE", "CONNECT"):
        return "request.operation must be CREATE, UPDATE, DELETE or CONNECT"
    for field in ("object", "oldObject", "userInfo", "kind"):
        if request.get(field) is not None and not isinstance(request[field], dict):
            return f"request.{field} must be an object"
    return ""


def read_review(request: HttpRequest) -> dict | JsonResponse:
    """The AdmissionReview kube-apiserver sent, or the answer for a caller or body that is not one (401, 413, 400:
    never a 500, and never a decision)."""
    if not presents_secret(request, "admission"):
        return JsonResponse({"error": "the admission webhook needs the API server's bearer token"}, status=401)
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    try:
        review = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _bad_request("body is not JSON")
    problem = review_problem(review)
    return _bad_request(problem) if problem else review


@csrf_exempt
@require_POST
def protect(request: HttpRequest) -> JsonResponse:
    review = read_review(request)
    if isinstance(review, JsonResponse):
        return review
    decision = decide(review["request"], campus_kube_username(), public_url())
    response = {"uid": review["request"]["uid"], "allowed": decision.allowed}
    if not decision.allowed:
        response["status"] = {"code": 403, "reason": "Forbidden", "message": decision.message}
    return JsonResponse({"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": response})
