"""A namespace's Traces page against the trace backend stand-in: members see their namespace's spans only, even
when another namespace's spans claim to come from theirs."""

import time

import pytest
import requests
from django.contrib.auth.models import User

from devstack.traces.server import TraceServer
from tenants.models import ManagedNamespace, Membership
from tenants.tracing.api import PATHS as TRACES_PATHS
from tenants.tracing.trace_rules import waterfall
from tests.helpers import Api

pytestmark = pytest.mark.django_db
NOW_US = int(time.time() * 1_000_000)


def span(trace, span_id, name, service, namespace, parent=None, start=0, duration=1000, **tags):
    return {"traceId": trace, "id": span_id, **({"parentId": parent} if parent else {}), "name": name,
            "timestamp": NOW_US - 60_000_000 + start, "duration": duration, "kind": "SERVER",
            "localEndpoint": {"serviceName": service}, "tags": {"k8s.namespace.name": namespace, **tags}}


@pytest.fixture
def backend(settings):
    with TraceServer() as server:
        settings.CAMPUS_TRACING_QUERY_URL = server.url
        # As the collector attributed them, by pod IP: A's shop calling its database, B's spans in a trace of B.
        spans = [span("a" * 32, "1" * 16, "get /cart", "shop", "r-alpha", duration=5000),
                 span("a" * 32, "2" * 16, "select", "db", "r-alpha", parent="1" * 16, start=1000, duration=2000,
                      error="timeout"),
                 span("b" * 32, "3" * 16, "get /secret", "vault-ui", "r-beta", duration=4000)]
        assert requests.post(server.spans_url, json=spans, timeout=5).status_code == 202
        yield server


@pytest.fixture
def alpha_member(client):
    owner = User.objects.create(username="s0001")
    alpha = ManagedNamespace.objects.create(name="r-alpha", kind="requested", owner=owner, tier="student")
    ManagedNamespace.objects.create(name="r-beta", kind="requested", tier="student")
    Membership.objects.create(namespace=alpha, username="s0001", role="admin")
    client.force_login(owner)
    return client


def test_a_member_sees_the_namespaces_traces_and_a_waterfall(backend, alpha_member):
    page = alpha_member.get("/namespaces/r-alpha/traces").content.decode()
    assert "shop get /cart" in page and "db, shop" in page and "get /secret" not in page

    trace = alpha_member.get(f"/namespaces/r-alpha/traces?trace={'a' * 32}").content.decode()
    assert "db select" in trace and "error" in trace and "margin-left: 20.0%" in trace


def test_another_namespaces_trace_is_not_found_even_by_id(backend, alpha_member):
    assert alpha_member.get(f"/namespaces/r-alpha/traces?trace={'b' * 32}").status_code == 404
    assert alpha_member.get("/namespaces/r-beta/traces").status_code == 404  # not a member of B
    assert alpha_member.get("/namespaces/r-alpha/traces?trace=../../etc").status_code == 404


def test_spans_claiming_another_namespace_are_not_shown_there(backend, alpha_member):
    forged = [span("c" * 32, "4" * 16, "get /forged", "evil", "r-beta", **{"claimed.namespace": "r-alpha"})]
    requests.post(backend.spans_url, json=forged, timeout=5)
    assert "get /forged" not in alpha_member.get("/namespaces/r-alpha/traces").content.decode()


def test_a_trace_backend_that_is_down_is_said_so(backend, alpha_member, settings):
    settings.CAMPUS_TRACING_QUERY_URL = "http://127.0.0.1:9"  # nothing listens there
    page = alpha_member.get("/namespaces/r-alpha/traces")
    assert page.status_code == 200 and "trace backend is unavailable" in page.content.decode()


def test_a_waterfall_survives_spans_that_claim_each_other_as_parents():
    a = span("d" * 32, "5" * 16, "x", "s", "r-alpha", parent="6" * 16)
    b = span("d" * 32, "6" * 16, "y", "s", "r-alpha", parent="5" * 16, start=10)
    selfish = span("d" * 32, "7" * 16, "z", "s", "r-alpha", parent="7" * 16, start=20)
    assert sorted(bar.span_id for bar in waterfall([a, b, selfish], "r-alpha")) == ["5" * 16, "6" * 16, "7" * 16]


@pytest.fixture(scope="module")
def seen():
    return set()


def test_the_api_answers_what_the_page_shows_and_validates(backend, alpha_member, seen):
    api = Api(alpha_member, seen)
    listed = api.call("get", "/api/v1/namespaces/r-alpha/traces", "/api/v1/namespaces/{name}/traces").json()
    assert [row["root"] for row in listed["traces"]] == ["shop get /cart"]
    one = api.call("get", f"/api/v1/namespaces/r-alpha/traces/{'a' * 32}",
                   "/api/v1/namespaces/{name}/traces/{trace_id}").json()
    assert [span["label"] for span in one["spans"]] == ["shop get /cart", "db select"]
    for path, template in ((f"/api/v1/namespaces/r-alpha/traces/{'b' * 32}",
                            "/api/v1/namespaces/{name}/traces/{trace_id}"),
                           ("/api/v1/namespaces/r-beta/traces", "/api/v1/namespaces/{name}/traces")):
        assert api.call("get", path, template).status_code == 404


def test_the_api_says_when_the_backend_is_down_or_nobody_signed_in(alpha_member, client, settings, seen):
    settings.CAMPUS_TRACING_QUERY_URL = "http://127.0.0.1:9"
    for path, template in (("/api/v1/namespaces/r-alpha/traces", "/api/v1/namespaces/{name}/traces"),
                           (f"/api/v1/namespaces/r-alpha/traces/{'a' * 32}",
                            "/api/v1/namespaces/{name}/traces/{trace_id}")):
        assert Api(alpha_member, seen).call("get", path, template).status_code == 503
    client.logout()
    assert Api(client, seen).call("get", "/api/v1/namespaces/r-alpha/traces",
                                  "/api/v1/namespaces/{name}/traces").status_code == 401
    assert Api(client, seen).call("get", f"/api/v1/namespaces/r-alpha/traces/{'a' * 32}",
                                  "/api/v1/namespaces/{name}/traces/{trace_id}").status_code == 401


def test_every_documented_traces_answer_was_exercised(seen):
    documented = {(path, method, status) for path, methods in TRACES_PATHS.items()
                  for method, operation in methods.items() for status in operation["responses"]}
    assert documented - seen == set()
