"""campus traced end to end with OpenCensus, exported to a Zipkin v2 endpoint (`CAMPUS_TELEMETRY_ZIPKIN_URL`;
empty: off, as in tests unless a test turns it on).

Every request is a span named by its URL route (`GET namespaces/<str:name>/`, never the raw path: ids and names
would make every span unique), continuing the caller's W3C `traceparent`. Database queries are child spans in
*every* thread: the wrapper is installed on each connection as it is created (opencensus-ext-django installs it
once, for the thread that built the middleware — census-instrumentation/opencensus-python#810 — and names spans
by the raw path, so campus uses this small middleware instead). Calls to LDAP, GitLab and Kubernetes are child
spans and carry `traceparent`; work handed to the background thread continues the trace that handed it over.
Attributes never carry secrets: SQL without its parameters, URLs without query strings, no headers or bodies.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from urllib.parse import urlsplit

import requests
from django.db.backends.signals import connection_created
from django.urls import Resolver404, resolve
from opencensus.common.transports.async_ import AsyncTransport
from opencensus.common.transports.sync import SyncTransport
from opencensus.ext.zipkin.trace_exporter import ZipkinExporter
from opencensus.trace import execution_context
from opencensus.trace.propagation.trace_context_http_header_format import TraceContextPropagator
from opencensus.trace.samplers import ProbabilitySampler
from opencensus.trace.span import SpanKind
from opencensus.trace.span_context import SpanContext
from opencensus.trace.tracer import Tracer

PROPAGATOR = TraceContextPropagator()
_exporters: dict[tuple[str, bool], ZipkinExporter] = {}
_lock = threading.Lock()


def _settings():
    from tenants.infra import settings  # the settings reader builds the adapters, which use this module

    return settings.telemetry()


def enabled() -> bool:
    return bool(_settings().zipkin_url)


def _exporter() -> ZipkinExporter:
    """One exporter per endpoint for the process (the asynchronous one batches on its own thread)."""
    config = _settings()
    key = (config.zipkin_url, config.sync_export)
    with _lock:
        if key not in _exporters:
            url = urlsplit(key[0])
            _exporters[key] = ZipkinExporter(
                service_name="campus", host_name=url.hostname, port=url.port or 9411,
                endpoint=url.path or "/api/v2/spans", protocol=url.scheme,
                transport=SyncTransport if key[1] else AsyncTransport)
        return _exporters[key]


def _tracer(span_context: SpanContext | None = None) -> Tracer:
    return Tracer(span_context=span_context, sampler=ProbabilitySampler(_settings().sample_rate),
                  exporter=_exporter(), propagator=PROPAGATOR)


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered before URL resolution (a middleware), or no route matched
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "(no route)"
    return match.route or "/"


class TracingMiddleware:
    """A server span per request, named by its route, continuing an incoming `traceparent`."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        tracer = _tracer(PROPAGATOR.from_headers(request.headers))
        try:
            with tracer.span(name=request.method) as span:
                span.span_kind = SpanKind.SERVER
                response = self.get_response(request)
                route = _route(request)  # resolved by now: named once the view is known
                span.name = f"{request.method} {route}"
                span.add_attribute("http.method", request.method)
                span.add_attribute("http.route", route)
                span.add_attribute("http.status_code", response.status_code)
                return response
        finally:
            tracer.finish()
            execution_context.clean()


def _current() -> tuple[Tracer | None, object | None]:
    span = execution_context.get_current_span()  # None outside a sampled trace: the cheap test first
    if span is None:
        return None, None
    tracer = execution_context.get_opencensus_tracer()
    return (tracer, span) if hasattr(tracer, "span_context") and enabled() else (None, None)


def call_span(name: str, **attributes):
    """A child span around a call to another service, when a trace is under way (else nothing)."""
    tracer, _span = _current()
    if tracer is None:
        return nullcontext()
    return _child(tracer, name, attributes)


@contextmanager
def _child(tracer: Tracer, name: str, attributes: dict):
    with tracer.span(name=name) as span:
        span.span_kind = SpanKind.CLIENT
        for key, value in attributes.items():
            span.add_attribute(key, value)
        yield span


def outgoing_headers() -> dict[str, str]:
    """`traceparent` (and `tracestate`) for a call made now, so the callee continues this trace."""
    tracer, span = _current()
    if tracer is None:
        return {}
    context = tracer.span_context
    return PROPAGATOR.to_headers(SpanContext(trace_id=context.trace_id, span_id=span.span_id,
                                             trace_options=context.trace_options, tracestate=context.tracestate))


def carried(task: Callable) -> Callable:
    """`task` to run on another thread, continuing the trace under way where it was handed over."""
    tracer, span = _current()
    if tracer is None:
        return task
    parent = SpanContext(trace_id=tracer.span_context.trace_id, span_id=span.span_id,
                         trace_options=tracer.span_context.trace_options)

    def run(*args):
        background = _tracer(parent)
        try:
            with background.span(name=f"background {getattr(task, '__name__', 'task')}"):
                return task(*args)
        finally:
            background.finish()
            execution_context.clean()

    return run


def _traced_query(execute, sql, params, many, context):
    with call_span("postgresql query", **{"db.system": "postgresql", "db.statement": str(sql)[:1000]}):
        return execute(sql, params, many, context)  # parameters are never recorded: they may be secrets


def _on_connection(sender, connection, **kwargs) -> None:
    if _traced_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_traced_query)


connection_created.connect(_on_connection, dispatch_uid="campus-telemetry-queries")


class TracedSession(requests.Session):
    """A requests session whose calls are child spans carrying `traceparent` (python-gitlab uses one)."""

    def request(self, method, url, *args, **kwargs):
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **outgoing_headers()}
        target = urlsplit(str(url))
        with call_span(f"http {method}", **{"http.method": method, "http.host": target.netloc,
                                            "http.path": target.path}):
            return super().request(method, url, *args, **kwargs)
