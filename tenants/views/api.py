"""The JSON API (`/api/v1/`): namespaces, requests and tokens, for scripts and the command line.

Authentication: the portal session (unsafe methods then need the CSRF token, as in the portal) or
`Authorization: Bearer <campus token>` (the token from a kubeconfig). Reads go through selectors, writes
through the same services the pages use; every error is JSON.
"""

import json
from collections.abc import Callable
from datetime import date
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from tenants.access.tokens import mint_token, revoke_token, user_for_token
from tenants.approvals.services import decide_request, submit_namespace_request, submit_quota_request
from tenants.models import ManagedNamespace, NamespaceRequest
from tenants.selectors import namespaces as selectors
from tenants.views.api_schema import schema

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BadInput(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("bad input")
        self.errors = errors


def error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def api(*methods: str, admin: bool = False) -> Callable:
    """Authenticate (bearer token or session + CSRF), check the method and role, turn errors into JSON."""
    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # enforced below for sessions; a bearer token is not sent by browsers on their own
        @wraps(view)
        def handle(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = error(405, f"{request.method} is not allowed here")
                response["Allow"] = ", ".join(methods)
                return response
            header = request.headers.get("Authorization", "")
            if header.startswith("Bearer "):
                request.user = user_for_token(header.removeprefix("Bearer ").strip())
                request.via_token = True
                if request.user is None:
                    response = error(401, "the token is unknown, expired or revoked")
                    response["WWW-Authenticate"] = 'Bearer realm="campus"'
                    return response
            else:
                request.via_token = False
                if not request.user.is_authenticated:
                    response = error(401, "sign in to the portal or send a campus token as a Bearer token")
                    response["WWW-Authenticate"] = 'Bearer realm="campus"'
                    return response
                if request.method not in SAFE_METHODS:
                    rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
                    if rejected is not None:
                        return error(403, "CSRF check failed: send the X-CSRFToken header with the session")
            if admin and not request.user.is_staff:
                return error(403, "only campus admins may do this")
            try:
                return view(request, *args, **kwargs)
            except BadInput as bad:
                return error(400, "the request is invalid", errors=bad.errors)
            except ValidationError as invalid:
                return error(400, "the request is invalid", errors=invalid.message_dict)
        return handle
    return decorate


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadInput({"body": ["The body is not valid JSON."]}) from None
    if not isinstance(body, dict):
        raise BadInput({"body": ["The body must be a JSON object."]})
    return body


def _field(body: dict, name: str, kind: type, required: bool = True, default=None):
    value = body.get(name, default)
    if value is None and not required:
        return default
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadInput({name: [f"Required, a {'string' if kind is str else kind.__name__}."]})
    return value


def _date(body: dict, name: str) -> date:
    try:
        return date.fromisoformat(_field(body, name, str))
    except ValueError:
        raise BadInput({name: ["A date as YYYY-MM-DD."]}) from None


# --- representations ------------------------------------------------------------------------------------------------

def _namespace(namespace: ManagedNamespace, role: str) -> dict:
    usage = getattr(namespace, "usage", None)
    return {"name": namespace.name, "kind": namespace.kind, "role": role, "tier": namespace.tier,
            "stage": namespace.stage, "gitlab_path": namespace.gitlab_path or None,
            "expires_on": namespace.expires_on.isoformat() if namespace.expires_on else None,
            "usage": {"hard": usage.hard, "used": usage.used, "pods_running": usage.pods_running,
                      "collected_at": usage.collected_at.isoformat()} if usage else None}


def _request(request: NamespaceRequest) -> dict:
    return {"id": request.pk, "kind": request.kind, "status": request.status, "requester": request.requester.username,
            "created_at": request.created_at.isoformat(), "name": request.name or None,
            "purpose": request.purpose or None, "course": request.course or None,
            "end_date": request.end_date.isoformat() if request.end_date else None,
            "namespace": request.namespace.name if request.namespace else None, "tier": request.tier or None,
            "quota_values": request.quota_values, "justification": request.justification or None,
            "auto_approved": request.auto_approved, "decision_comment": request.decision_comment or None,
            "decided_at": request.decided_at.isoformat() if request.decided_at else None}


def _token(token) -> dict:
    return {"id": token.pk, "prefix": token.prefix, "label": token.label, "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat(), "revoked": token.revoked_at is not None,
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None}


# --- endpoints ------------------------------------------------------------------------------------------------------

def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(schema())


@api("GET")
def namespace_collection(request):
    return JsonResponse({"namespaces": [_namespace(row["namespace"], row["role"])
                                        for row in selectors.namespaces_of(request.user)]})


@api("GET")
def namespace(request, name: str):
    found = selectors.visible_namespace(request.user, name)
    if found is None:
        return error(404, "no such namespace of yours")
    detail = _namespace(found, selectors.namespace_role(request.user, found))
    detail["members"] = [{"username": m.username, "role": m.role} for m in selectors.members_of(found)]
    return JsonResponse(detail)


@api("GET", "POST")
def request_collection(request):
    if request.method == "GET":
        listed = selectors.requests_listed(request.user, everyone=request.GET.get("all") == "1",
                                           status=request.GET.get("status", ""))
        return JsonResponse({"requests": [_request(r) for r in listed]})
    body = _body(request)
    kind = body.get("kind")
    if kind == "namespace":
        created = submit_namespace_request(
            request.user, name=_field(body, "name", str), purpose=_field(body, "purpose", str),
            course=_field(body, "course", str, required=False, default=""), end_date=_date(body, "end_date"))
    elif kind == "quota":
        target = selectors.visible_namespace(request.user, _field(body, "namespace", str))
        if target is None:
            raise BadInput({"namespace": ["No such namespace of yours."]})
        values = _field(body, "quota_values", dict, required=False, default={})
        if not all(isinstance(v, str) for v in values.values()):
            raise BadInput({"quota_values": ["Values are strings with units, e.g. {\"requests.cpu\": \"4\"}."]})
        created = submit_quota_request(request.user, target, tier=_field(body, "tier", str, required=False,
                                                                              default=""),
                                       quota_values=values, justification=_field(body, "justification", str))
    else:
        raise BadInput({"kind": ['Either "namespace" or "quota".']})
    return JsonResponse(_request(created), status=201)


@api("GET")
def request_detail(request, request_id: int):
    found = selectors.request_visible_to(request.user, request_id)
    if found is None:
        return error(404, "no such request of yours")
    return JsonResponse(_request(found))


@api("POST", admin=True)
def request_decision(request, request_id: int):
    pending = selectors.request_by_id(request_id)
    if pending is None:
        return error(404, "no such request")
    body = _body(request)
    decided = decide_request(pending, approve=_field(body, "approve", bool), admin=request.user,
                             comment=_field(body, "comment", str, required=False, default=""))
    return JsonResponse(_request(decided))


@api("GET", "POST")
def token_collection(request):
    if request.method == "GET":
        return JsonResponse({"tokens": [_token(t) for t in selectors.tokens_of(request.user)]})
    if request.via_token:
        return error(403, "a token cannot mint tokens; sign in to the portal")
    label = _field(_body(request), "label", str, required=False, default="")
    token, record = mint_token(request.user, label=label)
    return JsonResponse({**_token(record), "token": token}, status=201)


@api("DELETE")
def token_detail(request, token_id: int):
    if not revoke_token(request.user, token_id):
        return error(404, "no such active token of yours")
    return HttpResponse(status=204)
