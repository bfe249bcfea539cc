"""PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch.

Strategic merge patch follows k8s.io/apimachinery/pkg/util/strategicpatch for the lists tenants touch: the
merge keys below are the `patchMergeKey` tags of the core and apps types.
"""

import copy
import json

from devstack.kube.contracts import ApiError
from devstack.kube.errors import bad_request

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_PRIMITIVE_SETS = {("metadata", "finalizers")}


def list_keys(kind: str, path: tuple[str, ...]) -> tuple[str, ...]:
    """The merge key(s) of the list at `path` (field names only, list positions left out); () = atomic list.

    The first key is the strategic-merge-patch `patchMergeKey`; all of them are server-side apply's listMapKeys.
    """
    if not path:
        return ()
    field, parent = path[-1], path[-2] if len(path) > 1 else ""
    if field in CONTAINER_LISTS and parent == "spec":
        return ("name",)
    if parent in CONTAINER_LISTS:
        return {"env": ("name",), "ports": ("containerPort", "protocol"), "volumeMounts": ("mountPath",),
                "volumeDevices": ("devicePath",)}.get(field, ())
    if parent == "spec" and field in ("volumes", "imagePullSecrets"):
        return ("name",)
    if parent == "spec" and field == "hostAliases":
        return ("ip",)
    if kind == "Service" and path == ("spec", "ports"):
        return ("port", "protocol")
    if path == ("metadata", "ownerReferences"):
        return ("uid",)
    if path == ("webhooks",) and kind.endswith("WebhookConfiguration"):
        return ("name",)
    if path[0] == "status" and field == "conditions":
        return ("type",)
    return ()


def is_primitive_set(path: tuple[str, ...]) -> bool:
    return path in _PRIMITIVE_SETS


def merge_patch(target, patch):
    """RFC 7386: objects merge recursively, null removes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(document: dict, operations: list) -> dict:
    """RFC 6902; failures are 422 like kube-apiserver's jsonPatcher."""
    if not isinstance(operations, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    result = copy.deepcopy(document)
    for operation in operations:
        result = _apply_operation(result, operation)
    return result


def _unprocessable(message: str) -> ApiError:
    return ApiError(422, "Invalid", message)


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _unprocessable(f"JSON pointer must be empty or start with a \"/\": {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _container_at(document, parts: list[str], path: str):
    node = document
    for part in parts[:-1]:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise _unprocessable(f"doc is missing path: \"{path}\": missing value") from None
    return node


def _get(document, path: str):
    parts = _pointer(path)
    if not parts:
        return document
    parent = _container_at(document, parts, path)
    try:
        return parent[int(parts[-1])] if isinstance(parent, list) else parent[parts[-1]]
    except (KeyError, IndexError, ValueError, TypeError):
        raise _unprocessable(f"doc is missing path: \"{path}\": missing value") from None


def _remove(document, path: str):
    parts = _pointer(path)
    parent = _container_at(document, parts, path)
    try:
        return parent.pop(int(parts[-1])) if isinstance(parent, list) else parent.pop(parts[-1])
    except (KeyError, IndexError, ValueError, TypeError):
        raise _unprocessable(f"doc is missing path: \"{path}\": missing value") from None


def _add(document, path: str, value, replace: bool = False):
    parts = _pointer(path)
    if not parts:
        return value
    parent = _container_at(document, parts, path)
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last) if last.isdigit() else -1
        if not 0 <= index <= len(parent) - (1 if replace else 0):
            raise _unprocessable(f"unable to access invalid index: {last}")
        if replace:
            parent[index] = value
        else:
            parent.insert(index, value)
    elif isinstance(parent, dict):
        if replace and last not in parent:
            raise _unprocessable(f"doc is missing key: {path}: missing value")
        parent[last] = value
    else:
        raise _unprocessable(f"doc is missing path: \"{path}\": missing value")
    return document


def _apply_operation(document, operation: dict):
    op, path = operation.get("op"), operation.get("path", "")
    if op == "add":
        return _add(document, path, copy.deepcopy(operation.get("value")))
    if op == "remove":
        _remove(document, path)
        return document
    if op == "replace":
        return _add(document, path, copy.deepcopy(operation.get("value")), replace=True)
    if op == "move":
        value = _remove(document, operation.get("from", ""))
        return _add(document, path, value)
    if op == "copy":
        return _add(document, path, copy.deepcopy(_get(document, operation.get("from", ""))))
    if op == "test":
        if _get(document, path) != operation.get("value"):
            raise _unprocessable(f"testing value {path} failed: test failed")
        return document
    raise bad_request(f"Unexpected kind: {op}")


def strategic_merge_patch(kind: str, original: dict, patch: dict) -> dict:
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
    return _merge_map(kind, (), copy.deepcopy(original), patch) or {}


def _merge_map(kind: str, path: tuple[str, ...], original: dict | None, patch: dict) -> dict | None:
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != "$patch"}
    if directive is not None:
        raise bad_request(f"Unknown patch type: {directive} in map: {json.dumps(patch)}")
    result = dict(original) if isinstance(original, dict) else {}
    orders = {}
    for key, value in patch.items():
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
        elif key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
        elif key == "$retainKeys":
            continue
        elif value is None:
            result.pop(key, None)
        else:
            merged = _merge_value(kind, (*path, key), result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
    if "$retainKeys" in patch:
        keep = set(patch["$retainKeys"])
        result = {k: v for k, v in result.items() if k in keep}
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _ordered(result[field], order, list_keys(kind, (*path, field)))
    return result


def _merge_value(kind: str, path: tuple[str, ...], original, patch):
    if isinstance(patch, dict):
        return _merge_map(kind, path, original if isinstance(original, dict) else None, patch)
    if isinstance(patch, list):
        return _merge_list(kind, path, original if isinstance(original, list) else [], patch)
    return patch


def _merge_list(kind: str, path: tuple[str, ...], original: list, patch: list) -> list:
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [item for item in patch if not (isinstance(item, dict) and item.get("$patch") == "replace")]
    if is_primitive_set(path):
        return original + [v for v in patch if v not in original]
    keys = list_keys(kind, path)
    if not keys:
        return copy.deepcopy(patch)
    key = keys[0]
    result = list(original)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise bad_request(f"map: {json.dumps(item)} does not contain declared merge key: {key}")
        position = next((i for i, existing in enumerate(result) if existing.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if position is not None:
                result.pop(position)
        elif position is None:
            result.append({k: v for k, v in item.items() if not k.startswith("$")})
        else:
            result[position] = _merge_map(kind, path, result[position], item)
    return result


def _ordered(items: list, order: list, keys: tuple[str, ...]) -> list:
    """Apply a $setElementOrder directive: listed elements first, in that order; the rest keep their place after."""
    def identity(item):
        return item.get(keys[0]) if keys and isinstance(item, dict) else item

    wanted = [identity(entry) for entry in order]
    rank = {value: index for index, value in enumerate(wanted)}
    return sorted(items, key=lambda item: rank.get(identity(item), len(rank)))
