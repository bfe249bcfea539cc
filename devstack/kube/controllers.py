"""The parts of kube-controller-manager (and of the scheduler and kubelet) that campus's tenants notice.

- Deployment -> Pods (owned directly: no ReplicaSet in between), scaled to spec.replicas, replaced when the pod
  template changes, with status counts and conditions.
- Job -> Pods that run to completion; status.succeeded and the Complete condition.
- Pods are scheduled at once onto a node (the first served Node that fits the pod's nodeSelector and GPU request,
  else the first node) and run: phase Running (or Succeeded for a Job's pods).
- Every new namespace gets the ServiceAccount "default".

Controllers run in the writer's thread after each committed write. Reconciling one object writes others, whose
events come back here: a reconcile already under way for the same object is only marked to run once more.
"""

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from devstack.kube import identities
from devstack.kube.contracts import ApiError, Resource, Store, WriteRequest
from devstack.kube.defaults import qos_class
from devstack.kube.nodes import DEFAULT_NODE, choose_node, internal_ip

NODE_NAME = DEFAULT_NODE
NODE_IP = "10.0.0.10"
TEMPLATE_HASH_LABEL = "pod-template-hash"
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what the real name generator and hash encoder use


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def template_hash(template: dict) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return "".join(_SAFE_ALPHABET[byte % len(_SAFE_ALPHABET)] for byte in digest[:10])


def _is(resource: Resource, group: str, plural: str) -> bool:
    return (resource.group, resource.plural) == (group, plural)


