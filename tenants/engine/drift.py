"""What campus renders versus what the cluster holds, field by field. Pure.

campus owns, in each object it writes, the sections it renders (a quota's `spec`, a RoleBinding's `roleRef` and
`subjects`, …) and its own labels and annotations. Those are compared after the normalisation the API server
applies on storage (canonical quantities, LimitRange defaults), so an edit anywhere in them — a changed value,
an added rule, an extra subject — is drift, while a resync with no edits compares equal. Everything else in the
object (other tools' labels, status, server metadata) belongs to others and is kept as it is.
"""

import copy

from tenants.engine.config import COMPONENT_LABEL, LABEL_PREFIX, MANAGED_BY
from tenants.engine.quantities import canonical

# The sections of each kind that campus renders whole.
OWNED_SECTIONS = {
    "Namespace": (),
    "ResourceQuota": ("spec",),
    "LimitRange": ("spec",),
    "NetworkPolicy": ("spec",),
    "RoleBinding": ("roleRef", "subjects"),
}
_OWNED_KEY_PREFIXES = (f"{LABEL_PREFIX}/", "pod-security.kubernetes.io/")
_LIMIT_SECTIONS = ("default", "defaultRequest", "max", "min", "maxLimitRequestRatio")


def is_campus_key(key: str) -> bool:
    """A label or annotation key campus sets (and so may remove)."""
    return key in (MANAGED_BY[0], COMPONENT_LABEL) or key.startswith(_OWNED_KEY_PREFIXES)


def _owned_metadata(obj: dict, field: str) -> dict:
    return {k: v for k, v in ((obj.get("metadata") or {}).get(field) or {}).items() if is_campus_key(k)}


def _normal_limit_item(item: dict) -> dict:
    """SetDefaults_LimitRangeItem as the API server applies it: default ← max, defaultRequest ← default ← min."""
    item = copy.deepcopy(item)
    if item.get("type") == "Container":
        default, default_request = item.setdefault("default", {}), item.setdefault("defaultRequest", {})
        for source, target in ((item.get("max"), default), (default, default_request), (item.get("min"),
                                                                                            default_request)):
            for name, value in (source or {}).items():
                target.setdefault(name, value)
    for section in _LIMIT_SECTIONS:
        if section in item:
            item[section] = {name: canonical(value) for name, value in (item[section] or {}).items()}
    return {key: value for key, value in item.items() if value != {}}


def _normal_section(kind: str, section: str, value):
    if value is None:
        return None
    if kind == "ResourceQuota" and section == "spec":
        value = dict(value)
        value["hard"] = {name: canonical(amount) for name, amount in (value.get("hard") or {}).items()}
    elif kind == "LimitRange" and section == "spec":
        value = dict(value)
        value["limits"] = [_normal_limit_item(item) for item in value.get("limits") or []]
    return value


def differences(desired: dict, observed: dict) -> list[str]:
    """The fields campus owns whose observed value differs from the rendered one (empty: no drift)."""
    kind = desired["kind"]
    found = [f"metadata.{field}" for field in ("labels", "annotations")
             if _owned_metadata(desired, field) != _owned_metadata(observed, field)]
    for section in OWNED_SECTIONS[kind]:
        if _normal_section(kind, section, desired.get(section)) != _normal_section(kind, section,
                                                                                    observed.get(section)):
            found.append(section)
    return found


def replacement(desired: dict, observed: dict) -> dict:
    """The full object to write (PUT) so that campus's sections are exactly as rendered: others' labels and
    annotations stay, campus's keys it no longer renders go, and `resourceVersion` makes it a precondition."""
    obj = copy.deepcopy(observed)
    obj.pop("status", None)
    meta = obj["metadata"]
    meta.pop("managedFields", None)
    for field in ("labels", "annotations"):
        kept = {k: v for k, v in (meta.get(field) or {}).items() if not is_campus_key(k)}
        meta[field] = {**kept, **(desired["metadata"].get(field) or {})}
    for section in OWNED_SECTIONS[desired["kind"]]:
        if section in desired:
            obj[section] = copy.deepcopy(desired[section])
        else:
            obj.pop(section, None)
    obj["apiVersion"], obj["kind"] = desired["apiVersion"], desired["kind"]
    return obj


def changed_by(observed: dict, own_managers: frozenset[str]) -> str:
    """Who last wrote the object other than campus, from `managedFields` (a field manager and a time), or ""."""
    entries = [entry for entry in (observed.get("metadata") or {}).get("managedFields") or []
               if entry.get("manager") and entry["manager"] not in own_managers]
    if not entries:
        return ""
    latest = max(entries, key=lambda entry: entry.get("time") or "")
    return f"{latest['manager']} ({latest.get('operation', 'Update')} at {latest.get('time', 'an unknown time')})"
