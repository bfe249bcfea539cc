"""Extending a namespace: the one-click link from a warning mail, and the button on the namespace page.

The link's GET only shows what would happen (mail scanners open links); the POST extends. The signature is
the authority, so no sign-in is needed; CSRF protection still applies to the POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenants.lifecycle.extension import extend_namespace, extension_problem, namespace_for_link
from tenants.selectors import namespaces as selectors


def extend_by_link(request, token: str):
    try:
        ns = namespace_for_link(token)
    except ValidationError as error:
        return render(request, "tenants/extend.html", {"error": " ".join(error.messages)}, status=400)
    if request.method == "POST":
        try:
            until = extend_namespace(ns, by=None, trigger="mail-link")
        except ValidationError as error:
            return render(request, "tenants/extend.html", {"namespace": ns, "error": " ".join(error.messages)},
                          status=400)
        return render(request, "tenants/extend.html", {"namespace": ns, "extended_until": until})
    return render(request, "tenants/extend.html", {"namespace": ns, "problem": extension_problem(ns)})


@login_required
@require_POST
def extend_from_portal(request, name: str):
    ns = selectors.visible_namespace(request.user, name)
    if ns is None or not (request.user.is_staff or selectors.namespace_role(request.user, ns) == "admin"):
        raise Http404("no such namespace of yours")
    try:
        until = extend_namespace(ns, by=request.user, trigger=f"portal:{request.user.username}")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{ns.name} now ends on {until:%Y-%m-%d}.")
    return redirect("namespace_detail", name=ns.name)
