"""Traces as a namespace's members see them: only the spans attributed to the namespace, summarised by service,
and one trace as a waterfall of bars. Pure (Zipkin v2 spans in, plain rows out)."""

from dataclasses import dataclass

TENANT_TAG = "k8s.namespace.name"


@dataclass(frozen=True)
class TraceRow:
    trace_id: str
    root: str  # "<service> <span name>" of the earliest span
    services: tuple[str, ...]
    started_us: int
    duration_us: int
    spans: int
    errors: int


@dataclass(frozen=True)
class Bar:
    span_id: str
    depth: int
    label: str
    offset_pct: float
    width_pct: float
    duration_us: int
    error: bool


def belongs_to(span: dict, namespace: str) -> bool:
    return (span.get("tags") or {}).get(TENANT_TAG) == namespace


def _service(span: dict) -> str:
    return (span.get("localEndpoint") or {}).get("serviceName") or "unknown"


def _error(span: dict) -> bool:
    tags = span.get("tags") or {}
    return "error" in tags or tags.get("otel.status_code") == "ERROR"


def visible_spans(trace: list[dict], namespace: str) -> list[dict]:
    """A trace may cross namespaces (a call into a shared service): members see only their namespace's spans."""
    return [span for span in trace if belongs_to(span, namespace)]


def summarise(traces: list[list[dict]], namespace: str) -> list[TraceRow]:
    rows = []
    for trace in traces:
        spans = [s for s in visible_spans(trace, namespace) if s.get("timestamp") is not None]
        if not spans:
            continue
        first = min(spans, key=lambda s: s["timestamp"])
        end = max(s["timestamp"] + (s.get("duration") or 0) for s in spans)
        rows.append(TraceRow(trace_id=first["traceId"], root=f"{_service(first)} {first.get('name') or ''}".strip(),
                             services=tuple(sorted({_service(s) for s in spans})), started_us=first["timestamp"],
                             duration_us=end - first["timestamp"], spans=len(spans),
                             errors=sum(_error(s) for s in spans)))
    return sorted(rows, key=lambda row: row.started_us, reverse=True)


def waterfall(trace: list[dict], namespace: str) -> list[Bar]:
    """The namespace's spans of one trace in call order (parents before children), as bars on a common scale."""
    spans = [s for s in visible_spans(trace, namespace) if s.get("timestamp") is not None]
    if not spans:
        return []
    start = min(s["timestamp"] for s in spans)
    total = max(max(s["timestamp"] + (s.get("duration") or 0) for s in spans) - start, 1)
    by_id = {s["id"]: s for s in spans}
    children: dict[str | None, list[dict]] = {}
    for span in spans:
        parent = span.get("parentId") if span.get("parentId") in by_id else None
        children.setdefault(parent, []).append(span)
    bars: list[Bar] = []
    seen: set[str] = set()

    def visit(parent: str | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: (s["timestamp"], s["id"])):
            if span["id"] in seen:  # spans may claim any parent: a cycle is drawn once
                continue
            seen.add(span["id"])
            duration = span.get("duration") or 0
            bars.append(Bar(span["id"], depth, f"{_service(span)} {span.get('name') or ''}".strip(),
                            round(100 * (span["timestamp"] - start) / total, 2),
                            max(round(100 * duration / total, 2), 0.5), duration, _error(span)))
            visit(span["id"], depth + 1)

    visit(None, 0)
    for span in sorted(spans, key=lambda s: (s["timestamp"], s["id"])):  # only reachable through a cycle
        if span["id"] not in seen:
            children[span["id"] + "#root"] = [span]
            visit(span["id"] + "#root", 0)
    return bars
