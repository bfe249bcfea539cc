"""Server-side printing: the meta.k8s.io/v1 Table `kubectl get` asks for (Accept: ...;as=Table;...)."""

from datetime import UTC, datetime

_NAME = {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a "
         "namespace.", "priority": 0}
_AGE = {"name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing "
        "the server time when this object was created.", "priority": 0}


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def human_age(timestamp: str) -> str:
    """duration.HumanDuration of the time since `timestamp`, as kubectl shows it."""
    if not timestamp:
        return "<unknown>"
    created = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seconds = max(0, int((datetime.now(UTC) - created).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    return f"{days}d" if days < 730 else f"{days // 365}y"


def _column(name: str, kind: str = "string", priority: int = 0) -> dict:
    return {"name": name, "type": kind, "format": "", "description": name, "priority": priority}


def _name(obj: dict) -> str:
    return obj["metadata"]["name"]


def _age(obj: dict) -> str:
    return human_age(obj["metadata"].get("creationTimestamp", ""))


def _pod(obj: dict) -> list:
    status = obj.get("status", {})
    statuses = status.get("containerStatuses") or []
    containers = obj.get("spec", {}).get("containers") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(s.get("restartCount", 0) for s in statuses)
    phase = status.get("reason") or status.get("phase", "")
    for state in (s.get("state") or {} for s in statuses):  # a container's waiting/terminated reason wins
        phase = (state.get("waiting") or state.get("terminated") or {}).get("reason") or phase
    if obj["metadata"].get("deletionTimestamp"):
        phase = "Terminating"
    return [_name(obj), f"{ready}/{len(containers)}", phase, restarts, _age(obj), status.get("podIP", "<none>"),
            obj.get("spec", {}).get("nodeName", "<none>")]


def _event(obj: dict) -> list:
    involved = obj.get("involvedObject", {})
    seen = obj.get("lastTimestamp") or (obj.get("eventTime") or "")[:19] + "Z"
    return [human_age(seen if len(seen) > 1 else obj["metadata"].get("creationTimestamp", "")), obj.get("type", ""),
            obj.get("reason", ""), f"{involved.get('kind', '').lower()}/{involved.get('name', '')}",
            obj.get("message", ""), _name(obj)]


def _deployment(obj: dict) -> list:
    status = obj.get("status", {})
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{obj.get('spec', {}).get('replicas', 0)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj)]


def _service(obj: dict) -> list:
    spec = obj.get("spec", {})
    ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
    return [_name(obj), spec.get("type", ""), spec.get("clusterIP", "<none>"), "<none>", ports, _age(obj)]


def _job(obj: dict) -> list:
    status, spec = obj.get("status", {}), obj.get("spec", {})
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    state = "Complete" if conditions.get("Complete") == "True" else "Failed" if conditions.get("Failed") == "True" \
        else "Running"
    return [_name(obj), state, f"{status.get('succeeded', 0)}/{spec.get('completions', 1)}", _age(obj)]


def _binding(obj: dict) -> list:
    ref = obj.get("roleRef", {})
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(obj)]


def _quota(obj: dict) -> list:
    hard, used = obj.get("status", {}).get("hard") or {}, obj.get("status", {}).get("used") or {}
    pairs = [f"{k}: {used.get(k, '0')}/{v}" for k, v in sorted(hard.items())]
    return [_name(obj), _age(obj), ", ".join(p for p in pairs if not p.startswith("limits.")),
            ", ".join(p for p in pairs if p.startswith("limits."))]


def _node(obj: dict) -> list:
    status, labels = obj.get("status") or {}, obj["metadata"].get("labels") or {}
    ready = next((c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), "")
    state = {"True": "Ready", "False": "NotReady"}.get(ready, "Unknown")
    if (obj.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(key.split("/", 1)[1] for key in labels if key.startswith("node-role.kubernetes.io/"))
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [_name(obj), state, ",".join(roles) or "<none>", _age(obj), info.get("kubeletVersion", ""),
            addresses.get("InternalIP", "<none>"), addresses.get("ExternalIP", "<none>"), info.get("osImage", ""),
            info.get("kernelVersion", ""), info.get("containerRuntimeVersion", "")]


_NAME_AGE = [_NAME, _AGE]
# kind -> (column definitions, row cells): the apiserver's printers (pkg/printers/internalversion), abridged.
_PRINTERS = {
    "Pod": ([_NAME, _column("Ready"), _column("Status"), _column("Restarts", "integer"), _AGE,
             _column("IP", priority=1), _column("Node", priority=1)], _pod),
    "Event": ([_column("Last Seen"), _column("Type"), _column("Reason"), _column("Object"), _column("Message"),
               {**_NAME, "priority": 1}], _event),
    "Namespace": ([_NAME, _column("Status"), _AGE], lambda o: [_name(o), o.get("status", {}).get("phase", ""),
                                                              _age(o)]),
    "Deployment": ([_NAME, _column("Ready"), _column("Up-to-date", "integer"), _column("Available", "integer"),
                    _AGE], _deployment),
    "Service": ([_NAME, _column("Type"), _column("Cluster-IP"), _column("External-IP"), _column("Port(s)"), _AGE],
                _service),
    "ConfigMap": ([_NAME, _column("Data", "integer"), _AGE],
                  lambda o: [_name(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o)]),
    "Secret": ([_NAME, _column("Type"), _column("Data", "integer"), _AGE],
               lambda o: [_name(o), o.get("type", ""), len(o.get("data") or {}), _age(o)]),
    "Job": ([_NAME, _column("Status"), _column("Completions"), _AGE], _job),
    "RoleBinding": ([_NAME, _column("Role"), _AGE], _binding),
    "ClusterRoleBinding": ([_NAME, _column("Role"), _AGE], _binding),
    "ResourceQuota": ([_NAME, _AGE, _column("Request"), _column("Limit")], _quota),
    "ValidatingWebhookConfiguration": ([_NAME, _column("Webhooks", "integer"), _AGE],
                                       lambda o: [_name(o), len(o.get("webhooks") or []), _age(o)]),
    "MutatingWebhookConfiguration": ([_NAME, _column("Webhooks", "integer"), _AGE],
                                     lambda o: [_name(o), len(o.get("webhooks") or []), _age(o)]),
    "Node": ([_NAME, _column("Status"), _column("Roles"), _AGE, _column("Version"),
              *(_column(name, priority=1) for name in ("Internal-IP", "External-IP", "OS-Image", "Kernel-Version",
                                                        "Container-Runtime"))], _node),
}


def table_for(kind: str, items: list[dict], resource_version: str, continue_token: str, remaining: int) -> dict:
    columns, cells = _PRINTERS.get(kind, (_NAME_AGE, lambda o: [_name(o), _age(o)]))
    rows = [{"cells": cells(item), "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                              "metadata": item["metadata"]}} for item in items]
    metadata = {"resourceVersion": resource_version}
    if continue_token:
        metadata.update({"continue": continue_token, "remainingItemCount": remaining})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "columnDefinitions": columns,
            "rows": rows}
