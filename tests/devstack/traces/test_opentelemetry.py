"""opentelemetry-exporter-zipkin-json's ZipkinExporter behind a SimpleSpanProcessor on an SDK TracerProvider,
reporting to the stand-in, read back through the query API."""

import time

import pytest
from opentelemetry import trace
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.devstack.traces.conftest import query

START_NS = (time.time_ns() // 1000 - 60_000_000) * 1000  # a minute ago, whole microseconds (Zipkin's grain)


@pytest.fixture
def provider(server):
    provider = TracerProvider(resource=Resource.create({"service.name": "Campus-Resync"}))
    provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=server.spans_url)))
    yield provider
    provider.shutdown()


def resync_trace(provider, start_ns: int = START_NS):
    """A 120 ms SERVER span for a resync with a 45 ms CLIENT child reading GitLab, at fixed times."""
    tracer = provider.get_tracer("campus.tests", "1.0")
    parent = tracer.start_span("Resync", kind=trace.SpanKind.SERVER, start_time=start_ns,
                               attributes={"campus.tenants": 12, "campus.plan": "apply"})
    child = tracer.start_span("gitlab.groups", context=trace.set_span_in_context(parent),
                              kind=trace.SpanKind.CLIENT, start_time=start_ns + 5_000_000,
                              attributes={"http.method": "GET", "http.url": "https://gitlab.example/api/v4/groups"})
    child.add_event("page", {"number": 2}, timestamp=start_ns + 20_000_000)
    child.end(end_time=start_ns + 50_000_000)
    parent.end(end_time=start_ns + 120_000_000)
    return parent, child


def hex_ids(span) -> tuple[str, str]:
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def test_a_parent_and_child_round_trip_through_the_query_api(server, provider):
    parent, child = resync_trace(provider)
    trace_id, parent_id = hex_ids(parent)
    _, child_id = hex_ids(child)

    answer = query(server, f"trace/{trace_id}")
    assert answer.status_code == 200
    spans = {span["id"]: span for span in answer.json()}
    assert set(spans) == {parent_id, child_id}
    root, gitlab = spans[parent_id], spans[child_id]
    assert root["traceId"] == gitlab["traceId"] == trace_id
    assert "parentId" not in root and gitlab["parentId"] == parent_id
    assert (root["name"], gitlab["name"]) == ("resync", "gitlab.groups")
    assert (root["kind"], gitlab["kind"]) == ("SERVER", "CLIENT")
    assert (root["timestamp"], root["duration"]) == (START_NS // 1000, 120_000)
    assert (gitlab["timestamp"], gitlab["duration"]) == (START_NS // 1000 + 5_000, 45_000)
    assert root["localEndpoint"] == gitlab["localEndpoint"] == {"serviceName": "campus-resync"}
    assert root["tags"]["campus.tenants"] == "12" and root["tags"]["campus.plan"] == "apply"
    assert gitlab["tags"]["http.url"] == "https://gitlab.example/api/v4/groups"
    assert gitlab["tags"]["otel.scope.name"] == "campus.tests"
    assert gitlab["annotations"] == [{"timestamp": START_NS // 1000 + 20_000, "value": '{"page": {"number": 2}}'}]


def test_searches_by_service_span_name_tag_and_duration(server, provider):
    parent, _ = resync_trace(provider)
    trace_id, _ = hex_ids(parent)
    end_ts = START_NS // 1_000_000 + 1_000

    def found(**params):
        answer = query(server, "traces", endTs=end_ts, lookback=60_000, **params)
        assert answer.status_code == 200, answer.text
        return [spans[0]["traceId"] for spans in answer.json()]

    assert found(serviceName="Campus-Resync") == [trace_id]
    assert found(spanName="gitlab.groups", annotationQuery="http.method=GET") == [trace_id]
    assert found(minDuration=100_000, maxDuration=130_000) == [trace_id]
    assert found(minDuration=121_000) == []
    assert found(annotationQuery="campus.plan=dry-run") == []
    assert query(server, "traces", endTs=START_NS // 1_000_000 - 1).json() == []  # ended before it started


def test_the_exporter_reports_an_outage_and_succeeds_once_it_is_over(server):
    """SimpleSpanProcessor drops what fails; the exporter's own answer shows the outage and the recovery."""
    captured = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "campus"}))
    provider.add_span_processor(SimpleSpanProcessor(captured))
    resync_trace(provider)
    exporter = ZipkinExporter(endpoint=server.spans_url)

    server.faults.fail_next = 1
    server.faults.error_status = 503
    assert exporter.export(captured.get_finished_spans()) == SpanExportResult.FAILURE
    assert server.span_count == 0
    assert exporter.export(captured.get_finished_spans()) == SpanExportResult.SUCCESS
    assert server.span_count == 2
    provider.shutdown()
