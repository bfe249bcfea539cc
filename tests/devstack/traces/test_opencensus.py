"""opencensus-ext-zipkin's ZipkinExporter (v2 JSON, synchronous transport) reporting to the stand-in, read back
through the query API."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from opencensus.common.transports.sync import SyncTransport
from opencensus.common.utils import timestamp_to_microseconds
from opencensus.ext.zipkin.trace_exporter import ZipkinExporter
from opencensus.trace import execution_context
from opencensus.trace.samplers import AlwaysOnSampler
from opencensus.trace.span import SpanKind
from opencensus.trace.tracer import Tracer

from tests.devstack.traces.conftest import query


@pytest.fixture
def tracer(server):
    exporter = ZipkinExporter(service_name="Campus-Portal", host_name="127.0.0.1", port=server.port,
                              endpoint="/api/v2/spans", transport=SyncTransport, ipv4="10.0.0.7")
    yield Tracer(exporter=exporter, sampler=AlwaysOnSampler())
    execution_context.clear()  # opencensus keeps the current tracer and span per thread


def started_ago(milliseconds: int) -> str:
    """An OpenCensus span start time (its own format) `milliseconds` before now: spans last long enough to
    filter on without the test sleeping."""
    moment = datetime.now(UTC).replace(tzinfo=None) - timedelta(milliseconds=milliseconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration_us(span) -> int:
    return round(timestamp_to_microseconds(span.end_time) - timestamp_to_microseconds(span.start_time))


def dashboard_trace(tracer):
    """A SERVER span for the dashboard with a CLIENT child listing namespaces; returns both OpenCensus spans."""
    with tracer.span(name="Portal.Dashboard") as parent:
        parent.span_kind = SpanKind.SERVER
        parent.start_time = started_ago(40)
        parent.add_attribute("http.method", "GET")
        parent.add_attribute("http.status_code", 200)
        with tracer.span(name="kube.list_namespaces") as child:
            child.span_kind = SpanKind.CLIENT
            child.start_time = started_ago(25)
            child.add_attribute("campus.namespaces", 3)
            child.add_annotation("cache miss")
    return parent, child


def test_a_parent_and_child_round_trip_through_the_query_api(server, tracer):
    parent, child = dashboard_trace(tracer)
    trace_id = tracer.span_context.trace_id

    answer = query(server, f"trace/{trace_id}")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    spans = {span["id"]: span for span in answer.json()}
    assert set(spans) == {parent.span_id, child.span_id}
    root, kube = spans[parent.span_id], spans[child.span_id]
    assert root["traceId"] == kube["traceId"] == trace_id and len(trace_id) == 32
    assert "parentId" not in root and kube["parentId"] == parent.span_id
    assert (root["name"], kube["name"]) == ("portal.dashboard", "kube.list_namespaces")  # Zipkin lower-cases
    assert (root["kind"], kube["kind"]) == ("SERVER", "CLIENT")
    assert root["duration"] == duration_us(parent) and root["duration"] >= 40_000
    assert kube["duration"] == duration_us(child) and 25_000 <= kube["duration"] < root["duration"]
    assert root["timestamp"] == round(timestamp_to_microseconds(parent.start_time))
    assert root["localEndpoint"] == {"serviceName": "campus-portal", "ipv4": "10.0.0.7", "port": server.port}
    assert root["tags"] == {"http.method": "GET", "http.status_code": "200"}
    assert kube["tags"] == {"campus.namespaces": "3"}
    assert [a["value"] for a in kube["annotations"]] == ["cache miss"]
    assert "annotations" not in root  # the exporter's empty list is dropped, as Zipkin stores it


def test_names_and_searches_see_the_exported_spans(server, tracer):
    dashboard_trace(tracer)
    trace_id = tracer.span_context.trace_id

    assert query(server, "services").json() == ["campus-portal"]
    assert query(server, "spans", serviceName="Campus-Portal").json() == ["kube.list_namespaces",
                                                                          "portal.dashboard"]
    found = query(server, "traces", serviceName="campus-portal", annotationQuery="http.method=GET and cache miss")
    assert [trace[0]["traceId"] for trace in found.json()] == [trace_id]
    assert query(server, "traces", spanName="Kube.List_Namespaces", minDuration=20_000).json()[0][0]["traceId"] \
        == trace_id
    assert query(server, "traces", annotationQuery="http.method=POST").json() == []
    assert query(server, "traces", minDuration=10_000_000).json() == []


def test_an_outage_loses_what_was_reported_meanwhile(server, tracer, caplog):
    server.faults.fail_next = 1
    with caplog.at_level(logging.ERROR):
        with tracer.span(name="lost"):
            pass
    assert "Failed to send spans to Zipkin server" in caplog.text  # the exporter logs and drops them
    assert server.span_count == 0
    with tracer.span(name="kept"):
        pass
    assert [[span["name"] for span in trace] for trace in server.traces()] == [["kept"]]
