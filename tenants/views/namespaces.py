"""The student's namespaces: the dashboard and one namespace's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from tenants.infra.settings import extension_limits
from tenants.selectors import namespaces as selectors
from tenants.selectors.workloads import running_pods
from tenants.tenancy.usage import bars
from tenants.views.panels import panels_for


@login_required
def dashboard(request):
    roles = sorted(request.user.groups.values_list("name", flat=True))
    rows = selectors.namespaces_of(request.user)
    collected = [row["usage"].collected_at for row in rows if row["usage"]]
    return render(request, "tenants/dashboard.html", {"roles": roles, "rows": rows,
                                                      "usage_at": min(collected) if collected else None})


@login_required
def namespace_detail(request, name: str):
    namespace = selectors.visible_namespace(request.user, name)
    if namespace is None:
        raise Http404("no such namespace of yours")
    usage = getattr(namespace, "usage", None)
    quota, limits = selectors.namespace_quota(namespace)
    extension_days, max_extensions = extension_limits()
    role, pods = selectors.namespace_role(request.user, namespace), running_pods(namespace.name)
    return render(request, "tenants/namespace.html", {
        "namespace": namespace, "role": role, "members": selectors.members_of(namespace), "usage": usage,
        "bars": bars(usage.hard, usage.used) if usage else [], "quota": quota, "limits": limits, "pods": pods,
        "extension_days": extension_days, "max_extensions": max_extensions,
        "panels": panels_for(request, namespace, role, pods),
    })
