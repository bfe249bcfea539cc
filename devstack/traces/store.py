"""In-memory span storage after zipkin2's `InMemoryStorage` (strict trace ids, search enabled): thread-safe and
bounded — before a message is stored, the traces with the oldest span timestamps are dropped until it fits."""

import copy
import heapq
import json
import threading
from dataclasses import dataclass, field

from devstack.traces.query import TraceQuery

DEFAULT_MAX_SPANS = 500_000  # zipkin.storage.mem.max-spans


@dataclass
class _Trace:
    spans: list[dict] = field(default_factory=list)  # in the order received, exact duplicates dropped
    seen: set[str] = field(default_factory=set)
    timestamps_ms: set[int] = field(default_factory=set)  # Zipkin indexes a trace by each span's millisecond
    names: set[tuple[str, str | None, str | None]] = field(default_factory=set)  # (service, span, remote)
    oldest_ms: int | None = None


class TraceStore:
    def __init__(self, max_spans: int = DEFAULT_MAX_SPANS):
        if max_spans <= 0:
            raise ValueError("max_spans <= 0")
        self.max_spans = max_spans
        self._lock = threading.Lock()
        self._traces: dict[str, _Trace] = {}
        self._oldest: list[tuple[int, str]] = []  # heap of (oldest timestamp ms, trace id); stale entries skipped
        self._span_count = 0
        self.accepted_span_count = 0  # every span accepted since the last clear, evicted or not

    @property
    def span_count(self) -> int:
        return self._span_count

    def clear(self) -> None:
        with self._lock:
            self._traces.clear()
            self._oldest.clear()
            self._span_count = 0
            self.accepted_span_count = 0

    def accept(self, spans: list[dict]) -> None:
        """Store normalised spans (see devstack.traces.codec); never mutate them afterwards."""
        with self._lock:
            self.accepted_span_count += len(spans)
            while self._traces and self._span_count + len(spans) > self.max_spans:
                self._evict_oldest()
            for span in spans:
                self._add(span)

    def _add(self, span: dict) -> None:
        key = json.dumps(span)
        trace = self._traces.setdefault(span["traceId"], _Trace())
        if key in trace.seen:
            return
        timestamp_ms = span.get("timestamp", 0) // 1000
        if trace.oldest_ms is None or timestamp_ms < trace.oldest_ms:
            trace.oldest_ms = timestamp_ms
            heapq.heappush(self._oldest, (timestamp_ms, span["traceId"]))
        trace.seen.add(key)
        trace.spans.append(span)
        trace.timestamps_ms.add(timestamp_ms)
        service = span.get("localEndpoint", {}).get("serviceName")
        if service is not None:
            trace.names.add((service, span.get("name"), span.get("remoteEndpoint", {}).get("serviceName")))
        self._span_count += 1

    def _evict_oldest(self) -> None:
        while self._oldest:
            timestamp_ms, trace_id = heapq.heappop(self._oldest)
            trace = self._traces.get(trace_id)
            if trace is not None and trace.oldest_ms == timestamp_ms:
                del self._traces[trace_id]
                self._span_count -= len(trace.spans)
                return

    # ---- reads: copies, so callers cannot change what is stored --------------------------------------------

    def trace(self, trace_id: str) -> list[dict]:
        """The spans of one normalised trace id; [] when unknown."""
        with self._lock:
            trace = self._traces.get(trace_id)
            return copy.deepcopy(trace.spans) if trace else []

    def traces(self, query: TraceQuery | None = None) -> list[list[dict]]:
        """Traces newest first (by their newest span in the query's window), at most `query.limit`; every
        trace, unfiltered and newest first, without a query."""
        with self._lock:
            ranked = []
            for trace_id, trace in self._traces.items():
                in_window = [t for t in trace.timestamps_ms if query is None or query.in_window(t)]
                if in_window:
                    ranked.append((max(in_window), trace_id))
            ranked.sort(reverse=True)
            found = []
            for _, trace_id in ranked:
                if query is not None and len(found) >= query.limit:
                    break
                spans = self._traces[trace_id].spans
                if query is None or query.matches(spans):
                    found.append(copy.deepcopy(spans))
            return found

    def many(self, trace_ids: list[str]) -> list[list[dict]]:
        with self._lock:
            return [copy.deepcopy(self._traces[t].spans) for t in trace_ids if t in self._traces]

    def service_names(self) -> list[str]:
        with self._lock:
            return sorted({service for trace in self._traces.values() for service, _, _ in trace.names})

    def span_names(self, service: str) -> list[str]:
        return self._names_of(service, 1)

    def remote_service_names(self, service: str) -> list[str]:
        return self._names_of(service, 2)

    def _names_of(self, service: str, position: int) -> list[str]:
        service = service.lower()
        with self._lock:
            return sorted({names[position] for trace in self._traces.values() for names in trace.names
                           if names[0] == service and names[position] is not None})
