"""Who may do what: every route × every role, so nobody reads or changes another tenant's data.

A route added to tenants/urls.py without a row here fails `test_every_route_is_in_the_matrix`.
Statuses: 302 for pages means "sign in first" for anonymous users (or the usual redirect after a POST).
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tenants.access.tokens import mint_token
from tenants.lifecycle.extension import extension_link_token
from tenants.models import AccessToken, HeldPlan, ManagedNamespace, Membership, NamespaceRequest

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "owner", "classmate", "staff", "admin")
EVERYONE_SIGNED_IN = {"anonymous": 302, "owner": 200, "classmate": 200, "staff": 200, "admin": 200}
ADMINS_ONLY = {"anonymous": 302, "owner": 403, "classmate": 403, "staff": 403, "admin": 200}
OWNER_AND_ADMIN = {"anonymous": 302, "owner": 200, "classmate": 404, "staff": 404, "admin": 200}


def api(statuses: dict) -> dict:
    """The same expectations for the API, where anonymous callers get 401 instead of a redirect."""
    return {**statuses, "anonymous": 401}


# route name → (method, expected status per role, body)
MATRIX = {
    "dashboard": [("get", EVERYONE_SIGNED_IN, None)],
    "namespace_detail": [("get", OWNER_AND_ADMIN, None)],
    "login": [("get", {"anonymous": 200, "owner": 302, "classmate": 302, "staff": 302, "admin": 302}, None)],
    "logout": [("post", dict.fromkeys(ROLES, 302), {})],
    "requests": [("get", EVERYONE_SIGNED_IN, None)],
    "new_namespace_request": [("get", EVERYONE_SIGNED_IN, None),
                              ("post", {**dict.fromkeys(ROLES, 400), "anonymous": 302}, {})],
    "new_quota_request": [("get", EVERYONE_SIGNED_IN, None),
                          ("post", {**dict.fromkeys(ROLES, 400), "anonymous": 302}, {})],
    "desk": [("get", ADMINS_ONLY, None)],
    "desk_overview": [("get", ADMINS_ONLY, None)],
    "desk_audit": [("get", ADMINS_ONLY, None)],
    "decide_request": [("post", {**ADMINS_ONLY, "admin": 302}, {"decision": "deny", "comment": "no"})],
    "decide_held_plan": [("post", {**ADMINS_ONLY, "admin": 302}, {"decision": "discard"})],
    "tokens": [("get", EVERYONE_SIGNED_IN, None)],
    "download_kubeconfig": [("post", EVERYONE_SIGNED_IN, {})],
    "revoke_token": [("post", dict.fromkeys(ROLES, 302), {})],  # the effect is checked below
    "extend_namespace": [("post", {"anonymous": 302, "owner": 302, "classmate": 404, "staff": 404, "admin": 302},
                          {})],
    "extend": [("get", dict.fromkeys(ROLES, 200), None)],
    "namespace_traces": [("get", OWNER_AND_ADMIN, None)],
    # No trace backend here: whoever may look gets 503; whoever may not, 404 as for any other namespace.
    "api_namespace_traces": [("get", api({**OWNER_AND_ADMIN, "owner": 503, "admin": 503}), None)],
    "api_namespace_trace": [("get", api({**OWNER_AND_ADMIN, "owner": 503, "admin": 503}), None)],
    "namespace_tracing": [("post", {"anonymous": 302, "owner": 302, "classmate": 404, "staff": 404, "admin": 302},
                           {"enabled": "false"})],  # the signed link is the authority; GET changes nothing
    "api_schema": [("get", dict.fromkeys(ROLES, 200), None)],
    "api_namespaces": [("get", api(EVERYONE_SIGNED_IN), None)],
    "api_namespace": [("get", api(OWNER_AND_ADMIN), None)],
    "api_requests": [("get", api(EVERYONE_SIGNED_IN), None),
                     ("post", {**dict.fromkeys(ROLES, 400), "anonymous": 401}, {})],
    "api_request": [("get", api(OWNER_AND_ADMIN), None)],
    "api_request_decision": [("post", api(ADMINS_ONLY), {"approve": False, "comment": "no"})],
    "api_tokens": [("get", api(EVERYONE_SIGNED_IN), None), ("post", {**dict.fromkeys(ROLES, 201), "anonymous": 401},
                                                            {})],
    "api_token": [("delete", {"anonymous": 401, "owner": 204, "classmate": 404, "staff": 404, "admin": 404}, None)],
}
EXEMPT = {
    "healthz": "probe: no data, no session",
    "readyz": "probe: no data, no session",
    "gitlab_hook": "authenticated by X-Gitlab-Token (tests/engine/test_webhooks.py)",
    "tokenreview": "authenticated by the API server's bearer token (tests/kubectl_access)",
    "admission_protect": "authenticated by the API server's bearer token (tests/views/test_admission.py)",
    "admission_pods": "authenticated by the API server's bearer token (tests/tracing/test_webhook.py)",
}


def route_names(patterns, prefix="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin: staff only, proven in tests/portal/test_shell.py
            names |= route_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_route_is_in_the_matrix():
    assert route_names(get_resolver().url_patterns) == set(MATRIX) | set(EXEMPT)


@pytest.fixture(autouse=True)
def offline(monkeypatch, settings):
    """No cluster: the namespace page's live pod list and the engine's background applies are not under test."""
    monkeypatch.setattr("tenants.views.namespaces.running_pods", lambda name: [])
    settings.CAMPUS_TRACING_QUERY_URL = "http://127.0.0.1:9"  # no trace backend: the page says it is unavailable
    monkeypatch.setattr("tenants.approvals.services.after_commit", lambda *args: None)
    settings.CAMPUS_TERMS = "2026-10-01..2027-03-31,2027-04-01..2027-09-30"


@pytest.fixture
def world():
    student = Group.objects.get_or_create(name="student")[0]
    people = {}
    for role, username in (("owner", "s0001"), ("classmate", "s0002"), ("staff", "prof.lang"),
                           ("admin", "admin.ops")):
        people[role] = User.objects.create(username=username, is_staff=role == "admin")
        if role in ("owner", "classmate"):
            people[role].groups.add(student)
    mine = ManagedNamespace.objects.create(name="r-mine", kind="requested", owner=people["owner"], tier="student",
                                           expires_on=timezone.localdate() + timedelta(days=5))
    Membership.objects.create(namespace=mine, username="s0001", role="admin")
    request = NamespaceRequest.objects.create(kind="namespace", requester=people["owner"], name="r-next",
                                              purpose="x", end_date=timezone.localdate() + timedelta(days=5))
    _, token = mint_token(people["owner"])
    held = HeldPlan.objects.create(trigger="resync", reason="too many", namespaces=["r-mine"])
    kwargs = {"namespace_detail": {"name": "r-mine"}, "api_namespace": {"name": "r-mine"},
              "decide_request": {"request_id": request.pk}, "api_request": {"request_id": request.pk},
              "api_request_decision": {"request_id": request.pk}, "decide_held_plan": {"plan_id": held.pk},
              "revoke_token": {"token_id": token.pk}, "api_token": {"token_id": token.pk},
              "extend_namespace": {"name": "r-mine"}, "namespace_tracing": {"name": "r-mine"},
              "namespace_traces": {"name": "r-mine"}, "api_namespace_traces": {"name": "r-mine"},
              "api_namespace_trace": {"name": "r-mine", "trace_id": "a" * 32},
              "extend": {"token": extension_link_token(mine)}}
    return people, kwargs, token


CASES = [(name, method, role, statuses[role], body) for name, rows in MATRIX.items()
         for method, statuses, body in rows for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role", "expected", "body"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_route_by_role(world, name, method, role, expected, body):
    people, kwargs, token = world
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    url = reverse(name, kwargs=kwargs.get(name))
    if name.startswith("api_") and method != "get":
        response = getattr(client, method)(url, data=body, content_type="application/json")
    else:
        response = getattr(client, method)(url, data=body)
    assert response.status_code == expected
    if name == "revoke_token":  # only the owner's own revocation takes effect
        revoked = AccessToken.objects.get(pk=token.pk).revoked_at is not None
        assert revoked == (role == "owner")


@pytest.mark.parametrize("name", [name for name, rows in MATRIX.items()
                                  if any(method == "post" for method, _, _ in rows) and not name.startswith("api_")
                                  and name != "logout"])
def test_every_form_post_needs_the_csrf_token(world, name):
    people, kwargs, _ = world
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["admin"])
    assert strict.post(reverse(name, kwargs=kwargs.get(name)), {}).status_code == 403
