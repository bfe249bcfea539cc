"""A trace backend stand-in per test (it starts in milliseconds) and helpers to talk to it as a portal would."""

import itertools
import time

import pytest
import requests

from devstack.traces import TraceServer

NOW_US = int(time.time() * 1_000_000)  # spans made by `span()` start around now, inside the default lookback
_ids = itertools.count(1)


@pytest.fixture
def server():
    with TraceServer() as running:
        yield running


def query(server: TraceServer, path: str, **params) -> requests.Response:
    """GET /api/v2/<path> with query parameters, as a portal would ask."""
    return requests.get(f"{server.url}/api/v2/{path}", params=params, timeout=5)


def post(server: TraceServer, spans, **headers) -> requests.Response:
    """POST spans (a list, encoded as JSON, or raw bytes) to the collector."""
    if isinstance(spans, bytes):
        return requests.post(server.spans_url, data=spans, headers=headers, timeout=5)
    return requests.post(server.spans_url, json=spans, headers=headers, timeout=5)


def trace_id(trace: int) -> str:
    """The 128-bit id of trace number `trace`."""
    return f"5af7183fb1d4cf5f{trace:016x}"


def span(trace: int, service: str = "portal", name: str = "get /", parent: int | None = None,
         ago_ms: float = 0, duration_us: int = 1000, **fields) -> dict:
    """A v2 span of trace number `trace` (ids become hex), started `ago_ms` before NOW_US."""
    made = {"traceId": trace_id(trace), "id": fields.pop("id", f"{next(_ids):016x}"), "name": name,
            "timestamp": NOW_US - int(ago_ms * 1000), "duration": duration_us,
            "localEndpoint": {"serviceName": service}}
    if parent is not None:
        made["parentId"] = f"{parent:016x}"
    made.update(fields)
    return made


def trace_ids(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [trace[0]["traceId"] for trace in answer.json()]
