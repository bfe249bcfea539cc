"""Admission plugins, in kube-apiserver's order. Mutating: LimitRanger (defaults), ServiceAccount, then the mutating
webhooks. Validating: LimitRanger (min/max), the validating webhooks, ResourceQuota (always last).

(NamespaceLifecycle is built into the store: no content in missing or Terminating namespaces.)

Each is an AdmissionPlugin or Validator: (operation, resource, object, old object, store, request) -> the object,
possibly mutated (validators return nothing), or an ApiError with the real plugin's message.
"""

from devstack.kube import quota
from devstack.kube.contracts import AdmissionPlugin, Resource, Store, Validator, WriteRequest
from devstack.kube.errors import forbidden
from devstack.kube.quota import Quantity, ResourceList

LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
_CONTAINER_LISTS = (("initContainers", "init container"), ("containers", "container"))


def _is_core(resource: Resource, plural: str) -> bool:
    return resource.group == "" and resource.plural == plural


def _name(obj: dict) -> str:
    """The name admission errors use before a generated name exists (extractResourceName)."""
    meta = obj.get("metadata") or {}
    return meta.get("name") or meta.get("generateName") or "Unknown"


def _containers(pod: dict):
    spec = pod.get("spec") or {}
    for key, label in _CONTAINER_LISTS:
        for container in spec.get(key) or []:
            yield label, container


# --- LimitRanger ----------------------------------------------------------------------------------

def default_limit_range(limit_range: dict) -> dict:
    """SetDefaults_LimitRangeItem for Container items: default <- max, defaultRequest <- default <- min."""
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") != "Container":
            continue
        default, default_request = item.setdefault("default", {}), item.setdefault("defaultRequest", {})
        for source, target in ((item.get("max"), default), (default, default_request),
                               (item.get("min"), default_request)):
            for name, value in (source or {}).items():
                target.setdefault(name, value)
    return limit_range


def default_requests_from_limits(pod: dict) -> None:
    """Pod defaulting: a container that states a limit but no request for a resource requests its limit."""
    for _, container in _containers(pod):
        resources = container.setdefault("resources", {})
        limits = resources.get("limits") or {}
        missing = {name: value for name, value in limits.items() if name not in (resources.get("requests") or {})}
        if missing:
            resources["requests"] = {**(resources.get("requests") or {}), **missing}


def _merge_defaults(container: dict, label: str, item: dict) -> list[str]:
    """Fill missing requests/limits from one Container item; say what was set, as the annotation does."""
    resources = container.setdefault("resources", {})
    notes = []
    for field_name, defaults_key, word in (("requests", "defaultRequest", "request"), ("limits", "default", "limit")):
        present = resources.get(field_name) or {}
        added = {name: value for name, value in (item.get(defaults_key) or {}).items() if name not in present}
        if added:
            resources[field_name] = {**present, **added}
            notes.append(f"{', '.join(sorted(added))} {word} for {label} {container.get('name', '')}")
    return notes


def _bound_errors(item: dict, container: dict) -> list[str]:
    """minConstraint / maxConstraint for one container against one Container item."""
    resources = container.get("resources") or {}
    requests = quota.parse_resource_list(resources.get("requests"))
    limits = quota.parse_resource_list(resources.get("limits"))
    errors = []
    for name, text in (item.get("min") or {}).items():
        bound = Quantity.parse(text)
        if name not in requests:
            errors.append(f"minimum {name} usage per Container is {bound}.  No request is specified")
        elif requests[name] < bound:
            errors.append(f"minimum {name} usage per Container is {bound}, but request is {requests[name]}")
        elif name in limits and limits[name] < bound:
            errors.append(f"minimum {name} usage per Container is {bound}, but limit is {limits[name]}")
    for name, text in (item.get("max") or {}).items():
        bound = Quantity.parse(text)
        if name not in limits:
            errors.append(f"maximum {name} usage per Container is {bound}.  No limit is specified")
        elif limits[name] > bound:
            errors.append(f"maximum {name} usage per Container is {bound}, but limit is {limits[name]}")
        elif name in requests and requests[name] > bound:
            errors.append(f"maximum {name} usage per Container is {bound}, but request is {requests[name]}")
    return errors


def _container_items(store: Store, namespace: str) -> list[dict]:
    return [item for limit_range in store.list(store.resource_for("v1", "LimitRange"), namespace)
            for item in (default_limit_range(limit_range)["spec"].get("limits") or [])
            if item.get("type") == "Container"]