def owner_reference(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_of(obj: dict) -> dict | None:
    return next((ref for ref in obj["metadata"].get("ownerReferences") or [] if ref.get("controller")), None)


def _owned(pods: list[dict], owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [pod for pod in pods if (controller_of(pod) or {}).get("uid") == uid
            and not pod["metadata"].get("deletionTimestamp")]


def _pod_from_template(owner: dict, generate_name: str, extra_labels: dict) -> dict:
    template = owner["spec"].get("template") or {}
    template_meta = template.get("metadata") or {}
    metadata = {"generateName": generate_name, "namespace": owner["metadata"]["namespace"],
                "labels": {**(template_meta.get("labels") or {}), **extra_labels},
                "ownerReferences": [owner_reference(owner)]}
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": json.loads(json.dumps(template["spec"]))}


def _condition(kind: str, status: str, reason: str, message: str, previous: list[dict], stamp: str) -> dict:
    """A condition; one whose status and reason did not change is kept as it was (SetDeploymentCondition)."""
    old = next((c for c in previous if c.get("type") == kind), {})
    if (old.get("status"), old.get("reason")) == (status, reason):
        return old
    return {"type": kind, "status": status, "lastUpdateTime": stamp, "lastTransitionTime": stamp, "reason": reason,
            "message": message}


# Who writes, as on a real cluster (admission webhooks see these users).
DEPLOYMENTS = identities.controller("deployment-controller")
REPLICA_SETS = identities.controller("replicaset-controller")
JOBS = identities.controller("job-controller")
ACCOUNTS = identities.controller("service-account-controller")


def _write_status(store: Store, resource: Resource, obj: dict, status: dict, request: WriteRequest) -> None:
    if obj.get("status") != status:
        store.update_status(resource, obj["metadata"]["namespace"], {**obj, "status": status}, request=request)


def _create_pods(store: Store, pods: Resource, make: Callable[[], dict], count: int,
                 request: WriteRequest) -> ApiError | None:
    """Create up to `count` pods; the first refusal (quota, admission) stops it and is returned, as FailedCreate."""
    for _ in range(count):
        pod = make()
        try:
            store.create(pods, pod["metadata"]["namespace"], pod, request=request)
        except ApiError as error:
            return error
    return None


class ControllerManager:
    """Dispatches committed writes to the controllers. Use `.controllers` as Policy.controllers."""

    def __init__(self, node_name: str = NODE_NAME):
        self.node_name = node_name
        self._lock = threading.RLock()
        self._rerun: dict[tuple, bool] = {}

    @property
    def controllers(self) -> list:
        return [self.on_change]

    def _reconcile(self, key: tuple, reconcile: Callable[[], None]) -> None:
        with self._lock:
            if key in self._rerun:
                self._rerun[key] = True
                return
            self._rerun[key] = False
            try:
                while True:
                    reconcile()
                    if not self._rerun[key]:
                        return
                    self._rerun[key] = False
            finally:
                del self._rerun[key]

    def on_change(self, event: str, resource: Resource, obj: dict, store: Store) -> None:
        meta = obj.get("metadata") or {}
        namespace, name = meta.get("namespace", ""), meta.get("name", "")
        if _is(resource, "", "namespaces") and event != "DELETED":
            self._reconcile(("namespaces", name), lambda: self._ensure_default_service_account(store, name))
        elif _is(resource, "apps", "deployments") and event != "DELETED":
            self._reconcile(("deployments", namespace, name),
                            lambda: self._reconcile_deployment(store, resource, namespace, name))
        elif _is(resource, "batch", "jobs") and event != "DELETED":
            self._reconcile(("jobs", namespace, name), lambda: self._reconcile_job(store, resource, namespace, name))
        elif _is(resource, "", "pods"):
            if event != "DELETED":
                self._reconcile(("pods", namespace, name), lambda: self._run_pod(store, resource, namespace, name))
            self._notify_owner(store, obj)

    def _notify_owner(self, store: Store, pod: dict) -> None:
        """A pod of a Deployment or Job changed: its owner's counts (and replacements) follow."""
        owner = controller_of(pod)
        if not owner:
            return
        namespace = pod["metadata"]["namespace"]
        if owner.get("kind") == "Deployment":
            resource = store.resource_for("apps/v1", "Deployment")
            self._reconcile(("deployments", namespace, owner["name"]),
                            lambda: self._reconcile_deployment(store, resource, namespace, owner["name"]))
        elif owner.get("kind") == "Job":
            resource = store.resource_for("batch/v1", "Job")
            self._reconcile(("jobs", namespace, owner["name"]),
                            lambda: self._reconcile_job(store, resource, namespace, owner["name"]))

    @staticmethod
    def _get(store: Store, resource: Resource, namespace: str, name: str) -> dict | None:
        try:
            obj = store.get(resource, namespace, name)
        except ApiError as error:
            if error.code == 404:
                return None
            raise
        return None if obj["metadata"].get("deletionTimestamp") else obj

    # --- namespaces -------------------------------------------------------------------------------

    def _ensure_default_service_account(self, store: Store, namespace: str) -> None:
        found = self._get(store, store.resource_for("v1", "Namespace"), "", namespace)
        if not found or (found.get("status") or {}).get("phase") == "Terminating":
            return
        accounts = store.resource_for("v1", "ServiceAccount")
        if self._get(store, accounts, namespace, "default") is None:
            try:
                store.create(accounts, namespace, {"apiVersion": "v1", "kind": "ServiceAccount",
                                                   "metadata": {"name": "default", "namespace": namespace}},
                             request=ACCOUNTS)
            except ApiError as error:
                if error.code != 409:
                    raise

    # --- deployments ------------------------------------------------------------------------------

    def _reconcile_deployment(self, store: Store, resource: Resource, namespace: str, name: str) -> None:
        deployment = self._get(store, resource, namespace, name)
        if deployment is None:
            return
        pods = store.resource_for("v1", "Pod")
        current_hash = template_hash(deployment["spec"].get("template") or {})
        replicas = deployment["spec"].get("replicas", 1)
        owned = _owned(store.list(pods, namespace), deployment)
        outdated = [p for p in owned if (p["metadata"].get("labels") or {}).get(TEMPLATE_HASH_LABEL) != current_hash]
        updated = sorted((p for p in owned if p not in outdated), key=lambda p: p["metadata"]["creationTimestamp"])
        for pod in outdated + updated[replicas:]:
            self._delete(store, pods, pod, REPLICA_SETS)  # the ReplicaSet controller does it on a real cluster

        def make() -> dict:
            return _pod_from_template(deployment, f"{name}-{current_hash}-",
                                      {TEMPLATE_HASH_LABEL: current_hash})

        failure = _create_pods(store, pods, make, replicas - len(updated), REPLICA_SETS)
        deployment = self._get(store, resource, namespace, name)
        if deployment is not None:
            owned = _owned(store.list(pods, namespace), deployment)
            _write_status(store, resource, deployment, self._deployment_status(deployment, owned, current_hash,
                                                                               failure), DEPLOYMENTS)

    @staticmethod
    def _deployment_status(deployment: dict, owned: list[dict], current_hash: str, failure: ApiError | None) -> dict:
        replicas = deployment["spec"].get("replicas", 1)
        ready = [p for p in owned if _pod_ready(p)]
        counts = {"replicas": len(owned),
                  "updatedReplicas": sum(1 for p in owned
                                         if p["metadata"].get("labels", {}).get(TEMPLATE_HASH_LABEL) == current_hash),
                  "readyReplicas": len(ready), "availableReplicas": len(ready),
                  "unavailableReplicas": max(replicas - len(ready), 0)}
        previous, stamp = (deployment.get("status") or {}).get("conditions") or [], now()
        replica_set = f'{deployment["metadata"]["name"]}-{current_hash}'
        available = len(ready) >= replicas
        conditions = [
            _condition("Available", "True" if available else "False",
                       "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                       "Deployment has minimum availability." if available
                       else "Deployment does not have minimum availability.", previous, stamp),
            _condition("Progressing", "True", "NewReplicaSetAvailable" if available else "ReplicaSetUpdated",
                       f'ReplicaSet "{replica_set}" has successfully progressed.' if available
                       else f'ReplicaSet "{replica_set}" is progressing.', previous, stamp)]
        if failure is not None:
            conditions.append(_condition("ReplicaFailure", "True", "FailedCreate", failure.message, previous, stamp))
        # Zero counts are left out on the wire (omitempty), as the real API serves them.
        status = {key: value for key, value in counts.items() if value}
        return {"observedGeneration": deployment["metadata"].get("generation", 1), **status, "conditions": conditions}

    # --- jobs -------------------------------------------------------------------------------------

    def _reconcile_job(self, store: Store, resource: Resource, namespace: str, name: str) -> None:
        job = self._get(store, resource, namespace, name)
        if job is None:
            return
        pods = store.resource_for("v1", "Pod")
        owned = _owned(store.list(pods, namespace), job)
        phases = [(p.get("status") or {}).get("phase") for p in owned]
        succeeded, failed = phases.count("Succeeded"), phases.count("Failed")
        active = len(phases) - succeeded - failed
        completions, parallelism = job["spec"].get("completions", 1), job["spec"].get("parallelism", 1)
        status = dict(job.get("status") or {})
        complete = any(c.get("type") == "Complete" for c in status.get("conditions") or [])
        if not complete and not job["spec"].get("suspend"):
            wanted = min(parallelism, completions - succeeded) - active
            uid = job["metadata"]["uid"]
            labels = {"job-name": name, "batch.kubernetes.io/job-name": name,
                      "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid}
            _create_pods(store, pods, lambda: _pod_from_template(job, f"{name}-", labels), wanted, JOBS)
        status.setdefault("startTime", now())
        status.update({"active": active, "succeeded": succeeded, "failed": failed, "ready": active,
                       "terminating": 0, "uncountedTerminatedPods": {}})
        if succeeded >= completions and not complete:
            stamp = now()
            status["completionTime"] = stamp
            status["conditions"] = [
                {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods", "lastProbeTime": stamp,
                 "lastTransitionTime": stamp},
                {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods", "lastProbeTime": stamp,
                 "lastTransitionTime": stamp}]
        status = {key: value for key, value in status.items() if value or key in ("ready", "terminating")}
        job = self._get(store, resource, namespace, name)
        if job is not None:
            _write_status(store, resource, job, status, JOBS)

    # --- pods: the scheduler and the kubelet ------------------------------------------------------

    def _run_pod(self, store: Store, resource: Resource, namespace: str, name: str) -> None:
        pod = self._get(store, resource, namespace, name)
        if pod is None or (pod.get("status") or {}).get("phase") in ("Running", "Succeeded", "Failed"):
            return
        nodes = store.list(store.resource_for("v1", "Node"))
        if not pod["spec"].get("nodeName"):
            chosen = choose_node(pod, nodes)
            pod["spec"]["nodeName"] = chosen["metadata"]["name"] if chosen else self.node_name
            pod = store.update(resource, namespace, pod, request=identities.SCHEDULER)
        node = next((n for n in nodes if n["metadata"]["name"] == pod["spec"]["nodeName"]), {})
        finishes = (controller_of(pod) or {}).get("kind") == "Job"
        status = self._pod_status(pod, finishes, internal_ip(node) or NODE_IP, (node.get("spec") or {}).get("podCIDR"))
        store.update_status(resource, namespace, {**pod, "status": status},
                            request=identities.kubelet(pod["spec"]["nodeName"]))

    @staticmethod
    def _pod_status(pod: dict, finishes: bool, host_ip: str, pod_cidr: str | None) -> dict:
        stamp = now()
        ready = "False" if finishes else "True"
        conditions = [{"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": stamp}
                      for kind, status in (("PodReadyToStartContainers", "True"), ("Initialized", "True"),
                                           ("Ready", ready), ("ContainersReady", ready), ("PodScheduled", "True"))]
        if finishes:
            for condition in conditions:
                if condition["status"] == "False":
                    condition["reason"] = "PodCompleted"
            state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": stamp, "finishedAt": stamp}}
        else:
            state = {"running": {"startedAt": stamp}}
        uid = pod["metadata"]["uid"]
        container_statuses = [{"name": c["name"], "image": c.get("image", ""), "imageID": "",
                               "containerID": "containerd://" + hashlib.sha256((uid + c["name"]).encode()).hexdigest(),
                               "ready": not finishes, "started": not finishes, "restartCount": 0, "state": state}
                              for c in pod["spec"].get("containers") or []]
        digest = hashlib.sha256(uid.encode()).digest()
        network = pod_cidr.rsplit(".", 1)[0] if pod_cidr else f"10.244.{digest[0]}"  # inside the node's /24
        pod_ip = f"{network}.{digest[1] % 254 + 1}"
        return {"phase": "Succeeded" if finishes else "Running", "conditions": conditions, "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "startTime": stamp,
                "containerStatuses": container_statuses, "qosClass": qos_class(pod["spec"])}

    # --- garbage collection -----------------------------------------------------------------------

    @staticmethod
    def _delete(store: Store, resource: Resource, obj: dict, request: WriteRequest) -> None:
        try:
            store.delete(resource, obj["metadata"]["namespace"], obj["metadata"]["name"], request=request)
        except ApiError as error:
            if error.code != 404:
                raise


def _pod_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])
