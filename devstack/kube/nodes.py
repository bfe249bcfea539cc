"""Nodes: what a kubelet would register and report (capacity, allocatable, conditions, addresses, node info), and
the pretend scheduler's choice of node for a pod.

    Cluster(..., nodes=[NodeSpec("gpu-1", cpu="32", memory="256Gi", gpus=4, labels={"gpu": "a100"})])

The cluster registers them at bootstrap, as the cluster itself; users see them like any other kind (RBAC decides,
and the default roles grant no node access, as in the real bootstrap policy).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from devstack.kube.quota import Quantity, parse_resource_list

GPU = "nvidia.com/gpu"
KUBELET_VERSION = "v1.32.0"
DEFAULT_NODE = "campus-node-1"  # where every pod ran before nodes were served; still the first node by default
FIRST_NODE_IP = 10  # campus-node-1 is 10.0.0.10, the next 10.0.0.11, ...


@dataclass(frozen=True)
class NodeSpec:
    """A node as the test or demo wants it; `labels` are added to the kubelet's own well-known labels."""

    name: str
    cpu: str = "8"
    memory: str = "32Gi"
    gpus: int = 0
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    pods: int = 110


DEFAULT_NODES = (NodeSpec(DEFAULT_NODE),)


def as_spec(node: "NodeSpec | dict") -> NodeSpec:
    return node if isinstance(node, NodeSpec) else NodeSpec(**node)


def node_ip(index: int) -> str:
    return f"10.0.0.{FIRST_NODE_IP + index}"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_object(spec: NodeSpec, index: int) -> dict:
    """The Node as the kubelet creates it (status comes separately, through nodes/status)."""
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "kubernetes.io/hostname": spec.name, "kubernetes.io/os": "linux", **spec.labels}
    cidr = f"10.244.{index}.0/24"
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": spec.name, "labels": labels,
                         "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"campus://{spec.name}"}}


def node_status(spec: NodeSpec, index: int) -> dict:
    capacity = {"cpu": spec.cpu, "ephemeral-storage": "100Gi", "memory": spec.memory, "pods": str(spec.pods)}
    if spec.gpus:
        capacity[GPU] = str(spec.gpus)
    stamp = _stamp()

    def condition(kind: str, status: str, reason: str, message: str) -> dict:
        return {"type": kind, "status": status, "lastHeartbeatTime": stamp, "lastTransitionTime": stamp,
                "reason": reason, "message": message}

    return {
        "capacity": capacity, "allocatable": dict(capacity),  # no system or kube reservations here
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                      "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
        "addresses": [{"type": "InternalIP", "address": node_ip(index)}, {"type": "Hostname", "address": spec.name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": f"campus-{index}", "systemUUID": f"campus-{index}", "bootID": f"campus-{index}",
                     "kernelVersion": "6.1.0-campus", "osImage": "Debian GNU/Linux 12 (bookworm)",
                     "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": KUBELET_VERSION,
                     "kubeProxyVersion": KUBELET_VERSION, "operatingSystem": "linux", "architecture": "amd64"},
    }


def internal_ip(node: dict) -> str:
    return next((a["address"] for a in (node.get("status") or {}).get("addresses") or []
                 if a.get("type") == "InternalIP"), "")


def _gpus_requested(pod: dict) -> Quantity:
    total = Quantity.parse("0")
    for container in (pod.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        wanted = {**parse_resource_list(resources.get("limits")), **parse_resource_list(resources.get("requests"))}
        if GPU in wanted:
            total = total + wanted[GPU]
    return total


def choose_node(pod: dict, nodes: list[dict]) -> dict | None:
    """The first Ready node whose labels match the pod's nodeSelector and that has as many GPUs as the pod asks
    for; None when there is none (the caller then keeps to the first node: pods here are never left Pending)."""
    selector = (pod.get("spec") or {}).get("nodeSelector") or {}
    gpus = _gpus_requested(pod)
    for node in nodes:
        labels = node["metadata"].get("labels") or {}
        allocatable = parse_resource_list((node.get("status") or {}).get("allocatable"))
        if node.get("spec", {}).get("unschedulable") or any(labels.get(k) != v for k, v in selector.items()):
            continue
        if gpus.value and (GPU not in allocatable or allocatable[GPU] < gpus):
            continue
        return node
    return None
