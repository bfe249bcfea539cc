"""The query endpoints as a portal uses them: names, /traces with its filters, window and limit, one trace."""

import pytest

from tests.devstack.traces.conftest import NOW_US, post, query, span, trace_id, trace_ids

NOW_MS = NOW_US // 1000


@pytest.fixture
def campus(server):
    """Three traces: a portal request calling the Kubernetes API (1), a resync calling GitLab (2, an hour ago),
    a slow portal request that failed (3, two days ago)."""
    assert post(server, [
        span(1, "Campus-Portal", "GET /namespaces", ago_ms=1_000, duration_us=80_000, id="0000000000000001",
             kind="SERVER", tags={"http.method": "GET", "http.status_code": "200"}),
        span(1, "campus-portal", "kube.list", parent=1, ago_ms=990, duration_us=30_000, kind="CLIENT",
             remoteEndpoint={"serviceName": "kube-apiserver"}, annotations=[{"timestamp": NOW_US, "value": "retry"}]),
        span(2, "campus-resync", "resync", ago_ms=3_600_000, duration_us=900_000, id="0000000000000002"),
        span(2, "campus-resync", "gitlab.groups", parent=2, ago_ms=3_599_000, duration_us=400_000, kind="CLIENT",
             remoteEndpoint={"serviceName": "GitLab"}, tags={"http.method": "GET"}),
        span(3, "campus-portal", "POST /requests", ago_ms=172_800_000, duration_us=5_000_000,
             tags={"http.method": "POST", "error": "timeout"}),
    ]).status_code == 202
    return server


def test_service_span_and_remote_service_names_are_lower_case_and_sorted(campus):
    assert query(campus, "services").json() == ["campus-portal", "campus-resync"]
    assert query(campus, "spans", serviceName="CAMPUS-PORTAL").json() == ["get /namespaces", "kube.list",
                                                                          "post /requests"]
    assert query(campus, "remoteServices", serviceName="campus-resync").json() == ["gitlab"]
    assert query(campus, "spans", serviceName="nobody").json() == []
    answer = query(campus, "spans")
    assert (answer.status_code, answer.text) == (400, "Mandatory parameter/header is missing: serviceName")


def test_names_are_cacheable_once_more_than_three_services_are_known(campus):
    assert "Cache-Control" not in query(campus, "services").headers
    post(campus, [span(9, service) for service in ("a", "b")])
    assert query(campus, "services").headers["Cache-Control"] == "max-age=300, must-revalidate"
    assert query(campus, "spans", serviceName="a").headers["Cache-Control"] == "max-age=300, must-revalidate"


def test_traces_default_to_the_last_day_newest_first(campus):
    answer = query(campus, "traces")
    assert trace_ids(answer) == [trace_id(1), trace_id(2)]
    assert [len(spans) for spans in answer.json()] == [2, 2]
    assert trace_ids(query(campus, "traces", lookback=3 * 86_400_000)) == [trace_id(1), trace_id(2), trace_id(3)]


def test_end_ts_and_lookback_are_a_window_in_milliseconds(campus):
    an_hour_ago = NOW_MS - 3_600_000
    assert trace_ids(query(campus, "traces", endTs=an_hour_ago + 5_000, lookback=10_000)) == [trace_id(2)]
    assert trace_ids(query(campus, "traces", endTs=NOW_MS, lookback=2_000)) == [trace_id(1)]
    assert trace_ids(query(campus, "traces", endTs=NOW_MS - 1_500, lookback=1_000)) == []  # before the portal trace


def test_limit_keeps_the_newest(server):
    post(server, [span(n, ago_ms=n * 1_000) for n in range(1, 16)])
    assert trace_ids(query(server, "traces")) == [trace_id(n) for n in range(1, 11)]  # Zipkin's default: 10
    assert trace_ids(query(server, "traces", limit=3)) == [trace_id(1), trace_id(2), trace_id(3)]
    assert len(query(server, "traces", limit=100).json()) == 15


def test_min_and_max_duration_in_microseconds(campus):
    assert trace_ids(query(campus, "traces", minDuration=500_000)) == [trace_id(2)]
    assert trace_ids(query(campus, "traces", minDuration=25_000, maxDuration=50_000)) == [trace_id(1)]
    assert trace_ids(query(campus, "traces", minDuration=10_000_000)) == []


def test_service_and_span_name_constrain_one_another(campus):
    assert trace_ids(query(campus, "traces", serviceName="Campus-Resync")) == [trace_id(2)]
    assert trace_ids(query(campus, "traces", spanName="KUBE.LIST")) == [trace_id(1)]
    assert trace_ids(query(campus, "traces", spanName="all")) == [trace_id(1), trace_id(2)]
    assert trace_ids(query(campus, "traces", serviceName="campus-portal", spanName="gitlab.groups")) == []
    assert trace_ids(query(campus, "traces", remoteServiceName="gitlab")) == [trace_id(2)]


def test_annotation_query_matches_tags_annotations_and_tag_keys(campus):
    def found(annotation_query, **params):
        return trace_ids(query(campus, "traces", annotationQuery=annotation_query, lookback=3 * 86_400_000, **params))

    assert found("http.method=GET") == [trace_id(1), trace_id(2)]
    assert found("http.method=GET and retry") == [trace_id(1)]  # a tag on one span, an annotation on another
    assert found("error") == [trace_id(3)]  # a bare word also matches a tag key
    assert found("error=timeout and http.method=POST") == [trace_id(3)]
    assert found("error=refused") == []
    assert found("http.method=GET", serviceName="campus-resync") == [trace_id(2)]


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": 0}, "limit <= 0"),
    ({"lookback": 0}, "lookback <= 0"),
    ({"endTs": -1}, "endTs <= 0"),
    ({"minDuration": 0}, "minDuration <= 0"),
    ({"maxDuration": 5}, "maxDuration is only valid with minDuration"),
    ({"minDuration": 10, "maxDuration": 5}, "maxDuration < minDuration"),
    ({"limit": "ten"}, 'For input string: "ten"'),
])
def test_bad_queries_are_400_with_zipkins_message(server, params, message):
    answer = query(server, "traces", **params)
    assert (answer.status_code, answer.text) == (400, message)


def test_one_trace_by_id_and_several_at_once(campus):
    spans = query(campus, f"trace/{trace_id(1)}").json()
    assert {s["name"] for s in spans} == {"get /namespaces", "kube.list"}
    assert query(campus, f"trace/{trace_id(1)}%20").status_code == 200  # Zipkin trims the id
    missing = query(campus, "trace/" + "f" * 32)
    assert (missing.status_code, missing.text) == (404, "f" * 32 + " not found")
    padded = query(campus, "trace/abc")
    assert (padded.status_code, padded.text) == (404, "0000000000000abc not found")
    malformed = query(campus, "trace/0e8b46e1-81b")
    assert (malformed.status_code, malformed.text) == (400, "0e8b46e1-81b should be lower-hex encoded with no prefix")
    many = query(campus, "traceMany", traceIds=f"{trace_id(1)},{trace_id(3)},abcd")
    assert sorted(trace[0]["traceId"] for trace in many.json()) == [trace_id(1), trace_id(3)]
    assert query(campus, "traceMany", traceIds=trace_id(1)).status_code == 400
