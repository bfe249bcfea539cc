"""Resource quantities and ResourceQuota usage, counted as kube-apiserver's quota evaluators and controller do.

A quantity always carries its unit: "20" CPU is twenty cores and "20m" is twenty millicores; "1Gi" is 2**30 bytes
and "1G" is 10**9. Sums keep the format of their first operand, as resource.Quantity does, so messages and
status.used read like the real ones ("500m", "1Gi").
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from devstack.kube.contracts import ApiError, Resource, Store
from devstack.kube.identities import controller

QUOTA_CONTROLLER = controller("resourcequota-controller")

BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT = "BinarySI", "DecimalSI", "DecimalExponent"

_BINARY_SUFFIXES = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}  # powers of 1024
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_NANO = Fraction(1, 10**9)


@dataclass(frozen=True)
class Quantity:
    """A resource.Quantity: an exact value (rounded up to nano units, like the real one) and its display format."""

    value: Fraction
    format: str = DECIMAL_SI

    @classmethod
    def parse(cls, text: "str | int | float") -> "Quantity":
        if isinstance(text, int | float):
            text = str(text)
        match = _QUANTITY.match(text.strip())
        if not match:
            raise ValueError(f"quantities must match the regular expression "
                             f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text!r}")
        number, suffix = Fraction(match.group(1)), match.group(2) or ""
        if suffix in _BINARY_SUFFIXES:
            value, fmt = number * 1024 ** _BINARY_SUFFIXES[suffix], BINARY_SI
        elif suffix in _DECIMAL_SUFFIXES:
            value, fmt = number * Fraction(10) ** _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
        else:
            value, fmt = number * Fraction(10) ** int(suffix[1:]), DECIMAL_EXPONENT
        return cls(Fraction(math.ceil(value / _NANO)) * _NANO, fmt)

    def __add__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.value + other.value, self.format)

    def __sub__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.value - other.value, self.format)

    def __lt__(self, other: "Quantity") -> bool:
        return self.value < other.value

    def __le__(self, other: "Quantity") -> bool:
        return self.value <= other.value

    def __gt__(self, other: "Quantity") -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        """The canonical form the API server serves: "500m", "2", "1Gi", "1500", "1k", "1e3"."""
        if self.value == 0:
            return "0"
        sign, magnitude = ("-" if self.value < 0 else ""), abs(self.value)
        if self.format == BINARY_SI and magnitude >= 1024 and magnitude.denominator == 1:
            number, power = int(magnitude), 0
            while number % 1024 == 0 and power < 6:
                number, power = number // 1024, power + 1
            suffix = next((s for s, p in _BINARY_SUFFIXES.items() if p == power), "")
            return f"{sign}{number}{suffix}"
        exponent = 18
        while exponent > -9 and (magnitude / Fraction(10) ** exponent).denominator != 1:
            exponent -= 3
        number = int(magnitude / Fraction(10) ** exponent)
        if self.format == DECIMAL_EXPONENT:
            return f"{sign}{number}" + (f"e{exponent}" if exponent else "")
        return f"{sign}{number}{_DECIMAL_BY_EXPONENT[exponent]}"

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"


ResourceList = dict[str, Quantity]

ONE = Quantity(Fraction(1))
ZERO = Quantity(Fraction(0))


def parse_resource_list(raw: dict | None) -> ResourceList:
    return {name: Quantity.parse(value) for name, value in (raw or {}).items()}


def format_resource_list(resources: ResourceList) -> dict[str, str]:
    return {name: str(resources[name]) for name in sorted(resources)}


def add(left: ResourceList, right: ResourceList) -> ResourceList:
    total = dict(left)
    for name, quantity in right.items():
        total[name] = total[name] + quantity if name in total else quantity
    return total


def pretty(resources: ResourceList) -> str:
    """Like the real prettyPrint: "limits.cpu=2,requests.cpu=1", sorted by name."""
    return ",".join(f"{name}={resources[name]}" for name in sorted(resources))


# --- what one object consumes ---------------------------------------------------------------------

# Object kinds whose plain plural is itself a quota resource name (besides count/<plural>).
_COUNTED_BY_PLURAL = {"pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "resourcequotas",
                      "replicationcontrollers"}
# If a quota names any of these, every container of a new pod must state it (a real, admitted mistake of the API).
CONSTRAINED_POD_RESOURCES = {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
_POD_COMPUTE = {"cpu", "memory", "ephemeral-storage"}


def count_name(resource: Resource) -> str:
    return f"count/{resource.plural}" + (f".{resource.group}" if resource.group else "")


def is_extended_resource(name: str) -> bool:
    """nvidia.com/gpu is extended; cpu, memory and kubernetes.io/... are native."""
    return "/" in name and not name.startswith("requests.") and "kubernetes.io/" not in name


def _container_resources(container: dict, field_name: str) -> ResourceList:
    return parse_resource_list((container.get("resources") or {}).get(field_name))


def _pod_total(pod: dict, field_name: str) -> ResourceList:
    """Sum over containers, at least the largest init container (they run one at a time), like PodRequests."""
    spec = pod.get("spec") or {}
    total: ResourceList = {}
    for container in spec.get("containers") or []:
        total = add(total, _container_resources(container, field_name))
    for init in spec.get("initContainers") or []:
        for name, quantity in _container_resources(init, field_name).items():
            if name not in total or quantity > total[name]:
                total[name] = quantity
    return total


def compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """The quota names a set of requests and limits consumes (podComputeUsageHelper)."""
    usage: ResourceList = {"pods": ONE}
    for name in _POD_COMPUTE:
        if name in requests:
            usage[name] = usage[f"requests.{name}"] = requests[name]
        if name in limits:
            usage[f"limits.{name}"] = limits[name]
    for name, quantity in requests.items():
        if name.startswith("hugepages-"):
            usage[name] = usage[f"requests.{name}"] = quantity
        elif is_extended_resource(name):
            usage[f"requests.{name}"] = quantity
    return usage


def pod_usage(pod: dict) -> ResourceList:
    usage: ResourceList = {"count/pods": ONE}
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return usage  # finished pods hold no compute quota, but are still stored objects
    return add(usage, compute_usage(_pod_total(pod, "requests"), _pod_total(pod, "limits")))


def object_usage(resource: Resource, obj: dict) -> ResourceList:
    if resource.group == "" and resource.plural == "pods":
        return pod_usage(obj)
    usage: ResourceList = {count_name(resource): ONE}
    if resource.group == "" and resource.plural in _COUNTED_BY_PLURAL:
        usage[resource.plural] = ONE
    if resource.group == "" and resource.plural == "services":
        spec = obj.get("spec") or {}
        if spec.get("type") == "LoadBalancer":
            usage["services.loadbalancers"] = ONE
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            usage["services.nodeports"] = Quantity(Fraction(len(spec.get("ports") or [])))
    if resource.group == "" and resource.plural == "persistentvolumeclaims":
        storage = ((obj.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
        if storage is not None:
            usage["requests.storage"] = Quantity.parse(storage)
    return usage


# --- which kinds a quota name counts --------------------------------------------------------------

# (api_version, kind) for each quota-able kind the stand-in serves, by (group, plural).
KNOWN_KINDS = {
    ("", "pods"): ("v1", "Pod"), ("", "services"): ("v1", "Service"), ("", "configmaps"): ("v1", "ConfigMap"),
    ("", "secrets"): ("v1", "Secret"), ("", "persistentvolumeclaims"): ("v1", "PersistentVolumeClaim"),
    ("", "serviceaccounts"): ("v1", "ServiceAccount"), ("", "resourcequotas"): ("v1", "ResourceQuota"),
    ("", "limitranges"): ("v1", "LimitRange"), ("", "events"): ("v1", "Event"),
    ("", "replicationcontrollers"): ("v1", "ReplicationController"),
    ("apps", "deployments"): ("apps/v1", "Deployment"), ("batch", "jobs"): ("batch/v1", "Job"),
    ("networking.k8s.io", "ingresses"): ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io", "networkpolicies"): ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io", "roles"): ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io", "rolebindings"): ("rbac.authorization.k8s.io/v1", "RoleBinding"),
}


def counted_kind(quota_name: str) -> tuple[str, str]:
    """The (group, plural) whose objects a quota resource name counts; ("", "") for names nothing here counts."""
    if quota_name.startswith("count/"):
        plural, _, group = quota_name[len("count/"):].partition(".")
        return group, plural
    if quota_name in _COUNTED_BY_PLURAL:
        return "", quota_name
    if quota_name.startswith("services."):
        return "", "services"
    if quota_name == "requests.storage":
        return "", "persistentvolumeclaims"
    if (quota_name in _POD_COMPUTE or quota_name.startswith(("requests.", "limits.", "hugepages-"))):
        return "", "pods"
    return "", ""


def namespace_usage(store: Store, namespace: str, hard_names: list[str]) -> ResourceList:
    """status.used for these hard names: every name present, "0" when nothing consumes it."""
    counted: ResourceList = {}
    for group, plural in sorted({counted_kind(name) for name in hard_names}):
        if (group, plural) not in KNOWN_KINDS:
            continue
        try:
            resource = store.resource_for(*KNOWN_KINDS[(group, plural)])
        except (ApiError, KeyError):
            continue  # a kind this server does not serve has no objects to count
        for obj in store.list(resource, namespace):
            usage = object_usage(resource, obj)
            counted = add(counted, {name: usage[name] for name in hard_names if name in usage})
    return {name: counted.get(name, ZERO) for name in hard_names}


# --- the quota controller -------------------------------------------------------------------------

def refresh_quota_status(store: Store, quota_resource: Resource, quota: dict) -> None:
    """status.hard mirrors spec.hard; status.used is recounted from the namespace's objects."""
    namespace = quota["metadata"]["namespace"]
    hard = parse_resource_list((quota.get("spec") or {}).get("hard"))
    status = {"hard": format_resource_list(hard),
              "used": format_resource_list(namespace_usage(store, namespace, list(hard)))}
    if quota.get("status") != status:
        store.update_status(quota_resource, namespace, {**quota, "status": status}, request=QUOTA_CONTROLLER)


def quota_controller(event: str, resource: Resource, obj: dict, store: Store) -> None:
    """Keeps every ResourceQuota in the namespace of a changed object current (a Controller callback)."""
    namespace = (obj.get("metadata") or {}).get("namespace")
    if not namespace:
        return
    quota_resource = store.resource_for("v1", "ResourceQuota")
    if resource == quota_resource:
        if event != "DELETED":
            refresh_quota_status(store, quota_resource, obj)
        return
    for quota in store.list(quota_resource, namespace):
        refresh_quota_status(store, quota_resource, quota)
