"""`/api/v1/namespaces/<name>/traces` (recent traces) and `…/traces/<trace id>` (one trace's spans as a
waterfall): the Traces page's data, for members of the namespace only, registered into the API's schema."""

from dataclasses import asdict

from django.http import JsonResponse

from tenants.infra.settings import trace_backend
from tenants.infra.traces import TracesUnavailable
from tenants.selectors.namespaces import visible_namespace
from tenants.tracing.pages import TRACE_ID
from tenants.tracing.trace_rules import summarise, waterfall
from tenants.views.api import api, error
from tenants.views.api_schema import json_content, path_parameter, ref, responses

SCHEMAS = {
    "TraceSummary": {"type": "object", "additionalProperties": False, "required": [
        "trace_id", "root", "services", "started_us", "duration_us", "spans", "errors"], "properties": {
        "trace_id": {"type": "string"}, "root": {"type": "string"},
        "services": {"type": "array", "items": {"type": "string"}}, "started_us": {"type": "integer"},
        "duration_us": {"type": "integer"}, "spans": {"type": "integer"}, "errors": {"type": "integer"}}},
    "TraceSpan": {"type": "object", "additionalProperties": False, "required": [
        "span_id", "depth", "label", "offset_pct", "width_pct", "duration_us", "error"], "properties": {
        "span_id": {"type": "string"}, "depth": {"type": "integer"}, "label": {"type": "string"},
        "offset_pct": {"type": "number"}, "width_pct": {"type": "number"}, "duration_us": {"type": "integer"},
        "error": {"type": "boolean"}}},
}
PATHS = {
    "/api/v1/namespaces/{name}/traces": {"get": {
        "summary": "Recent traces of a namespace of yours (only its own spans)",
        "parameters": [path_parameter("name", "string")],
        "responses": responses("401", "404", "503", **{"200": json_content(
            {"type": "object", "required": ["traces"], "properties": {
                "traces": {"type": "array", "items": ref("TraceSummary")}}}, "recent traces")})}},
    "/api/v1/namespaces/{name}/traces/{trace_id}": {"get": {
        "summary": "One trace's spans in that namespace, in call order",
        "parameters": [path_parameter("name", "string"), path_parameter("trace_id", "string")],
        "responses": responses("401", "404", "503", **{"200": json_content(
            {"type": "object", "required": ["spans"], "properties": {
                "spans": {"type": "array", "items": ref("TraceSpan")}}}, "the trace's spans")})}},
}


def _ask(name: str, ask):
    backend = trace_backend()
    try:
        return ask(backend)
    finally:
        backend.close()


@api("GET")
def namespace_traces(request, name: str):
    if visible_namespace(request.user, name) is None:
        return error(404, "no such namespace of yours")
    try:
        rows = summarise(_ask(name, lambda backend: backend.traces(name)), name)
    except TracesUnavailable:
        return error(503, "the trace backend cannot be asked right now")
    return JsonResponse({"traces": [asdict(row) for row in rows]})


@api("GET")
def namespace_trace(request, name: str, trace_id: str):
    if visible_namespace(request.user, name) is None or not TRACE_ID.match(trace_id):
        return error(404, "no such trace in a namespace of yours")
    try:
        bars = waterfall(_ask(name, lambda backend: backend.trace(trace_id)) or [], name)
    except TracesUnavailable:
        return error(503, "the trace backend cannot be asked right now")
    if not bars:
        return error(404, "no such trace in a namespace of yours")
    return JsonResponse({"spans": [asdict(bar) for bar in bars]})
