"""The stand-in itself: bounded storage, clear(), the outage switches, concurrent reporters, the command line."""

import subprocess
import sys
import threading
import time

import pytest
import requests

from devstack.net import free_port, wait_for_port
from devstack.traces import TraceServer
from tests.devstack.traces.conftest import post, query, span, trace_id, trace_ids
from tests.helpers import eventually


def test_the_oldest_traces_are_dropped_past_max_spans():
    with TraceServer(max_spans=5) as server:
        post(server, [span(1, ago_ms=3_000), span(1, parent=1, ago_ms=2_900)])  # oldest
        post(server, [span(2, ago_ms=1_000), span(2, parent=1, ago_ms=900)])
        post(server, [span(3, ago_ms=5_000)])  # older still, but stored: eviction happens before a message is added
        assert server.span_count == 5
        post(server, [span(4, ago_ms=100), span(4, parent=1, ago_ms=50)])
        assert server.span_count == 4  # traces 3 and then 1, the oldest by span timestamp, made room
        assert trace_ids(query(server, "traces")) == [trace_id(4), trace_id(2)]
        assert query(server, f"trace/{trace_id(1)}").status_code == 404
        assert server.store.accepted_span_count == 7


def test_max_spans_must_be_positive():
    with pytest.raises(ValueError, match="max_spans"):
        TraceServer(max_spans=0)


def test_clear_forgets_every_span_but_keeps_the_switches(server):
    post(server, [span(1), span(2)])
    server.faults.latency_seconds = 0.01
    server.clear()
    assert server.span_count == 0 and server.traces() == [] and query(server, "services").json() == []
    assert server.faults.latency_seconds == 0.01


def test_fail_next_fails_collector_and_queries_then_recovers(server):
    server.faults.fail_next = 2
    refused = post(server, [span(1)])
    assert refused.status_code == 500 and "told to fail" in refused.text
    assert query(server, "services").status_code == 500
    assert post(server, [span(2)]).status_code == 202
    assert trace_ids(query(server, "traces")) == [trace_id(2)]  # what was refused was not stored
    server.faults.fail_next, server.faults.error_status = 1, 503
    assert query(server, "traces").status_code == 503


def test_latency_times_a_reporter_out(server):
    server.faults.latency_seconds = 5
    with pytest.raises(requests.exceptions.Timeout):
        requests.post(server.spans_url, json=[span(1)], timeout=0.2)
    server.faults.latency_seconds = 0
    assert post(server, [span(2)]).status_code == 202


def test_stop_does_not_wait_for_a_hanging_request():
    server = TraceServer().start()
    server.faults.latency_seconds = 30
    answers = []

    def call():
        try:
            answers.append(requests.get(f"{server.url}/api/v2/services", timeout=10).status_code)
        except requests.exceptions.ConnectionError as error:
            answers.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    eventually(lambda: ("GET", "/api/v2/services") in server.requests)
    started = time.monotonic()
    server.stop()
    caller.join(timeout=5)
    assert not caller.is_alive() and time.monotonic() - started < 5 and len(answers) == 1


def test_concurrent_reporters_lose_nothing(server):
    def report(worker: int):
        session = requests.Session()
        for batch in range(10):
            number = worker * 100 + batch + 1
            assert post_with(session, [span(number), span(number, parent=1)]) == 202

    def post_with(session, spans):
        return session.post(server.spans_url, json=spans, timeout=10).status_code

    workers = [threading.Thread(target=report, args=(worker,)) for worker in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert server.span_count == 160 and len(server.traces()) == 80
    assert len(query(server, "traces", limit=1000).json()) == 80


def test_the_command_line_serves_the_api():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "devstack.traces", "--port", str(port), "--max-spans", "10"],
                               stdout=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        url = f"http://127.0.0.1:{port}/api/v2"
        assert requests.post(f"{url}/spans", json=[span(1, "Campus-CLI")], timeout=5).status_code == 202
        assert requests.get(f"{url}/services", timeout=5).json() == ["campus-cli"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}/api/v2/spans" in output
