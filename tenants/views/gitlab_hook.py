"""GitLab system hook endpoint: authenticate, validate, store durably, answer, then process in the background."""

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.tenancy import events
from tenants.tenancy.rules import validation_error
from tenants.views.callers import presents_secret

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000



@csrf_exempt
@require_POST
def gitlab_system_hook(request: HttpRequest) -> JsonResponse:
    if not presents_secret(request, "gitlab", header="X-Gitlab-Token"):
        return JsonResponse({"error": "missing or wrong X-Gitlab-Token"}, status=401)
    if request.headers.get("X-Gitlab-Event") != "System Hook":
        return JsonResponse({"error": "only GitLab system hooks (X-Gitlab-Event: System Hook) are accepted"},
                            status=400)
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    problem = validation_error(payload)
    if problem:
        return JsonResponse({"error": problem}, status=400)
    event = events.receive(payload)
    return JsonResponse({"id": event.pk, "status": "accepted"}, status=202)
