"""campus's own traces, exported to the trace backend stand-in with OpenCensus's Zipkin exporter: spans named by
route, a caller's traceparent continued, database queries traced in every thread, background work in the same
trace, calls out carrying traceparent, and no secret in any attribute."""

import json
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from devstack.traces.server import TraceServer
from tenants.infra import telemetry
from tenants.infra.background import after_commit, drain
from tenants.models import ManagedNamespace

pytestmark = pytest.mark.django_db(transaction=True)
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def traces(settings):
    with TraceServer() as server:
        settings.CAMPUS_TELEMETRY_ZIPKIN_URL = server.spans_url
        settings.CAMPUS_TELEMETRY_SAMPLE_RATE = 1.0
        settings.CAMPUS_TELEMETRY_SYNC_EXPORT = True
        yield server


def spans(server):
    return [span for trace in server.traces() for span in trace]


def test_a_request_is_a_span_named_by_its_route_with_its_queries_inside(traces, client):
    owner = User.objects.create(username="s0001")
    ManagedNamespace.objects.create(name="r-shop", kind="requested", owner=owner, tier="student")
    client.force_login(owner)

    client.get("/api/v1/namespaces/r-shop", HTTP_TRACEPARENT=f"00-{CALLER_TRACE}-00f067aa0ba902b7-01")

    found = spans(traces)
    [server_span] = [s for s in found if s.get("kind") == "SERVER"]
    assert server_span["name"] == "get api/v1/namespaces/<str:name>"  # Zipkin lower-cases names; not the raw path
    assert server_span["traceId"] == CALLER_TRACE and server_span["parentId"] == "00f067aa0ba902b7"
    queries = [s for s in found if s["name"] == "postgresql query"]
    assert queries and all(q["parentId"] == server_span["id"] and q["traceId"] == CALLER_TRACE for q in queries)


def test_background_work_continues_the_trace_and_its_thread_queries_are_traced(traces, client):
    seen_threads = []

    def count_namespaces():
        seen_threads.append(threading.current_thread().name)
        ManagedNamespace.objects.count()

    tracer = telemetry._tracer()
    with tracer.span(name="hook delivery"):
        with connection.cursor():
            pass
        after_commit(count_namespaces)  # outside a transaction: runs at once, on the background thread
    tracer.finish()
    drain()

    found = spans(traces)
    [background] = [s for s in found if s["name"] == "background count_namespaces"]
    hook = next(s for s in found if s["name"] == "hook delivery")
    assert background["traceId"] == hook["traceId"] and background["parentId"] == hook["id"]
    assert seen_threads and seen_threads[0].startswith("campus-background")
    assert any(s["name"] == "postgresql query" and s["parentId"] == background["id"] for s in found)


def test_calls_out_carry_traceparent(traces):
    tracer = telemetry._tracer()
    with tracer.span(name="resync") as span:
        headers = telemetry.outgoing_headers()
    tracer.finish()

    trace_id = tracer.span_context.trace_id
    assert headers["traceparent"].startswith(f"00-{trace_id}-{span.span_id}-")


def test_no_secret_reaches_an_attribute(traces, client, ldap_settings):
    client.post("/login/", {"username": "s0001", "password": "s0001-very-secret"})

    exported = json.dumps(spans(traces))
    assert "s0001-very-secret" not in exported and "csrfmiddlewaretoken" not in exported
    assert any(s["name"] == "post login/" for s in spans(traces))


def test_nothing_is_exported_when_telemetry_is_off(settings, client):
    with TraceServer() as server:
        settings.CAMPUS_TELEMETRY_ZIPKIN_URL = ""
        client.get("/login/")
        assert server.traces() == [] and telemetry.outgoing_headers() == {}
