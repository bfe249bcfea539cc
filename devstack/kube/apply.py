"""Server-side apply and metadata.managedFields (after sigs.k8s.io/structured-merge-diff).

A field set is a set of paths; a path is a tuple of elements ("f", field), ("k", key-json), ("v", value-json)
or (".",) for "this list item itself". Lists with merge keys (patch.list_keys) are associative, metadata.finalizers
is a set, every other list is atomic (one leaf).
"""

import copy
import json
from datetime import UTC, datetime

from devstack.kube.contracts import ApiError
from devstack.kube.patch import is_primitive_set, list_keys

Path = tuple[tuple[str, ...], ...]
_SYSTEM_METADATA = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                    "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"}


def _key_json(item: dict, keys: tuple[str, ...]) -> str:
    return json.dumps({k: item[k] for k in keys if k in item}, sort_keys=True, separators=(",", ":"))


def field_set(kind: str, obj: dict) -> set[Path]:
    """Every leaf field `obj` sets (status and system metadata excluded)."""
    paths: set[Path] = set()
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "status"):
            continue
        if key == "metadata":
            value = {k: v for k, v in (value or {}).items() if k not in _SYSTEM_METADATA}
            if not value:
                continue
        _collect(kind, value, ((("f", key),)), (key,), paths)
    return paths


def _collect(kind: str, value, path: Path, names: tuple[str, ...], paths: set[Path]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _collect(kind, child, (*path, ("f", key)), (*names, key), paths)
    elif isinstance(value, list) and is_primitive_set(names):
        paths.update((*path, ("v", json.dumps(v))) for v in value)
    elif isinstance(value, list) and (keys := list_keys(kind, names)) and all(isinstance(i, dict) for i in value):
        for item in value:
            item_path = (*path, ("k", _key_json(item, keys)))
            paths.add((*item_path, (".",)))
            for key, child in item.items():
                _collect(kind, child, (*item_path, ("f", key)), (*names, key), paths)
    else:
        paths.add(path)


_MISSING = object()


def value_at(obj, path: Path):
    node = obj
    for element in path:
        if element[0] == "f":
            node = node.get(element[1], _MISSING) if isinstance(node, dict) else _MISSING
        elif element[0] == "k":
            wanted = json.loads(element[1])
            node = next((i for i in node if isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items())),
                        _MISSING) if isinstance(node, list) else _MISSING
        elif element[0] == "v":
            node = json.loads(element[1]) if isinstance(node, list) and json.loads(element[1]) in node else _MISSING
        else:  # "." : the item exists
            return node is not _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _remove_path(obj, path: Path) -> None:
    """Remove one owned field (or list item) from `obj`, leaving emptied parents in place."""
    if path[-1] == (".",):
        path, parent = path[:-1], value_at(obj, path[:-2])
    else:
        parent = value_at(obj, path[:-1])
    last = path[-1]
    if last[0] == "f" and isinstance(parent, dict):
        parent.pop(last[1], None)
    elif last[0] in ("k", "v") and isinstance(parent, list):
        target = value_at(obj, path)
        if target is not _MISSING:
            parent.remove(target)


def encode_fields(paths: set[Path]) -> dict:
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        for element in path:
            label = "." if element == (".",) else f"{element[0]}:{element[1]}"
            node = node.setdefault(label, {})
    return tree


def decode_fields(tree: dict, prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    for label, child in tree.items():
        if label == ".":
            paths.add((*prefix, (".",)))
            continue
        kind, _, name = label.partition(":")
        path = (*prefix, (kind, name))
        if child:
            paths |= decode_fields(child, path)
        else:
            paths.add(path)
    return paths


def path_string(path: Path) -> str:
    """fieldpath.Path.String(): .spec.containers[name="web"].image"""
    text = ""
    for element in path:
        if element[0] == "f":
            text += "." + element[1]
        elif element[0] == "k":
            text += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in json.loads(element[1]).items()) + "]"
        elif element[0] == "v":
            text += f"[={element[1]}]"
    return text


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entries(obj: dict) -> list[dict]:
    return [dict(e, fields=decode_fields(e.get("fieldsV1") or {}))
            for e in (obj.get("metadata") or {}).get("managedFields") or []]


