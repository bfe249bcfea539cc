"""The in-memory object store: what etcd plus the generic registry (rest.BeforeCreate/BeforeUpdate) do.

Every write: defaults -> mutating admission -> registry guards (RBAC escalation) -> system metadata -> validation
-> validating admission -> commit (new resourceVersion, change log for watches) -> controllers (policy callbacks,
synchronously).

Two locks: writes hold the re-entrant write lock from start to end (admission plugins and controllers call back
into the store); reads and the commit itself take only the short data lock, so a reader (e.g. an admission webhook
listing objects through the API while the write that called it waits) is never blocked by a write in progress.
Lock order: write lock, then data lock, never the other way round.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import logging
import secrets
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from devstack.kube import errors, identities, resources
from devstack.kube.apply import record_update, server_side_apply
from devstack.kube.contracts import CLUSTER, ApiError, Policy, Reinvocation, Resource, WriteRequest
from devstack.kube.defaults import allocate_cluster_ip, apply_defaults, job_selector, qos_class
from devstack.kube.patch import json_patch, merge_patch, strategic_merge_patch
from devstack.kube.selectors import parse_field_selector, parse_label_selector
from devstack.kube.validation import check_decodable, validate
from devstack.kube.watch import Change, ChangeLog, Subscription

log = logging.getLogger(__name__)

CONTROLLER_MANAGER = "kube-controller-manager"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# Kinds whose metadata.generation counts spec changes.
GENERATION_KINDS = frozenset({"Deployment", "ReplicaSet", "Job", "Ingress", "NetworkPolicy"})
# Deleting these answers with the object itself, the others with a Success Status (as their real registries do).
RETURNS_DELETED_OBJECT = frozenset({"pods", "services", "namespaces"})
NAMESPACE_FINALIZE_DELAY = 0.05  # seconds before the "namespace controller" empties a Terminating namespace
_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(resource: Resource) -> tuple[str, str]:
    return resource.group, resource.plural


class MemoryStore:
    """Implements contracts.Store, plus what the HTTP layer needs (patch, apply, paging, watch)."""

    def __init__(self, policy: Policy, on_change: Callable[[], None] | None = None):
        self.policy = policy
        self.changes = ChangeLog()
        self._lock = threading.RLock()  # writes
        self._data = threading.RLock()  # reads and commits (taken inside the write lock by writers)
        self._objects: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
        self._resource_version = 0
        self._on_change = on_change or (lambda: None)
        self._timers: list[threading.Timer] = []

    # --- contracts.Store -------------------------------------------------------------------------------------

    def resource_for(self, api_version: str, kind: str) -> Resource:
        return resources.by_kind(api_version, kind)

    def get(self, resource: Resource, namespace: str, name: str) -> dict:
        with self._data:
            obj = self._bucket(resource).get((self._ns(resource, namespace), name))
            if obj is None:
                raise errors.not_found(resource, name)
            return copy.deepcopy(obj)

    def list(self, resource: Resource, namespace: str = "", label_selector: str = "") -> list[dict]:
        return self.list_page(resource, namespace, label_selector)[0]

    def create(self, resource: Resource, namespace: str, obj: dict, as_controller: bool = True, *,
               manager: str = "", dry_run: bool = False, request: WriteRequest = CLUSTER) -> dict:
        with self._lock:
            obj = self._admit_new(resource, self._prepare_create(resource, namespace, obj), request)
            record_update(resource.kind, None, obj, manager or self._default_manager(as_controller),
                          resource.api_version)
            if dry_run:
                return obj
            return self._commit("ADDED", resource, obj, None)

    def update(self, resource: Resource, namespace: str, obj: dict, as_controller: bool = True, *,
               manager: str = "", dry_run: bool = False, request: WriteRequest = CLUSTER) -> dict:
        with self._lock:
            name = (obj.get("metadata") or {}).get("name", "")
            old = self._existing(resource, namespace, name)
            self._check_body(resource, namespace, obj)
            version = obj.get("metadata", {}).get("resourceVersion")
            if version and version != old["metadata"]["resourceVersion"]:
                raise errors.conflict(resource, name)
            return self._write_update(resource, old, obj, manager or self._default_manager(as_controller),
                                      dry_run=dry_run, request=request)

    def update_status(self, resource: Resource, namespace: str, obj: dict, *, manager: str = "",
                      request: WriteRequest = CLUSTER, dry_run: bool = False) -> dict:
        """The status subresource: only status changes. Admission sees it as an UPDATE of <plural>/status (the
        built-in plugins ignore those; webhooks whose rules name the subresource get them)."""
        with self._lock:
            name = (obj.get("metadata") or {}).get("name", "")
            old = self._existing(resource, namespace, name)
            version = obj.get("metadata", {}).get("resourceVersion")
            if version and version != old["metadata"]["resourceVersion"]:
                raise errors.conflict(resource, name)
            new = copy.deepcopy(old)
            new["status"] = copy.deepcopy(obj.get("status") or {})
            if new == old:
                return old
            request = dataclasses.replace(request, subresource="status")
            admitted = self._mutate("UPDATE", resource, new, copy.deepcopy(old), request)
            new["status"] = admitted.get("status") or {}
            self._validate_admission("UPDATE", resource, new, old, request)
            if dry_run:
                return new
            return self._commit("MODIFIED", resource, new, old)

    def delete(self, resource: Resource, namespace: str, name: str, as_controller: bool = True, *,
               propagation: str = "", precondition_uid: str = "", precondition_version: str = "",
               dry_run: bool = False, request: WriteRequest = CLUSTER) -> dict:
        """Returns the deleted (or now terminating) object."""
        with self._lock:
            old = self._existing(resource, namespace, name)
            meta = old["metadata"]
            if precondition_uid and precondition_uid != meta["uid"]:
                raise ApiError(409, "Conflict", f"Precondition failed: UID in precondition: {precondition_uid}, "
                               f"UID in object meta: {meta['uid']}", errors.conflict(resource, name).details)
            if precondition_version and precondition_version != meta["resourceVersion"]:
                raise ApiError(409, "Conflict", "Precondition failed: ResourceVersion in precondition: "
                               f"{precondition_version}, ResourceVersion in object meta: {meta['resourceVersion']}",
                               errors.conflict(resource, name).details)
            self._mutate("DELETE", resource, copy.deepcopy(old), copy.deepcopy(old), request)
            self._validate_admission("DELETE", resource, copy.deepcopy(old), copy.deepcopy(old), request)
            if dry_run:
                return old
            if resource.kind == "Namespace":
                if name in SYSTEM_NAMESPACES[:3]:
                    raise errors.forbidden(resource, name, "this namespace may not be deleted")
                return self._terminate_namespace(resource, old)
            if meta.get("finalizers"):
                if meta.get("deletionTimestamp"):
                    return old
                terminating = copy.deepcopy(old)
                terminating["metadata"].update(deletionTimestamp=now(), deletionGracePeriodSeconds=0)
                return self._commit("MODIFIED", resource, terminating, old)
            return self._remove(resource, old, propagation)

    # --- what the HTTP layer adds -----------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        with self._data:
            return self._resource_version

    def list_page(self, resource: Resource, namespace: str = "", label_selector: str = "", field_selector: str = "",
                  limit: int = 0, continue_token: str = "") -> tuple[list[dict], str, str, int]:
        """(items, list resourceVersion, continue token, remaining item count) in etcd key order."""
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector, resource.kind)
        with self._data:
            version = str(self._resource_version)
            start = ""
            if continue_token:
                version, start = _decode_continue(continue_token)
            bucket = self._bucket(resource)
            keys = sorted(k for k in bucket if (not namespace or k[0] == namespace) and "/".join(k) > start)
            matching = [bucket[k] for k in keys
                        if labels(bucket[k]["metadata"].get("labels")) and fields(bucket[k])]
            if limit and len(matching) > limit:
                last = matching[limit - 1]["metadata"]
                token = _encode_continue(version, f"{last.get('namespace', '')}/{last['name']}")
                return copy.deepcopy(matching[:limit]), version, token, len(matching) - limit
            return copy.deepcopy(matching), version, "", 0

    def patch(self, resource: Resource, namespace: str, name: str, patch_type: str, body, *, manager: str,
              dry_run: bool = False, subresource: str = "", request: WriteRequest = CLUSTER) -> dict:
        with self._lock:
            old = self._existing(resource, namespace, name)
            current = copy.deepcopy(old)
            if patch_type == "json":
                new = json_patch(current, body)
            elif patch_type == "merge":
                new = merge_patch(current, body)
            else:
                new = strategic_merge_patch(resource.kind, current, body)
            if not isinstance(new, dict):
                raise errors.bad_request("the patched object is not a JSON object")
            if subresource == "status":
                return self.update_status(resource, namespace, new, request=request, dry_run=dry_run)
            version = (new.get("metadata") or {}).get("resourceVersion")
            if version and version != old["metadata"]["resourceVersion"]:
                raise errors.conflict(resource, name)
            new.setdefault("metadata", {})["name"] = name
            return self._write_update(resource, old, new, manager, dry_run=dry_run, request=request)

    def apply(self, resource: Resource, namespace: str, name: str, applied: dict, *, manager: str, force: bool,
              dry_run: bool = False, request: WriteRequest = CLUSTER) -> tuple[dict, bool]:
        """Server-side apply; returns (object, created)."""
        with self._lock:
            self._check_body(resource, namespace, applied)
            if (applied.get("metadata") or {}).get("name") != name:
                raise errors.bad_request(f"the name of the object ({applied.get('metadata', {}).get('name', '')}) "
                                         f"does not match the name on the URL ({name})")
            try:
                old = self._existing(resource, namespace, name)
            except ApiError as error:
                if error.code != 404:
                    raise
                old = None
            version = (applied.get("metadata") or {}).get("resourceVersion")
            if version and (old is None or version != old["metadata"]["resourceVersion"]):
                raise errors.conflict(resource, name)  # an applied resourceVersion is a precondition
            if old is None:
                obj = server_side_apply(resource.kind, None, applied, manager, force, resource.api_version)
                managed = obj["metadata"].pop("managedFields")
                obj = self._admit_new(resource, self._prepare_create(resource, namespace, obj), request)
                obj["metadata"]["managedFields"] = managed
                return (obj if dry_run else self._commit("ADDED", resource, obj, None)), True
            new = server_side_apply(resource.kind, copy.deepcopy(old), applied, manager, force, resource.api_version)
            return self._write_update(resource, old, new, None, dry_run=dry_run, request=request), False

    def delete_collection(self, resource: Resource, namespace: str, label_selector: str = "",
                          field_selector: str = "", propagation: str = "", request: WriteRequest = CLUSTER
                          ) -> list[dict]:
        with self._lock:
            doomed = self.list_page(resource, namespace, label_selector, field_selector)[0]
            return [self.delete(resource, o["metadata"].get("namespace", ""), o["metadata"]["name"], False,
                                propagation=propagation, request=request) for o in doomed]

    def watch(self, resource: Resource, namespace: str, label_selector: str, field_selector: str,
              resource_version: str) -> Subscription:
        """Subscribe; without a resourceVersion (or "0") the current objects arrive first as ADDED events."""
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector, resource.kind)
        subscription = Subscription(resource, namespace, lambda o: labels(o["metadata"].get("labels")) and fields(o))
        with self._data:
            if resource_version in ("", "0"):
                for obj in self.list_page(resource, namespace, label_selector, field_selector)[0]:
                    subscription.events.put(("ADDED", obj))
                since = self._resource_version
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise errors.bad_request(f'invalid resource version: "{resource_version}"') from None
            self.changes.subscribe(subscription, since)
        return subscription

    def compact(self) -> None:
        """Drop the watch history up to now (etcd compaction): older resourceVersions then get 410 Gone."""
        with self._data:
            self.changes.compact(self._resource_version)

    def seed_system_namespaces(self) -> None:
        namespaces = resources.by_path("", "v1", "namespaces")
        for name in SYSTEM_NAMESPACES:
            if ("", name) not in self._bucket(namespaces):
                self.create(namespaces, "", {"metadata": {"name": name}})

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self.changes.close_all()

    # --- persistence ------------------------------------------------------------------------------------------

    def dump(self) -> dict:
        with self._data:
            return {"resourceVersion": self._resource_version,
                    "objects": [{"group": group, "resource": plural, "object": obj}
                                for (group, plural), bucket in self._objects.items() for obj in bucket.values()]}

    def load(self, state: dict) -> None:
        with self._lock, self._data:
            self._resource_version = int(state.get("resourceVersion", 0))
            for entry in state.get("objects", []):
                resource = next(r for r in resources.RESOURCES
                                if (r.group, r.plural) == (entry["group"], entry["resource"]))
                meta = entry["object"]["metadata"]
                self._bucket(resource)[(meta.get("namespace", ""), meta["name"])] = entry["object"]
            self.changes.compact(self._resource_version)
        for obj in self.list(resources.by_path("", "v1", "namespaces")):
            if obj.get("status", {}).get("phase") == "Terminating":
                self._schedule_namespace_finalization(obj["metadata"]["name"])

    # --- internals --------------------------------------------------------------------------------------------

    def _bucket(self, resource: Resource) -> dict[tuple[str, str], dict]:
        with self._data:
            return self._objects.setdefault(_key(resource), {})

    @staticmethod
    def _ns(resource: Resource, namespace: str) -> str:
        return namespace if resource.namespaced else ""

    @staticmethod
    def _default_manager(as_controller: bool) -> str:
        return CONTROLLER_MANAGER if as_controller else "unknown"

    def _existing(self, resource: Resource, namespace: str, name: str) -> dict:
        obj = self._bucket(resource).get((self._ns(resource, namespace), name))
        if obj is None:
            raise errors.not_found(resource, name)
        return copy.deepcopy(obj)

    def _check_body(self, resource: Resource, namespace: str, obj: dict) -> None:
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if (kind and kind != resource.kind) or (api_version and api_version != resource.api_version):
            raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                                     f"version ({resource.api_version})" if api_version != resource.api_version else
                                     f'the kind in the data ({kind}) does not match the expected kind '
                                     f'({resource.kind})')
        body_namespace = (obj.get("metadata") or {}).get("namespace")
        if resource.namespaced and body_namespace and body_namespace != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                     "request")

    def _prepare_create(self, resource: Resource, namespace: str, obj: dict) -> dict:
        self._check_body(resource, namespace, obj)
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(secrets.choice(_GENERATE_ALPHABET) for _ in range(5))
        if resource.namespaced:
            meta["namespace"] = namespace
            self._check_namespace_open(resource, namespace, meta.get("name", ""))
        else:
            meta.pop("namespace", None)
        if meta.get("name") and (meta.get("namespace", ""), meta["name"]) in self._bucket(resource):
            raise errors.already_exists(resource, meta["name"])
        obj = {"apiVersion": resource.api_version, "kind": resource.kind, **obj}
        check_decodable(resource, obj)
        for key in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation"):
            meta.pop(key, None)
        return apply_defaults(resource.kind, obj)

    def _check_namespace_open(self, resource: Resource, namespace: str, name: str) -> None:
        namespaces = self._bucket(resources.by_path("", "v1", "namespaces"))
        holder = namespaces.get(("", namespace))
        if holder is None:
            raise errors.namespace_missing(namespace)
        if holder.get("status", {}).get("phase") == "Terminating":
            raise errors.namespace_terminating(resource, name, namespace)

    def _stamp_new(self, resource: Resource, obj: dict) -> None:
        """rest.BeforeCreate: uid, creation time, generation, status reset (and the kind's own PrepareForCreate)."""
        meta = obj["metadata"]
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now()
        if resource.kind in GENERATION_KINDS:
            meta["generation"] = 1
        if resource.plural in resources.WITH_STATUS:
            obj["status"] = {}
        if resource.kind == "Pod":
            obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj["spec"])}
        elif resource.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
        elif resource.kind in ("Service", "Ingress"):
            obj["status"] = {"loadBalancer": {}}
        if resource.kind == "Service":
            allocate_cluster_ip(obj, self._resource_version + 1)
        if resource.kind == "Job":
            job_selector(obj)

    def _write_update(self, resource: Resource, old: dict, new: dict, manager: str | None, *,
                      dry_run: bool, request: WriteRequest) -> dict:
        """Mutating admission, then rest.BeforeUpdate: keep system fields and status, bump generation, validate,
        validating admission, commit."""
        new = apply_defaults(resource.kind, {"apiVersion": resource.api_version, "kind": resource.kind,
                                             **{k: copy.deepcopy(v) for k, v in new.items()
                                                if k not in ("apiVersion", "kind")}})
        check_decodable(resource, new)
        new = self._mutate("UPDATE", resource, new, copy.deepcopy(old), request)
        self._guard("UPDATE", resource, new, old, request)
        meta, old_meta = new.setdefault("metadata", {}), old["metadata"]
        for key in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation",
                    "resourceVersion"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        if resource.plural in resources.WITH_STATUS:
            new["status"] = copy.deepcopy(old.get("status", {}))
        if resource.kind == "Service":
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if key in old.get("spec", {}):
                    new.setdefault("spec", {}).setdefault(key, old["spec"][key])
        if resource.kind == "Job" and not new.get("spec", {}).get("manualSelector"):
            new["spec"]["selector"] = old["spec"].get("selector")
        if resource.kind in GENERATION_KINDS and _spec_of(new) != _spec_of(old):
            meta["generation"] = old_meta.get("generation", 1) + 1
        validate(resource, new, old)
        self._validate_admission("UPDATE", resource, new, old, request)
        if manager is not None:
            record_update(resource.kind, old, new, manager, resource.api_version)
        if _without_managed_time(new) == _without_managed_time(old):
            return old  # a no-op update is not a write: no new resourceVersion, no event
        if dry_run:
            return new
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            return self._remove(resource, new, "")
        return self._commit("MODIFIED", resource, new, old)

    def _admit_new(self, resource: Resource, obj: dict, request: WriteRequest) -> dict:
        """A create after _prepare_create: mutating admission, guards, rest.BeforeCreate, validating admission."""
        obj = self._mutate("CREATE", resource, obj, None, request)
        self._guard("CREATE", resource, obj, None, request)
        self._stamp_new(resource, obj)
        validate(resource, obj)
        self._validate_admission("CREATE", resource, obj, None, request)
        return obj

    def _mutate(self, operation: str, resource: Resource, obj: dict, old: dict | None, request: WriteRequest) -> dict:
        """The mutating chain, run a second time when a plugin asks for it (admission's reinvoker)."""
        request = dataclasses.replace(request, reinvocation=Reinvocation())
        for _round in range(2):
            for plugin in self.policy.admission:
                obj = plugin(operation, resource, obj, old, self, request)
            if not request.reinvocation.wanted or request.reinvocation.second_pass:
                break
            request.reinvocation.second_pass = True
        return obj

    def _guard(self, operation: str, resource: Resource, obj: dict, old: dict | None, request: WriteRequest) -> None:
        for guard in self.policy.guards:
            guard(operation, resource, obj, old, self, request)

    def _validate_admission(self, operation: str, resource: Resource, obj: dict, old: dict | None,
                            request: WriteRequest) -> None:
        for validator in self.policy.validating_admission:
            validator(operation, resource, obj, old, self, request)

    def _commit(self, event: str, resource: Resource, obj: dict, old: dict | None) -> dict:
        with self._data:
            self._resource_version += 1
            meta = obj["metadata"]
            meta["resourceVersion"] = str(self._resource_version)
            key = (meta.get("namespace", ""), meta["name"])
            if event == "DELETED":
                self._bucket(resource).pop(key, None)
            else:
                self._bucket(resource)[key] = copy.deepcopy(obj)
            self.changes.record(Change(self._resource_version, event, resource, copy.deepcopy(obj),
                                       copy.deepcopy(old) if old else None))
        self._on_change()
        for controller in self.policy.controllers:
            try:
                controller(event, resource, copy.deepcopy(obj), self)
            except ApiError as error:
                log.debug("controller %s: %s", getattr(controller, "__name__", controller), error.message)
            except Exception:
                log.exception("controller %s failed on %s %s", getattr(controller, "__name__", controller), event,
                              key)
        return copy.deepcopy(obj)

    def _remove(self, resource: Resource, obj: dict, propagation: str) -> dict:
        removed = self._commit("DELETED", resource, copy.deepcopy(obj), obj)
        if propagation != "Orphan":
            self._collect_dependents(removed["metadata"]["uid"], removed["metadata"].get("namespace", ""))
        return removed

    def _collect_dependents(self, owner_uid: str, namespace: str) -> None:
        """The garbage collector: delete objects whose ownerReferences name the deleted owner."""
        for resource in resources.RESOURCES:
            for (obj_namespace, name), obj in list(self._bucket(resource).items()):
                owners = obj["metadata"].get("ownerReferences") or []
                if any(o.get("uid") == owner_uid for o in owners) and (not namespace or obj_namespace == namespace):
                    try:
                        self.delete(resource, obj_namespace, name, request=identities.GARBAGE_COLLECTOR)
                    except ApiError as error:
                        log.debug("garbage collector: %s", error.message)

    def _terminate_namespace(self, resource: Resource, old: dict) -> dict:
        if old["status"].get("phase") == "Terminating":
            return old
        terminating = copy.deepcopy(old)
        terminating["metadata"]["deletionTimestamp"] = now()
        terminating["status"]["phase"] = "Terminating"
        committed = self._commit("MODIFIED", resource, terminating, old)
        self._schedule_namespace_finalization(old["metadata"]["name"])
        return committed

    def _schedule_namespace_finalization(self, name: str) -> None:
        timer = threading.Timer(NAMESPACE_FINALIZE_DELAY, self._finalize_namespace, (name,))
        timer.daemon = True
        self._timers = [t for t in self._timers if t.is_alive()] + [timer]
        timer.start()

    def _finalize_namespace(self, name: str) -> None:
        """The namespace controller: delete the contents (workloads first), then the namespace itself."""
        namespaces = resources.by_path("", "v1", "namespaces")
        ordered = sorted((r for r in resources.RESOURCES if r.namespaced and not resources.is_review(r)),
                         key=lambda r: r.group not in ("apps", "batch"))
        with self._lock:
            for resource in ordered:
                for (namespace, obj_name) in list(self._bucket(resource)):
                    if namespace == name and (namespace, obj_name) in self._bucket(resource):
                        try:
                            self.delete(resource, namespace, obj_name, request=identities.NAMESPACE_CONTROLLER)
                        except ApiError as error:
                            log.debug("namespace controller: %s", error.message)
            holder = self._bucket(namespaces).get(("", name))
            if holder is not None:
                finalized = copy.deepcopy(holder)
                finalized["spec"]["finalizers"] = []
                self._commit("DELETED", namespaces, finalized, holder)


def _spec_of(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _without_managed_time(obj: dict) -> dict:
    copy_ = copy.deepcopy(obj)
    for entry in copy_.get("metadata", {}).get("managedFields") or []:
        entry.pop("time", None)
    return copy_


def _encode_continue(resource_version: str, start: str) -> str:
    token = {"v": "meta.k8s.io/v1", "rv": int(resource_version), "start": start}
    return base64.b64encode(json.dumps(token).encode()).decode()


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        decoded = json.loads(base64.b64decode(token))
        return str(decoded["rv"]), decoded["start"]
    except (ValueError, KeyError, TypeError):
        raise errors.bad_request("continue key is not valid: illegal base64 data at input byte 0") from None


def load_state(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None
