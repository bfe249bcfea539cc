"""The tracing panel on the namespace page: the switch, and which running pods are not traced and why."""

from tenants.models import ManagedNamespace
from tenants.tracing.rules import DECISION
from tenants.tracing.selectors import namespace_facts

UNRECORDED = "started while the tracing webhook could not be asked (or before it was installed)"


def namespace_panel(request, namespace: ManagedNamespace, role: str, pods: list[dict] | None) -> dict:
    _tier, enabled = namespace_facts(namespace.name) or ("", True)
    untraced = [(pod["name"], (pod["annotations"].get(DECISION) or UNRECORDED).removeprefix("skipped: "))
                for pod in pods or [] if not (pod["annotations"].get(DECISION) or "").startswith("injected")]
    return {"template": "tracing/namespace_panel.html", "namespace": namespace.name, "enabled": enabled,
            "may_switch": role == "admin", "untraced": untraced}
