"""The Kubernetes side of a namespace's lifecycle stages: suspend, reactivate, archive, delete. I/O only.

Each step is idempotent, so a run interrupted anywhere is completed by the next one: suspension records every
Deployment's replicas (and running Jobs, and bare Pods' manifests) before it changes anything and sets the stage
last; reactivation sets the stage first; an archive is written to a temporary directory and renamed into place.
Quota with no pods and view-only members come from the engine's rendering of a suspended namespace, so a resync
keeps them rather than undoing them.

An archive holds what tenants made: ConfigMaps, Secrets (keys only), Services, ServiceAccounts, Deployments, Jobs,
Ingresses, Roles, RoleBindings, NetworkPolicies and bare Pods, each ready for `kubectl apply`. Not archived: campus's
own objects (the engine renders them again), Pods a controller owns, Events, and what Kubernetes creates in every
namespace (the default ServiceAccount, kube-root-ca.crt). The stand-in serves no StatefulSets, CronJobs or
PersistentVolumeClaims, so neither suspension nor archive handles them yet.
"""

import logging
import shutil
import tempfile
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from tenants.engine.config import MANAGED_BY
from tenants.engine.plan import component_of, is_managed
from tenants.infra import audit
from tenants.infra.kube import KubeCluster, components
from tenants.infra.locks import SyncBusy
from tenants.models import ManagedNamespace
from tenants.signals import announce, namespace_reactivated, namespace_reclaimed, namespace_suspended
from tenants.tenancy.reconcile import apply_stage

log = logging.getLogger(__name__)
Stage = ManagedNamespace.Stage
ARCHIVED_KINDS = ("ConfigMap", "Secret", "Service", "ServiceAccount", "Deployment", "Job", "Ingress", "Role",
                  "RoleBinding", "NetworkPolicy", "Pod")
SERVER_FIELDS = ("uid", "resourceVersion", "managedFields", "creationTimestamp", "generation", "selfLink",
                 "ownerReferences", "deletionTimestamp")
SECRET_NOTE = "campus.example/archived-without-values"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FINISHED = ("Succeeded", "Failed")
JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")
INDEX = "campus-archive.info"  # YAML, named so `kubectl apply -f <dir>` skips it: what, from which record, when


class NotCampusManaged(Exception):
    """The cluster's namespace of that name is not campus's: campus never touches it."""


def _check_managed(kube: KubeCluster, name: str) -> bool:
    """True when the namespace exists and is campus's; False when it is gone; raises when it is someone else's."""
    namespace = kube.get("Namespace", "", name)
    if namespace is None:
        return False
    if (namespace["metadata"].get("labels") or {}).get(MANAGED_BY[0]) != MANAGED_BY[1]:
        raise NotCampusManaged(f"namespace {name} is not managed by campus")
    return True


def _audit(ns: ManagedNamespace, action: str, reason: str, trigger: str) -> None:
    audit.namespace_event(audit.Action(action), ns.name, reason, trigger)


ANNOUNCED = {Stage.SUSPENDED: namespace_suspended, Stage.ACTIVE: namespace_reactivated}


def _set_stage(ns: ManagedNamespace, stage: str) -> None:
    """A re-run keeps the time the stage was first entered (grace periods count from it) and tells other
    capabilities nothing new: a suspension or reactivation is announced once, with the change that makes it."""
    with transaction.atomic():
        changed = ns.stage != stage
        if changed:
            ns.stage, ns.stage_changed_at = stage, timezone.now()
        ns.save(update_fields=["stage", "stage_changed_at", "suspended_state", "updated_at"])
        if changed and stage in ANNOUNCED:
            announce(ANNOUNCED[stage], name=ns.name, kind=ns.kind, owner=ns.owner.username if ns.owner else "")


def _render_stage(ns: ManagedNamespace, trigger: str) -> None:
    """Quota and roles for the new stage. The record already says the stage, so if a sync holds the lock too long
    the next resync renders it."""
    try:
        apply_stage(ns, trigger)
    except SyncBusy:
        log.warning("%s: a sync is running; the next resync applies the %s stage", ns.name, ns.stage)