def _store_entries(obj: dict, entries: list[dict]) -> None:
    managed = [{"manager": e["manager"], "operation": e["operation"], "apiVersion": e["apiVersion"],
                "time": e["time"], "fieldsType": "FieldsV1", "fieldsV1": encode_fields(e["fields"]),
                **({"subresource": e["subresource"]} if e.get("subresource") else {})}
               for e in entries if e["fields"]]
    obj.setdefault("metadata", {})["managedFields"] = managed


def _owner(entry: dict) -> str:
    if entry["operation"] == "Update":
        return f'"{entry["manager"]}" using {entry["apiVersion"]} at {entry["time"]}'
    return f'"{entry["manager"]}"'


def record_update(kind: str, old: dict | None, new: dict, manager: str, api_version: str) -> None:
    """A create/update/patch by `manager`: it takes ownership of every field it changed (operation Update)."""
    entries = _entries(old) if old else []
    new_fields = field_set(kind, new)
    changed = {p for p in new_fields if old is None or value_at(old, p) != value_at(new, p)}
    for entry in entries:
        entry["fields"] = (entry["fields"] & new_fields) - changed
    if changed:
        mine = next((e for e in entries if e["manager"] == manager and e["operation"] == "Update"), None)
        if mine is None:
            mine = {"manager": manager, "operation": "Update", "apiVersion": api_version, "fields": set()}
            entries.append(mine)
        mine["fields"] |= changed
        mine["time"] = _now()
    _store_entries(new, entries)


def server_side_apply(kind: str, live: dict | None, applied: dict, manager: str, force: bool,
                      api_version: str) -> dict:
    """The object after `manager` applies `applied` over `live` (None: creation). Raises 409 on conflicts."""
    applied_fields = field_set(kind, applied)
    if live is None:
        result = copy.deepcopy(applied)
        _store_entries(result, [{"manager": manager, "operation": "Apply", "apiVersion": api_version,
                                 "time": _now(), "fields": applied_fields}])
        return result
    entries = _entries(live)
    mine = next((e for e in entries if e["manager"] == manager and e["operation"] == "Apply"), None)
    others = [e for e in entries if e is not mine]
    conflicts = [(entry, path) for entry in others for path in sorted(entry["fields"] & applied_fields)
                 if path[-1] != (".",) and value_at(live, path) != value_at(applied, path)]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    for entry, path in conflicts:
        entry["fields"].discard(path)
    result = copy.deepcopy(live)
    still_owned = set().union(*(e["fields"] for e in others)) if others else set()
    for path in sorted((mine["fields"] if mine else set()) - applied_fields, key=len, reverse=True):
        if path not in still_owned and not any(p[:len(path) - 1] == path[:-1] for p in still_owned
                                               if path[-1] == (".",)):
            _remove_path(result, path)
    result = _merge(kind, (), result, applied)
    if mine is None:
        mine = {"manager": manager, "operation": "Apply", "apiVersion": api_version}
        entries.append(mine)
    mine.update(fields=applied_fields, time=_now(), apiVersion=api_version)
    _store_entries(result, entries)
    return result


def _conflict_error(conflicts: list) -> ApiError:
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_owner(entry)}",
               "field": path_string(path)} for entry, path in conflicts]
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_owner(entry)}: {path_string(path)}"
    else:
        by_owner: dict[str, list[str]] = {}
        for entry, path in conflicts:
            by_owner.setdefault(_owner(entry), []).append(path_string(path))
        lines = [line for owner in sorted(by_owner) for line in [f"conflicts with {owner}:"]
                 + [f"- {p}" for p in by_owner[owner]]]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _merge(kind: str, names: tuple[str, ...], live, applied):
    """Structured merge: maps merge, associative lists merge by key, sets union, everything else is replaced."""
    if isinstance(applied, dict) and isinstance(live, dict):
        result = dict(live)
        for key, value in applied.items():
            if key == "metadata" and not names:
                value = {k: v for k, v in value.items() if k != "managedFields"}
            result[key] = _merge(kind, (*names, key), live.get(key), value)
        return result
    if isinstance(applied, list) and isinstance(live, list):
        if is_primitive_set(names):
            return live + [v for v in applied if v not in live]
        keys = list_keys(kind, names)
        if keys and all(isinstance(i, dict) for i in applied + live):
            result = list(live)
            for item in applied:
                index = next((i for i, existing in enumerate(result)
                              if all(existing.get(k) == item.get(k) for k in keys if k in item)), None)
                if index is None:
                    result.append(copy.deepcopy(item))
                else:
                    result[index] = _merge(kind, names, result[index], item)
            return result
    return copy.deepcopy(applied)
