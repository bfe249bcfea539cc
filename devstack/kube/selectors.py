"""Label and field selectors as the apiserver parses them (k8s.io/apimachinery/pkg/labels and /fields)."""

import re
from collections.abc import Callable

from devstack.kube.errors import bad_request

Predicate = Callable[[dict], bool]

# Field selectors every kind supports, plus the extra fields each kind registers.
_COMMON_FIELDS = ("metadata.name", "metadata.namespace")
_KIND_FIELDS = {
    "Node": ("spec.unschedulable",),
    "Pod": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
    "Event": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
              "reportingComponent", "source", "type"),
    "Secret": ("type",),
    "Namespace": ("status.phase",),
    "Job": ("status.successful",),
}

_KEY = r"(?:[a-z0-9A-Z.\-]+/)?[a-zA-Z0-9](?:[-a-zA-Z0-9_.]*[a-zA-Z0-9])?"
_VALUE = r"(?:[a-zA-Z0-9](?:[-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?"
_SET_RE = re.compile(rf"^({_KEY})\s+(in|notin)\s+\(([^)]*)\)$")
_CMP_RE = re.compile(rf"^({_KEY})\s*(==|=|!=|>|<)\s*({_VALUE})$")
_EXISTS_RE = re.compile(rf"^(!?)\s*({_KEY})$")


def _split_requirements(selector: str) -> list[str]:
    """Split on commas that are not inside a parenthesised value set."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def parse_label_selector(selector: str) -> Predicate:
    """`a=b,c!=d,e in (f,g),h notin (i),j,!k` -> predicate over a labels dict."""
    checks = [_label_requirement(part) for part in _split_requirements(selector or "")]
    return lambda labels: all(check(labels or {}) for check in checks)


def _label_requirement(text: str) -> Predicate:
    if match := _SET_RE.match(text):
        key, operator = match.group(1), match.group(2)
        values = {v.strip() for v in match.group(3).split(",") if v.strip()}
        if operator == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if match := _CMP_RE.match(text):
        key, operator, value = match.group(1), match.group(2), match.group(3)
        if operator in ("=", "=="):
            return lambda labels: key in labels and labels[key] == value
        if operator == "!=":
            return lambda labels: labels.get(key) != value
        return _numeric_requirement(text, key, operator, value)
    if match := _EXISTS_RE.match(text):
        negated, key = match.group(1) == "!", match.group(2)
        return (lambda labels: key not in labels) if negated else (lambda labels: key in labels)
    raise bad_request(f"unable to parse requirement: <nil>: Invalid value: {text!r}: invalid label selector")


def _numeric_requirement(text: str, key: str, operator: str, value: str) -> Predicate:
    try:
        bound = int(value)
    except ValueError:
        raise bad_request(f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: "
                          f"{text}") from None

    def check(labels: dict) -> bool:
        try:
            actual = int(labels[key])
        except (KeyError, ValueError):
            return False
        return actual > bound if operator == ">" else actual < bound

    return check


def match_label_selector_object(selector: dict | None, labels: dict | None) -> bool:
    """A metav1.LabelSelector (matchLabels + matchExpressions); an empty selector matches everything."""
    labels = labels or {}
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], set(expression.get("values") or [])
        present = key in labels
        if (operator == "In" and labels.get(key) not in values) or (operator == "NotIn" and labels.get(key) in values) \
                or (operator == "Exists" and not present) or (operator == "DoesNotExist" and present):
            return False
    return True


def parse_field_selector(selector: str, kind: str) -> Predicate:
    """`metadata.name=x,metadata.namespace!=y` -> predicate over a whole object."""
    supported = _COMMON_FIELDS + _KIND_FIELDS.get(kind, ())
    checks = []
    for part in _split_requirements(selector or ""):
        match = re.match(r"^([^!=]+)(==|=|!=)(.*)$", part)
        if not match:
            raise bad_request(f"invalid selector: '{selector}'; can't understand '{part}'")
        field, operator, value = match.group(1).strip(), match.group(2), match.group(3).strip()
        if field not in supported:
            raise bad_request(f'field label not supported: {field}')
        checks.append(_field_requirement(field, operator != "!=", value))
    return lambda obj: all(check(obj) for check in checks)


def _field_requirement(field: str, equal: bool, value: str) -> Predicate:
    def check(obj: dict) -> bool:
        return (field_value(obj, field) == value) == equal

    return check


def field_value(obj: dict, field: str) -> str:
    """The string form the apiserver compares: missing fields are "", booleans are "true"/"false"."""
    node = obj
    for part in field.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if field == "source" and isinstance(node, dict):  # events select on source.component
        node = node.get("component")
    if isinstance(node, bool):
        return str(node).lower()
    return "" if node is None else str(node)
