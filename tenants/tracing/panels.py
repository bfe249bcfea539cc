"""The tracing panel on the namespace page: the switch, and which running pods are not traced and why."""

from tenants.models import ManagedNamespace
from tenants.tracing.rules import DECISION
from tenants.tracing.selectors import namespace_facts

UNRECORDED = "started while the tracing webhook could not be asked (or before it was installed)"
FINISHED = ("Succeeded", "Failed")


def untraced(annotations: dict) -> str:
    """Why a pod runs without tracing, or "" when it is traced."""
    decision = annotations.get(DECISION) or ""
    return "" if decision.startswith("injected") else (decision or UNRECORDED).removeprefix("skipped: ")


def namespace_panel(request, namespace: ManagedNamespace, role: str, pods: list[dict] | None) -> dict:
    _tier, enabled = namespace_facts(namespace.name) or ("", True)
    untraced_pods = [(pod["name"], why) for pod in pods or [] if (why := untraced(pod["annotations"]))]
    return {"template": "tracing/namespace_panel.html", "namespace": namespace.name, "enabled": enabled,
            "may_switch": role == "admin", "untraced": untraced_pods}
