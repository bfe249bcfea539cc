"""Defaulting as kube-apiserver does it on decode (SetDefaults_* in pkg/apis/*/v1), for the kinds campus uses."""

import base64
import ipaddress

from devstack.kube.webhook_config import MUTATING, VALIDATING, default_configuration

_CONTAINER_KEYS = ("initContainers", "containers")


def apply_defaults(kind: str, obj: dict) -> dict:
    """Mutates and returns `obj` with the defaults the real apiserver fills in."""
    _DEFAULTERS.get(kind, lambda _obj: None)(obj)
    return obj


def _namespace(obj: dict) -> None:
    meta = obj.setdefault("metadata", {})
    if meta.get("name"):
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])


def pod_spec(spec: dict) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    if "serviceAccountName" in spec or "serviceAccount" in spec:
        spec.setdefault("serviceAccountName", spec.get("serviceAccount"))
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in _CONTAINER_KEYS:
        for container in spec.get(key) or []:
            _container(container)


def _container(container: dict) -> None:
    image = container.get("image") or ""
    tag = image.rsplit("/", 1)[-1].partition(":")[2] if "@" not in image else "digest"
    container.setdefault("imagePullPolicy", "Always" if tag in ("", "latest") else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for variable in container.get("env") or []:
        field_ref = (variable.get("valueFrom") or {}).get("fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")


def qos_class(spec: dict) -> str:
    """BestEffort without any requests or limits, Guaranteed when every container's limits equal requests."""
    containers = [c for key in _CONTAINER_KEYS for c in spec.get(key) or []]
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(
        set(r.get("limits") or {}) >= {"cpu", "memory"}
        and all((r.get("requests") or {}).get(k, r["limits"][k]) == r["limits"][k] for k in ("cpu", "memory"))
        for r in resources)
    return "Guaranteed" if guaranteed else "Burstable"


def _pod(obj: dict) -> None:
    pod_spec(obj.setdefault("spec", {}))


def _template(obj: dict) -> dict:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    pod_spec(template.setdefault("spec", {}))
    return template


def _deployment(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(obj)


def _replicaset(obj: dict) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj)


def _job(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    for key, value in (("parallelism", 1), ("completions", 1), ("backoffLimit", 6), ("completionMode", "NonIndexed"),
                       ("suspend", False), ("podReplacementPolicy", "TerminatingOrFailed")):
        spec.setdefault(key, value)
    _template(obj)


def job_selector(obj: dict) -> None:
    """The selector and template labels a Job gets at creation, keyed by its uid (needs the uid, so not on decode)."""
    spec, meta = obj["spec"], obj["metadata"]
    if spec.get("manualSelector"):
        return
    uid, name = meta["uid"], meta["name"]
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = spec["template"].setdefault("metadata", {}).setdefault("labels", {})
    labels.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
                   "controller-uid": uid, "job-name": name})


def _service(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))


def allocate_cluster_ip(obj: dict, sequence: int) -> None:
    """Give a ClusterIP service a unique address from 10.96.0.0/12 (sequence: any number unique per service)."""
    spec = obj["spec"]
    if spec.get("type") == "ExternalName":
        return
    if not spec.get("clusterIP"):
        spec["clusterIP"] = str(ipaddress.IPv4Address("10.96.0.10") + sequence % (2 ** 20 - 16))
    spec.setdefault("clusterIPs", [spec["clusterIP"]])
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")


def _secret(obj: dict) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = obj.get("data") or {}
        data.update({k: base64.b64encode(str(v).encode()).decode() for k, v in string_data.items()})
        obj["data"] = data


def _binding(obj: dict) -> None:
    for subject in obj.get("subjects") or []:
        if subject.get("kind") in ("User", "Group"):
            subject.setdefault("apiGroup", "rbac.authorization.k8s.io")


def _network_policy(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    spec.setdefault("policyTypes", ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"])
    for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
        for port in rule.get("ports") or []:
            port.setdefault("protocol", "TCP")


_DEFAULTERS = {
    "Namespace": _namespace, "Pod": _pod, "Deployment": _deployment, "ReplicaSet": _replicaset, "Job": _job,
    "Service": _service, "Secret": _secret, "RoleBinding": _binding, "ClusterRoleBinding": _binding,
    "NetworkPolicy": _network_policy, VALIDATING: default_configuration, MUTATING: default_configuration,
}