def suspend(kube: KubeCluster, ns: ManagedNamespace, trigger: str = "reclaim") -> None:
    """Workloads to zero (previous scale recorded), Jobs suspended, bare Pods removed (their manifests recorded),
    quota to no pods, members to view."""
    deployments, jobs, pods = [], [], []
    if _check_managed(kube, ns.name):  # a namespace already gone has nothing to scale; the record still changes
        deployments = kube.list_labelled("Deployment", "", namespace=ns.name)
        jobs = [j for j in kube.list_labelled("Job", "", namespace=ns.name)
                if not (j.get("spec") or {}).get("suspend") and not (j.get("status") or {}).get("completionTime")]
        pods = [p for p in kube.list_labelled("Pod", "", namespace=ns.name)
                if not p["metadata"].get("ownerReferences") and (p.get("status") or {}).get("phase") not in FINISHED]
    recorded = ns.suspended_state
    state = {"replicas": dict(recorded.get("replicas", {})),
             "jobs": sorted(set(recorded.get("jobs", [])) | {j["metadata"]["name"] for j in jobs}),
             "pods": dict(recorded.get("pods", {}))}
    for deployment in deployments:  # a re-run never overwrites a recorded scale with the 0 it set itself
        state["replicas"].setdefault(deployment["metadata"]["name"], deployment["spec"].get("replicas", 1))
    for pod in pods:
        state["pods"].setdefault(pod["metadata"]["name"], _exported(pod, {}))
    ns.suspended_state = state
    ns.save(update_fields=["suspended_state", "updated_at"])
    for deployment in deployments:
        if deployment["spec"].get("replicas", 1):
            kube.patch("Deployment", ns.name, deployment["metadata"]["name"], {"spec": {"replicas": 0}})
    for job in jobs:
        kube.patch("Job", ns.name, job["metadata"]["name"], {"spec": {"suspend": True}})
    for pod in pods:
        kube.delete("Pod", ns.name, pod["metadata"]["name"])
    _set_stage(ns, Stage.SUSPENDED)
    _audit(ns, "suspend", f"expired on {ns.expires_on}; {len(deployments)} deployment(s) scaled to 0, "
                          f"{len(jobs)} job(s) suspended, {len(pods)} pod(s) removed", trigger)
    _render_stage(ns, trigger)


def reactivate(kube: KubeCluster, ns: ManagedNamespace, trigger: str = "extension") -> None:
    """Undo a suspension: normal quota and roles first (pods need them), then recorded scales, jobs and pods.
    The stage turns active first, so an interruption never leaves an extended namespace to be archived; an active
    namespace with a suspended_state left is a reactivation cut short, and calling this again completes it."""
    _set_stage(ns, Stage.ACTIVE)
    _audit(ns, "reactivate", "extended; quota, roles and workloads restored", trigger)
    _render_stage(ns, trigger)
    if _check_managed(kube, ns.name):
        recorded = ns.suspended_state
        deployments = {d["metadata"]["name"] for d in kube.list_labelled("Deployment", "", namespace=ns.name)}
        for name, replicas in recorded.get("replicas", {}).items():
            if name in deployments:
                kube.patch("Deployment", ns.name, name, {"spec": {"replicas": replicas}})
        jobs = {j["metadata"]["name"] for j in kube.list_labelled("Job", "", namespace=ns.name)}
        for name in recorded.get("jobs", []):
            if name in jobs:
                kube.patch("Job", ns.name, name, {"spec": {"suspend": False}})
        pods = {p["metadata"]["name"] for p in kube.list_labelled("Pod", "", namespace=ns.name)}
        for name, manifest in recorded.get("pods", {}).items():
            if name not in pods:
                kube.create(manifest)
    ns.suspended_state = {}
    ns.save(update_fields=["suspended_state", "updated_at"])


def _exported(obj: dict, suspended_state: dict) -> dict | None:
    """The manifest to keep, ready to apply again: server-populated fields stripped, Secret values dropped, a
    suspended workload's recorded scale restored; None for what campus or Kubernetes itself created there."""
    kind, meta = obj["kind"], obj.get("metadata") or {}
    if is_managed(obj) and component_of(obj) in {c.name for c in components()}:
        return None  # each part of campus renders its own objects again
    if (kind, meta["name"]) in (("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")):
        return None
    if kind == "Pod" and meta.get("ownerReferences"):
        return None  # recreated by its Deployment or Job
    manifest = {key: value for key, value in obj.items() if key != "status"}
    manifest["metadata"] = {key: value for key, value in meta.items() if key not in SERVER_FIELDS}
    annotations = {key: value for key, value in (meta.get("annotations") or {}).items()
                   if key != LAST_APPLIED}  # kubectl's copy of the applied manifest holds a Secret's values
    spec = manifest.get("spec")
    if kind == "Secret":
        manifest["data"] = dict.fromkeys(obj.get("data") or {}, "")
        manifest.pop("stringData", None)
        annotations[SECRET_NOTE] = "values are never archived"
    elif kind == "Deployment" and meta["name"] in suspended_state.get("replicas", {}):
        manifest["spec"] = {**spec, "replicas": suspended_state["replicas"][meta["name"]]}
    elif kind == "Job":
        manifest["spec"] = _job_spec(spec, meta["name"] in suspended_state.get("jobs", []))
    elif kind == "Pod":
        manifest["spec"] = {key: value for key, value in spec.items() if key != "nodeName"}  # scheduled afresh
    elif kind == "Service":
        manifest["spec"] = {key: value for key, value in spec.items() if key not in ("clusterIP", "clusterIPs")}
    manifest["metadata"]["annotations"] = annotations
    return manifest


