"""Object validation with the apiserver's messages (k8s.io/apimachinery/pkg/util/validation and the kinds' rules).

Raises 422 Invalid with one cause per field error, like kube-apiserver's field.ErrorList.
"""

import re

from devstack.kube.contracts import Resource
from devstack.kube.errors import FieldError, bad_request, invalid
from devstack.kube.quota import Quantity
from devstack.kube.selectors import match_label_selector_object

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")

LABEL_MESSAGE = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                 "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN_MESSAGE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                     "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                     "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1035_MESSAGE = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                   "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                   "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MESSAGE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                       "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                       "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
QUALIFIED_NAME_MESSAGE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                          "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                          "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")

# kind -> (pattern, message, max length) for metadata.name; RBAC kinds only forbid path-unsafe names.
_NAME_RULES = {
    "Namespace": (DNS1123_LABEL, LABEL_MESSAGE, 63),
    "Service": (DNS1035_LABEL, DNS1035_MESSAGE, 63),
}
_PATH_SEGMENT_KINDS = {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}


def validate(resource: Resource, obj: dict, old: dict | None = None) -> None:
    """Raise 422 Invalid when `obj` (already defaulted) is not acceptable."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    errors = _name_errors(resource.kind, name) + _metadata_errors(meta)
    errors += _KIND_RULES.get(resource.kind, lambda _obj, _old: [])(obj, old)
    if errors:
        raise invalid(resource, name, errors)


def name_errors(kind: str, name: str, field: str = "metadata.name") -> list[FieldError]:
    if kind in _PATH_SEGMENT_KINDS:
        bad = name in (".", "..") or "/" in name or "%" in name
        return [FieldError("FieldValueInvalid", field, "may not contain '/' or '%'", name)] if bad else []
    pattern, message, limit = _NAME_RULES.get(kind, (DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE, 253))
    errors = []
    if len(name) > limit:
        errors.append(FieldError("FieldValueInvalid", field, f"must be no more than {limit} characters", name))
    if not pattern.match(name):
        errors.append(FieldError("FieldValueInvalid", field, message, name))
    return errors


def _name_errors(kind: str, name: str) -> list[FieldError]:
    if not name:
        return [FieldError("FieldValueRequired", "metadata.name", "name or generateName is required")]
    return name_errors(kind, name)


def _metadata_errors(meta: dict) -> list[FieldError]:
    errors = []
    for key, value in (meta.get("labels") or {}).items():
        errors += qualified_name_errors(key, "metadata.labels")
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            detail = "must be no more than 63 characters" if isinstance(value, str) and len(value) > 63 \
                else LABEL_VALUE_MESSAGE
            errors.append(FieldError("FieldValueInvalid", "metadata.labels", detail, value))
    for key in meta.get("annotations") or {}:
        errors += qualified_name_errors(key, "metadata.annotations")
    return errors


def qualified_name_errors(key: str, field: str) -> list[FieldError]:
    prefix, _, name = key.rpartition("/")
    errors = []
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        errors.append(FieldError("FieldValueInvalid", field, "prefix part " + SUBDOMAIN_MESSAGE, key))
    if not name or len(name) > 63 or not QUALIFIED_NAME.match(name):
        errors.append(FieldError("FieldValueInvalid", field, QUALIFIED_NAME_MESSAGE, key))
    return errors


def _pod_spec_errors(spec: dict | None, path: str, allowed_restart: tuple[str, ...] = ()) -> list[FieldError]:
    spec = spec or {}
    containers = spec.get("containers")
    if not containers:
        return [FieldError("FieldValueRequired", f"{path}.containers")]
    errors = []
    for key in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(key) or []):
            where = f"{path}.{key}[{index}]"
            if not container.get("name"):
                errors.append(FieldError("FieldValueRequired", f"{where}.name"))
            elif not DNS1123_LABEL.match(container["name"]):
                errors.append(FieldError("FieldValueInvalid", f"{where}.name", LABEL_MESSAGE, container["name"]))
            if not container.get("image"):
                errors.append(FieldError("FieldValueRequired", f"{where}.image"))
    for index, container in enumerate(spec.get("containers") or []):
        errors += _requests_within_limits(container.get("resources") or {}, f"{path}.containers[{index}]")
    restart = spec.get("restartPolicy")
    if allowed_restart and restart not in allowed_restart:
        supported = ", ".join(f'"{v}"' for v in allowed_restart)
        errors.append(FieldError("FieldValueNotSupported", f"{path}.restartPolicy", f"supported values: {supported}",
                                 restart))
    return errors


def _requests_within_limits(resources: dict, path: str) -> list[FieldError]:
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    return [FieldError("FieldValueInvalid", f"{path}.resources.requests", f"must be less than or equal to {name} "
                       f"limit of {limits[name]}", value)
            for name, value in requests.items()
            if name in limits and Quantity.parse(value) > Quantity.parse(limits[name])]


def _pod(obj: dict, _old: dict | None) -> list[FieldError]:
    return _pod_spec_errors(obj.get("spec"), "spec")


def _selected_template_errors(obj: dict) -> list[FieldError]:
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    if not selector:
        return [FieldError("FieldValueRequired", "spec.selector")]
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not match_label_selector_object(selector, labels):
        shown = "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"
        return [FieldError("FieldValueInvalid", "spec.template.metadata.labels",
                           "`selector` does not match template `labels`", rendered=shown)]
    return []


def _deployment(obj: dict, old: dict | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errors = _selected_template_errors(obj)
    errors += _pod_spec_errors((spec.get("template") or {}).get("spec"), "spec.template.spec", ("Always",))
    if (spec.get("replicas") or 0) < 0:
        errors.append(FieldError("FieldValueInvalid", "spec.replicas", "must be greater than or equal to 0",
                                 spec["replicas"]))
    if old is not None and old.get("spec", {}).get("selector") != spec.get("selector"):
        errors.append(FieldError("FieldValueInvalid", "spec.selector", "field is immutable",
                                 rendered=_go_label_selector(spec.get("selector"))))
    return errors


def _go_label_selector(selector: dict | None) -> str:
    labels = ", ".join(f'"{k}":"{v}"' for k, v in sorted(((selector or {}).get("matchLabels") or {}).items()))
    return (f"v1.LabelSelector{{MatchLabels:map[string]string{{{labels}}}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}")


def _job(obj: dict, old: dict | None) -> list[FieldError]:
    template = (obj.get("spec") or {}).get("template") or {}
    errors = _pod_spec_errors(template.get("spec"), "spec.template.spec", ("OnFailure", "Never"))
    if old is not None and (old.get("spec") or {}).get("template") != template:
        errors.append(FieldError("FieldValueInvalid", "spec.template", "field is immutable",
                                 rendered="core.PodTemplateSpec{...}"))
    return errors


def _immutable_data(obj: dict, old: dict | None) -> list[FieldError]:
    """ConfigMaps and Secrets marked `immutable: true` keep their data (and the mark) for good."""
    if old is None or not old.get("immutable"):
        return []
    errors = [FieldError("FieldValueForbidden", key, "field is immutable when `immutable` is set")
              for key in ("data", "binaryData", "stringData") if obj.get(key) != old.get(key) and key in old | obj]
    if obj.get("immutable") is not True:
        errors.append(FieldError("FieldValueForbidden", "immutable", "field is immutable when `immutable` is set"))
    return errors


def _service(obj: dict, _old: dict | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if spec.get("type", "ClusterIP") != "ExternalName" and spec.get("clusterIP") != "None" and not spec.get("ports"):
        return [FieldError("FieldValueRequired", "spec.ports")]
    return [FieldError("FieldValueInvalid", f"spec.ports[{i}].port", "must be between 1 and 65535, inclusive",
                       port.get("port")) for i, port in enumerate(spec.get("ports") or [])
            if not isinstance(port.get("port"), int) or not 0 < port["port"] < 65536]


def _binding(obj: dict, old: dict | None) -> list[FieldError]:
    role_ref = obj.get("roleRef") or {}
    if old is not None and old.get("roleRef") != role_ref:
        shown = (f'rbac.RoleRef{{APIGroup:"{role_ref.get("apiGroup", "")}", Kind:"{role_ref.get("kind", "")}", '
                 f'Name:"{role_ref.get("name", "")}"}}')
        return [FieldError("FieldValueInvalid", "roleRef", "cannot change roleRef", rendered=shown)]
    allowed = ("Role", "ClusterRole") if obj.get("kind") != "ClusterRoleBinding" else ("ClusterRole",)
    errors = []
    if role_ref.get("kind") not in allowed:
        supported = ", ".join(f'"{v}"' for v in allowed)
        errors.append(FieldError("FieldValueNotSupported", "roleRef.kind", f"supported values: {supported}",
                                 role_ref.get("kind", "")))
    if not role_ref.get("name"):
        errors.append(FieldError("FieldValueRequired", "roleRef.name"))
    for index, subject in enumerate(obj.get("subjects") or []):
        if subject.get("kind") not in ("User", "Group", "ServiceAccount"):
            errors.append(FieldError("FieldValueNotSupported", f"subjects[{index}].kind",
                                     'supported values: "ServiceAccount", "User", "Group"', subject.get("kind", "")))
        if not subject.get("name"):
            errors.append(FieldError("FieldValueRequired", f"subjects[{index}].name"))
    return errors


def _role(obj: dict, _old: dict | None) -> list[FieldError]:
    errors = []
    for index, rule in enumerate(obj.get("rules") or []):
        if not rule.get("verbs"):
            errors.append(FieldError("FieldValueRequired", f"rules[{index}].verbs", "verbs must contain at least "
                                     "one value"))
    return errors


def _webhook_configuration(obj: dict, old: dict | None) -> list[FieldError]:
    from devstack.kube.webhook_config import validate_configuration  # here: that module uses this one's name rules

    return validate_configuration(obj, old)


_KIND_RULES = {
    "Pod": _pod, "Deployment": _deployment, "Job": _job, "Service": _service, "RoleBinding": _binding,
    "ClusterRoleBinding": _binding, "Role": _role, "ClusterRole": _role, "ConfigMap": _immutable_data,
    "Secret": _immutable_data, "ValidatingWebhookConfiguration": _webhook_configuration,
    "MutatingWebhookConfiguration": _webhook_configuration,
}

QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def _pod_specs(kind: str, obj: dict) -> list[dict]:
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return [spec]
    if kind in ("Deployment", "ReplicaSet", "Job"):
        return [(spec.get("template") or {}).get("spec") or {}]
    return []


def _quantity_maps(kind: str, obj: dict) -> list[dict]:
    """Every map of quantities in `obj` (container resources, quota hard limits, limit ranges)."""
    maps = []
    for spec in _pod_specs(kind, obj):
        for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            resources = container.get("resources") or {}
            maps += [resources.get("requests") or {}, resources.get("limits") or {}]
    if kind == "ResourceQuota":
        maps.append((obj.get("spec") or {}).get("hard") or {})
    if kind == "LimitRange":
        for limit in (obj.get("spec") or {}).get("limits") or []:
            maps += [limit.get(key) or {} for key in ("max", "min", "default", "defaultRequest",
                                                      "maxLimitRequestRatio")]
    return maps


def check_decodable(resource: Resource, obj: dict) -> None:
    """What fails while decoding the body (before admission): malformed quantities are a 400, not a 422."""
    for quantities in _quantity_maps(resource.kind, obj):
        for value in quantities.values():
            try:
                Quantity.parse(value)
            except (ValueError, TypeError):
                raise bad_request(f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                                  f"{resource.kind}: {QUANTITY_MESSAGE}") from None
