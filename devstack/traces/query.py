"""The /api/v2/traces query as zipkin2's `QueryRequest`: parameters, validation messages and the trace test."""

from dataclasses import dataclass, field

DEFAULT_LOOKBACK_MS = 86_400_000  # zipkin.query.lookback: one day
DEFAULT_LIMIT = 10


class QueryError(ValueError):
    """A bad query; str(error) is the body of Zipkin's 400 answer."""


def parse_annotation_query(text: str | None) -> dict[str, str]:
    """`http.path=/api and error` -> {"http.path": "/api", "error": ""}: a key=value must match a tag, a bare
    word an annotation value or a tag key; a later key=value wins, a bare word never replaces one."""
    wanted: dict[str, str] = {}
    if not text:
        return wanted
    for part in text.split(" and ", 99):
        key, equals, value = part.partition("=")
        if not equals:
            wanted.setdefault(part.strip(), "")
        else:
            wanted[key.strip()] = value.strip()
    return wanted


def _number(params: dict, name: str, bits: int) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw, 10)
    except ValueError:
        raise QueryError(f'For input string: "{raw}"') from None
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise QueryError(f'For input string: "{raw}"')
    return value


@dataclass(frozen=True)
class TraceQuery:
    end_ts: int  # epoch milliseconds
    lookback: int = DEFAULT_LOOKBACK_MS  # milliseconds
    limit: int = DEFAULT_LIMIT
    service_name: str | None = None
    remote_service_name: str | None = None
    span_name: str | None = None
    annotation_query: dict[str, str] = field(default_factory=dict)
    min_duration: int | None = None  # microseconds
    max_duration: int | None = None

    @classmethod
    def from_params(cls, params: dict[str, str], now_ms: int, default_lookback: int = DEFAULT_LOOKBACK_MS
                    ) -> "TraceQuery":
        end_ts = _number(params, "endTs", 64)
        lookback = _number(params, "lookback", 64)
        limit = _number(params, "limit", 32)
        return cls(end_ts=now_ms if end_ts is None else end_ts,
                   lookback=default_lookback if lookback is None else lookback,
                   limit=DEFAULT_LIMIT if limit is None else limit,
                   service_name=params.get("serviceName"), remote_service_name=params.get("remoteServiceName"),
                   span_name=params.get("spanName"),
                   annotation_query=parse_annotation_query(params.get("annotationQuery")),
                   min_duration=_number(params, "minDuration", 64), max_duration=_number(params, "maxDuration", 64))

    def __post_init__(self):
        """QueryRequest.Builder.build(): names lower-cased, empty ones (and the span name `all`) mean any."""
        for name in ("service_name", "remote_service_name", "span_name"):
            value = getattr(self, name)
            value = value.lower() if value else None
            object.__setattr__(self, name, None if name == "span_name" and value == "all" else value)
        if self.end_ts <= 0:
            raise QueryError("endTs <= 0")
        if self.limit <= 0:
            raise QueryError("limit <= 0")
        if self.lookback <= 0:
            raise QueryError("lookback <= 0")
        if self.min_duration is not None:
            if self.min_duration <= 0:
                raise QueryError("minDuration <= 0")
            if self.max_duration is not None and self.max_duration < self.min_duration:
                raise QueryError("maxDuration < minDuration")
        elif self.max_duration is not None:
            raise QueryError("maxDuration is only valid with minDuration")

    def in_window(self, timestamp_ms: int) -> bool:
        return self.end_ts - self.lookback <= timestamp_ms <= self.end_ts

    def matches(self, spans: list[dict]) -> bool:
        """QueryRequest.test: the trace starts in the window (its root's timestamp, else its earliest one), and
        the spans of `serviceName` (any span when it is not given) satisfy every other criterion between them."""
        started = 0
        for span in spans:
            timestamp = span.get("timestamp", 0)
            if not timestamp:
                continue
            if "parentId" not in span:
                started = timestamp
                break
            if not started or started > timestamp:
                started = timestamp
        if not started or not (self.end_ts - self.lookback) * 1000 <= started <= self.end_ts * 1000:
            return False
        service_found = self.service_name is None
        remote_wanted, name_wanted = self.remote_service_name, self.span_name
        remaining = dict(self.annotation_query)
        duration_ok = self.min_duration is None and self.max_duration is None
        for span in spans:
            if self.service_name is not None and _service(span, "localEndpoint") != self.service_name:
                continue
            service_found = True
            for annotation in span.get("annotations", ()):
                if remaining.get(annotation["value"]) == "":
                    del remaining[annotation["value"]]
            for key, value in span.get("tags", {}).items():
                if key in remaining and remaining[key] in ("", value):
                    del remaining[key]
            if remote_wanted is not None and remote_wanted == _service(span, "remoteEndpoint"):
                remote_wanted = None
            if name_wanted is not None and name_wanted == span.get("name"):
                name_wanted = None
            if not duration_ok:
                duration = span.get("duration", 0)
                duration_ok = duration >= self.min_duration and (self.max_duration is None
                                                                  or duration <= self.max_duration)
        return service_found and remote_wanted is None and name_wanted is None and not remaining and duration_ok


def _service(span: dict, endpoint: str) -> str | None:
    return span.get(endpoint, {}).get("serviceName")