def _job_spec(spec: dict, suspended_by_campus: bool) -> dict:
    """Without the selector and pod labels the server generated from the Job's uid (a new Job gets new ones)."""
    template = spec.get("template") or {}
    labels = {key: value for key, value in ((template.get("metadata") or {}).get("labels") or {}).items()
              if key not in JOB_UID_LABELS}
    cleaned = {key: value for key, value in spec.items() if key != "selector" or spec.get("manualSelector")}
    cleaned["template"] = {**template, "metadata": {**(template.get("metadata") or {}), "labels": labels}}
    if suspended_by_campus:
        cleaned["suspend"] = False
    return cleaned


def archive(kube: KubeCluster, ns: ManagedNamespace, archive_dir: Path, trigger: str = "reclaim") -> Path:
    """Every tenant object as a YAML manifest in `archive_dir/<namespace>/`, with an index naming the record it
    came from; the stage becomes archived. An older archive of an earlier namespace of that name is kept beside it."""
    archive_dir = Path(archive_dir)
    target = archive_dir / ns.name
    if _archived_record(target) == ns.pk:
        _set_stage(ns, Stage.ARCHIVED)
        return target
    if not _check_managed(kube, ns.name):
        _audit(ns, "archive", "the namespace was already gone: nothing to archive", trigger)
        _set_stage(ns, Stage.ARCHIVED)
        return target
    archive_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{ns.name}-", dir=archive_dir))
    try:
        files = {f"pod-{name}.yaml": manifest for name, manifest in ns.suspended_state.get("pods", {}).items()}
        for kind in ARCHIVED_KINDS:
            for obj in kube.list_labelled(kind, "", namespace=ns.name):
                manifest = _exported(obj, ns.suspended_state)
                if manifest is not None:
                    files[f"{kind.lower()}-{manifest['metadata']['name']}.yaml"] = manifest
        for name, manifest in files.items():
            (partial / name).write_text(yaml.safe_dump(manifest, sort_keys=False))
        count = len(files)
        index = {"namespace": ns.name, "record": ns.pk, "kind": ns.kind, "gitlab_path": ns.gitlab_path,
                 "owner": ns.owner.username if ns.owner else "", "archived_at": timezone.now().isoformat(),
                 "objects": count, "secret_values": "not archived"}
        (partial / INDEX).write_text(yaml.safe_dump(index, sort_keys=False))
        if target.exists():  # an earlier namespace of the same name, archived and deleted long ago
            target.rename(target.with_name(f"{ns.name}.{target.stat().st_mtime_ns}"))
        partial.rename(target)  # atomic: a half-written archive never looks complete
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _audit(ns, "archive", f"{count} object(s) exported to {target}", trigger)
    _set_stage(ns, Stage.ARCHIVED)
    return target


def _archived_record(target: Path) -> int | None:
    """The ManagedNamespace id a complete archive at `target` was made from."""
    try:
        return yaml.safe_load((target / INDEX).read_text())["record"]
    except (OSError, TypeError, KeyError, yaml.YAMLError):
        return None


def delete_namespace(kube: KubeCluster, ns: ManagedNamespace, trigger: str = "reclaim") -> None:
    """Delete the namespace and campus's records of it, and tell other capabilities to release what they hold.
    Receivers run inside the records' transaction: one that fails keeps the records, so the next run retries."""
    if _check_managed(kube, ns.name):
        kube.delete("Namespace", "", ns.name)
    with transaction.atomic():
        _audit(ns, "delete", f"reclaimed after archiving (expired {ns.expires_on})", trigger)
        ManagedNamespace.objects.filter(pk=ns.pk).delete()  # Membership and NamespaceUsage rows cascade
        announce(namespace_reclaimed, name=ns.name, kind=ns.kind, owner=ns.owner.username if ns.owner else "")
