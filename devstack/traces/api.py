"""The Zipkin v2 HTTP API over a TraceStore: the collector (`POST /api/v2/spans`) and the query endpoints.

Answers are Zipkin's: JSON bodies as its encoder writes them, 202 with no body for accepted spans, and errors as
plain text with the messages of zipkin-server (Armeria's for missing or unparsable parameters)."""

import time
from dataclasses import dataclass, field
from urllib.parse import unquote

from devstack.traces import codec
from devstack.traces.query import DEFAULT_LOOKBACK_MS, QueryError, TraceQuery
from devstack.traces.store import TraceStore

PREFIX = "/api/v2"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
NAMES_MAX_AGE = 300  # zipkin.query.names-max-age


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def text(status: int, message: str) -> Reply:
    return Reply(status, message.encode(), {"Content-Type": TEXT})


def json_reply(value, headers: dict[str, str] | None = None) -> Reply:
    return Reply(200, codec.encode(value), {"Content-Type": JSON, **(headers or {})})


class Api:
    def __init__(self, store: TraceStore, default_lookback_ms: int = DEFAULT_LOOKBACK_MS):
        self.store = store
        self.default_lookback_ms = default_lookback_ms
        self._routes = {"/spans": {"POST": self.collect, "GET": self.span_names},
                        "/services": {"GET": self.services},
                        "/remoteServices": {"GET": self.remote_services},
                        "/traces": {"GET": self.traces},
                        "/traceMany": {"GET": self.trace_many}}

    def dispatch(self, method: str, path: str, params: dict[str, str], headers, body: bytes) -> Reply:
        if not path.startswith(PREFIX + "/"):
            return text(404, "Not Found")
        route = path[len(PREFIX):]
        if route.startswith("/trace/") and route.count("/") == 2:
            handlers = {"GET": lambda *_: self.trace(unquote(route[len("/trace/"):]))}
        else:
            handlers = self._routes.get(route)
        if handlers is None:
            return text(404, "Not Found")
        handler = handlers.get(method)
        if handler is None:
            return text(405, "Method Not Allowed")
        try:
            return handler(params, headers, body)
        except (codec.SpanError, QueryError) as error:
            return text(400, str(error))

    # ---- collector -----------------------------------------------------------------------------------------

    def collect(self, params, headers, body: bytes) -> Reply:
        """JSON (any content type but proto3, as Zipkin decodes everything else as JSON v2), gzip if the
        Content-Encoding says so; the whole message is refused when one span is bad."""
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/x-protobuf":
            return text(415, "Unsupported Media Type: the trace stand-in reads JSON v2 only, not proto3")
        if "gzip" in (headers.get("Content-Encoding") or ""):
            body = codec.gunzip(body)
        self.store.accept(codec.decode_spans(body))
        return Reply(202)

    # ---- names ---------------------------------------------------------------------------------------------

    def _names(self, names: list[str]) -> Reply:
        """Zipkin asks browsers to cache names once more than three services are known."""
        cache = len(self.store.service_names()) > 3
        return json_reply(names, {"Cache-Control": f"max-age={NAMES_MAX_AGE}, must-revalidate"} if cache else None)

    def services(self, params, headers, body) -> Reply:
        return self._names(self.store.service_names())

    def span_names(self, params, headers, body) -> Reply:
        return self._names(self.store.span_names(_required(params, "serviceName")))

    def remote_services(self, params, headers, body) -> Reply:
        return self._names(self.store.remote_service_names(_required(params, "serviceName")))

    # ---- traces --------------------------------------------------------------------------------------------

    def traces(self, params, headers, body) -> Reply:
        query = TraceQuery.from_params(params, int(time.time() * 1000), self.default_lookback_ms)
        return json_reply(self.store.traces(query))

    def trace(self, trace_id: str) -> Reply:
        normalized = codec.normalize_trace_id(trace_id.strip())
        spans = self.store.trace(normalized)
        if not spans:
            return text(404, f"{normalized} not found")
        return json_reply(spans)

    def trace_many(self, params, headers, body) -> Reply:
        raw = _required(params, "traceIds")
        if not raw:
            return text(400, "traceIds parameter is empty")
        trace_ids: list[str] = []
        for trace_id in raw.split(","):
            normalized = codec.normalize_trace_id(trace_id)
            if normalized in trace_ids:
                return text(400, f"redundant traceId: {trace_id}")
            trace_ids.append(normalized)
        if len(trace_ids) == 1:
            return text(400, "Use /api/v2/trace/{traceId} endpoint to retrieve a single trace")
        return json_reply(self.store.many(trace_ids))


def _required(params: dict[str, str], name: str) -> str:
    if name not in params:
        raise QueryError(f"Mandatory parameter/header is missing: {name}")
    return params[name]
