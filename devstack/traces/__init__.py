"""A trace backend stand-in: the Zipkin v2 HTTP API (collector and queries) over bounded in-memory storage."""

from devstack.traces.codec import SpanError
from devstack.traces.faults import TraceFaults
from devstack.traces.query import QueryError, TraceQuery
from devstack.traces.server import TraceServer
from devstack.traces.store import TraceStore

__all__ = ["QueryError", "SpanError", "TraceFaults", "TraceQuery", "TraceServer", "TraceStore"]