def limit_ranger(operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                 request: WriteRequest) -> dict:
    """LimitRanger's Admit: defaults for new pods (and for LimitRange objects themselves)."""
    if _is_core(resource, "limitranges") and operation in ("CREATE", "UPDATE"):
        return default_limit_range(obj)
    if not _is_core(resource, "pods") or operation != "CREATE":
        return obj
    default_requests_from_limits(obj)
    items = _container_items(store, obj["metadata"].get("namespace", ""))
    notes = [note for item in items for label, container in _containers(obj)
             for note in _merge_defaults(container, label, item)]
    if notes:
        annotations = obj["metadata"].setdefault("annotations", {})
        annotations[LIMIT_RANGER_ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    return obj


def limit_ranger_bounds(operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                        request: WriteRequest) -> None:
    """LimitRanger's Validate: min/max, on the pod as mutation (webhooks included) left it."""
    if not _is_core(resource, "pods") or operation != "CREATE":
        return
    items = _container_items(store, obj["metadata"].get("namespace", ""))
    errors = [error for item in items for _, container in _containers(obj) for error in _bound_errors(item, container)]
    if errors:
        raise forbidden(resource, _name(obj), errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")


# --- ServiceAccount -------------------------------------------------------------------------------

def service_account(operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                    request: WriteRequest) -> dict:
    """Pods run as the namespace's "default" service account unless they name another."""
    if _is_core(resource, "pods") and operation == "CREATE":
        spec = obj.setdefault("spec", {})
        spec["serviceAccountName"] = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccount"] = spec["serviceAccountName"]
    return obj


# --- ResourceQuota --------------------------------------------------------------------------------

def _missing_requirements(pod: dict, required: set[str]) -> str:
    """"limits.cpu for: app,sidecar; requests.memory for: app" (podEvaluator.Constraints), or ""."""
    missing: dict[str, set[str]] = {}
    for _, container in _containers(pod):
        resources = container.get("resources") or {}
        stated = quota.compute_usage(quota.parse_resource_list(resources.get("requests")),
                                     quota.parse_resource_list(resources.get("limits")))
        for name in required - set(stated):
            missing.setdefault(name, set()).add(container.get("name", ""))
    return "; ".join(f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing))


def resource_quota(operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                   request: WriteRequest) -> None:
    """Rejects a create that would push any quota of the namespace past status.hard.

    status.used is what the quota controller counted after the last committed write in the namespace.
    """
    namespace = (obj.get("metadata") or {}).get("namespace")
    if operation != "CREATE" or not resource.namespaced or not namespace:
        return
    quota_resource = store.resource_for("v1", "ResourceQuota")
    kind = (resource.group, resource.plural)
    pertinent: list[tuple[str, ResourceList, ResourceList]] = []
    for item in store.list(quota_resource, namespace):
        name, status = item["metadata"]["name"], item.get("status") or {}
        hard = quota.parse_resource_list(status.get("hard"))
        matching = {key for key in hard if quota.counted_kind(key) == kind}
        if not matching:
            continue
        if _is_core(resource, "pods"):
            missing = _missing_requirements(obj, matching & quota.CONSTRAINED_POD_RESOURCES)
            if missing:
                raise forbidden(resource, _name(obj), f"failed quota: {name}: must specify {missing}")
        used = quota.parse_resource_list(status.get("used"))
        if not matching <= set(used):
            raise forbidden(resource, _name(obj), f"status unknown for quota: {name}, resources: "
                                                  f"{','.join(sorted(matching))}")
        pertinent.append((name, hard, used))
    usage = quota.object_usage(resource, obj)
    for name, hard, used in pertinent:
        requested = {key: usage[key] for key in hard if key in usage and usage[key].value != 0}
        new_used = quota.add(used, requested)
        exceeded = {key for key in requested if new_used[key] > hard[key]}
        if exceeded:
            raise forbidden(resource, _name(obj), f"exceeded quota: {name}, "
                                                  f"requested: {_pretty(requested, exceeded)}, "
                                                  f"used: {_pretty(used, exceeded)}, "
                                                  f"limited: {_pretty(hard, exceeded)}")


def _pretty(resources: ResourceList, names: set[str]) -> str:
    return quota.pretty({name: value for name, value in resources.items() if name in names})


def default_admission() -> list[AdmissionPlugin]:
    """The built-in mutating plugins (the mutating webhooks go after them)."""
    return [limit_ranger, service_account]


def default_validating_admission(*webhooks: Validator) -> list[Validator]:
    """The built-in validating plugins around the validating webhooks: ResourceQuota stays last, as configured."""
    return [limit_ranger_bounds, *webhooks, resource_quota]
