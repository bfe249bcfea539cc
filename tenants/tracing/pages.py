"""The namespace's Traces page: recent traces by service with duration and errors, and one trace's waterfall.
Only the spans the collector attributed to this namespace are shown, to its members only."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from tenants.infra.settings import trace_backend
from tenants.infra.traces import TracesUnavailable
from tenants.selectors.namespaces import visible_namespace
from tenants.tracing.trace_rules import summarise, waterfall

TRACE_ID = re.compile(r"^[0-9a-f]{16}([0-9a-f]{16})?$")


@login_required
def namespace_traces(request, name: str):
    namespace = visible_namespace(request.user, name)
    if namespace is None:
        raise Http404("no such namespace of yours")
    chosen = request.GET.get("trace", "")
    if chosen and not TRACE_ID.match(chosen):
        raise Http404("no such trace")
    backend, rows, bars, unavailable = trace_backend(), [], [], False
    try:
        rows = summarise(backend.traces(name), name)
        if chosen:
            bars = waterfall(backend.trace(chosen) or [], name)
    except TracesUnavailable:
        unavailable = True
    finally:
        backend.close()
    if chosen and not unavailable and not bars:
        raise Http404("no such trace in this namespace")  # another namespace's trace looks the same as none
    return render(request, "tracing/traces.html", {"namespace": namespace, "rows": rows, "bars": bars,
                                                   "chosen": chosen, "unavailable": unavailable})
