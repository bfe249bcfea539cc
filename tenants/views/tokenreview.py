"""The Kubernetes webhook token authenticator: kube-apiserver POSTs a TokenReview, campus answers it.

kube-apiserver authenticates itself to campus with a bearer token (`CAMPUS_TOKENREVIEW_SECRET`, set as the
`token` of the webhook's kubeconfig user).
"""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.access.tokens import identity_for_token
from tenants.views.callers import presents_secret

API_VERSIONS = ("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1")



def _bad_request(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


@csrf_exempt
@require_POST
def token_review(request: HttpRequest) -> JsonResponse:
    if not presents_secret(request, "tokenreview"):
        return JsonResponse({"error": "the TokenReview webhook needs the API server's bearer token"}, status=401)
    try:
        review = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _bad_request("body is not JSON")
    if not isinstance(review, dict) or review.get("kind") != "TokenReview":
        return _bad_request("expected kind TokenReview")
    if review.get("apiVersion") not in API_VERSIONS:
        return _bad_request(f"apiVersion must be one of {', '.join(API_VERSIONS)}")
    token = (review.get("spec") or {}).get("token") if isinstance(review.get("spec"), dict) else None
    if not isinstance(token, str) or not token:
        return _bad_request("spec.token must be a non-empty string")
    identity = identity_for_token(token)
    if identity is None:
        status = {"authenticated": False, "error": "invalid, expired or revoked campus token"}
    else:
        status = {"authenticated": True,
                  "user": {"username": identity.username, "uid": identity.uid, "groups": list(identity.groups)}}
    return JsonResponse({"apiVersion": review["apiVersion"], "kind": "TokenReview", "status": status})
