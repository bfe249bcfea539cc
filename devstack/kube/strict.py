"""Unknown fields, as fieldValidation=Strict (kubectl's default) rejects them and Warn reports them.

The field names come from the protobuf schema of the served types, plus the fields added to them after
Kubernetes 1.26 that this schema predates.
"""

from devstack.kube.contracts import Resource
from devstack.kube.protobuf import message_name
from devstack.kube.protobuf_schema import MESSAGES

# message -> JSON fields added after v0.26 (kept here so they are not mistaken for typos).
_LATER_FIELDS = {
    "core.v1.PodSpec": {"resourceClaims", "schedulingGates", "hostUsers", "resources"},
    "core.v1.Container": {"resizePolicy", "restartPolicy"},
    "core.v1.PodSecurityContext": {"appArmorProfile", "seLinuxChangePolicy", "supplementalGroupsPolicy"},
    "core.v1.SecurityContext": {"appArmorProfile"},
    "core.v1.LifecycleHandler": {"sleep"},
    "core.v1.VolumeMount": {"recursiveReadOnly"},
    "core.v1.Volume": {"image"},
    "core.v1.ServiceSpec": {"trafficDistribution"},
    "batch.v1.JobSpec": {"podReplacementPolicy", "backoffLimitPerIndex", "maxFailedIndexes", "managedBy",
                         "successPolicy"},
    "apps.v1.StatefulSetSpec": {"ordinals"},
}
_OPAQUE = {"meta.Time", "meta.MicroTime", "api.resource.Quantity", "util.intstr.IntOrString", "runtime.RawExtension",
           "meta.FieldsV1", "meta.Duration"}


def unknown_fields(resource: Resource, obj: dict) -> list[str]:
    """Dotted paths of the fields in `obj` its kind does not have (patch directives like $patch are skipped)."""
    message = message_name(resource.api_version, resource.kind)
    if message not in MESSAGES:
        return []
    return _walk(message, {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}, "")


def _walk(message: str, value, path: str) -> list[str]:
    if message in _OPAQUE or not isinstance(value, dict):
        return []
    fields = {name: kind for name, kind, _ in MESSAGES[message].values()}
    later = _LATER_FIELDS.get(message, set())
    found = []
    for key, child in value.items():
        where = f"{path}.{key}" if path else key
        if key.startswith("$"):
            continue
        if key not in fields:
            if key not in later:
                found.append(where)
            continue
        kind = fields[key]
        if isinstance(kind, tuple):
            found += [p for k, v in (child or {}).items() if kind[1] in MESSAGES for p in _walk(kind[1], v,
                                                                                              f"{where}[{k}]")]
        elif kind in MESSAGES:
            items = child if isinstance(child, list) else [child]
            found += [p for index, item in enumerate(items)
                      for p in _walk(kind, item, f"{where}[{index}]" if isinstance(child, list) else where)]
    return found
