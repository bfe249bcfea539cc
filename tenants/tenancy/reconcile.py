"""The tenancy engine's reconcile loop: read GitLab and campus's records, render, diff, apply, audit.

    LIST namespaces (campus's, and the names of others) ──► names given up where others hold them
    read GitLab ──► tenants (pure) ──► names (pure, stored) ──► desired objects (pure)
                                                                     │
    LIST the tenancy component's objects per kind ──────────────► plan (pure, guarded) ──► apply, audit

A full resync covers everything; a webhook event re-reads only the GitLab entity it names (and, for a group,
its subtree) and reconciles only those namespaces. One sync runs at a time (a database lock).
"""

import logging
from collections.abc import Callable

from django.db import transaction

from tenants.engine.access import Removal
from tenants.engine.config import MANAGED_BY, TENANCY, TenancyConfig
from tenants.engine.desired import TENANT_LABEL, Tenant, render
from tenants.engine.gitlab_tenants import gitlab_entities
from tenants.engine.naming import EntityKey, assign_names
from tenants.engine.plan import Guards, Plan, is_managed, make_plan
from tenants.infra.gitlab import GitLabRead
from tenants.infra.kube import FIELD_MANAGER, KubeCluster, component
from tenants.infra.locks import sync_lock
from tenants.infra.settings import gitlab_roots, gitlab_source, kube_cluster, tenancy_config
from tenants.models import ManagedNamespace, Membership
from tenants.tenancy.apply import SyncResult, apply_plan
from tenants.tenancy.memberships import record_memberships
from tenants.tenancy.names import rename_taken, report_avoided, stored_names
from tenants.tenancy.records import (
    gitlab_records,
    owned_tenants,
    record_names,
    recorded_gitlab_tenant,
    tenants_from_gitlab,
)

log = logging.getLogger(__name__)
EVENT_LOCK_WAIT = 30  # an event waits for a running sync rather than backing off


def _namespaces(kube: KubeCluster, config: TenancyConfig, trigger: str, everything: bool,
                dry_run: bool = False) -> tuple[list, set]:
    """campus's namespaces (all of them, or none when `everything` is False: a partial run lists those in its
    scope with their contents) and the names of every other namespace — which campus never takes: a record
    whose name one of them holds gets another (not in a dry run, which writes nothing). One LIST either way."""
    if everything:
        namespaces = kube.list_labelled("Namespace", "")
    else:  # only the others: a partial run must not pay for reading every tenant's namespace
        namespaces = kube.list_labelled("Namespace", f"{MANAGED_BY[0]}!={MANAGED_BY[1]}")
    foreign = {ns["metadata"]["name"] for ns in namespaces if not is_managed(ns)}
    if not dry_run:
        rename_taken(foreign, config, trigger)
    return [ns for ns in namespaces if is_managed(ns)], foreign


def _contents(kube: KubeCluster, scope: set[str] | None) -> list[dict]:
    """campus's objects in `scope` (its namespaces too) or, for everything, inside namespaces: one labelled LIST
    per kind."""
    selector = f"{MANAGED_BY[0]}={MANAGED_BY[1]}"
    if scope is not None:
        selector += f",{TENANT_LABEL} in ({','.join(sorted(scope))})"
    return [obj for kind in component(TENANCY).kinds if scope is not None or kind != "Namespace"
            for obj in kube.list_labelled(kind, selector)]


def _guards(scoped: bool, approved_removals: frozenset[Removal] = frozenset(), guard_access: bool = True) -> Guards:
    """A partial run measures its guards against everything campus manages, not only its scope. The tenancy
    engine's own writes are not drift: its field manager's, and campus's from before components."""
    own = frozenset({FIELD_MANAGER, component(TENANCY).field_manager})
    if not scoped:
        return Guards(approved_removals=approved_removals, own_managers=own)
    return Guards(approved_removals=approved_removals, own_managers=own, guard_access=guard_access,
                  managed_namespaces=ManagedNamespace.objects.count(), bound_subjects=Membership.objects.count())


def reconcile(read: GitLabRead, trigger: str, *, scope_entities: dict[EntityKey, str] | None = None,
              dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
              lock_wait_seconds: float = 0, approved_removals: frozenset[Removal] = frozenset()) -> SyncResult:
    """Bring Kubernetes in line with `read`. `scope_entities`: a webhook's partial read (None: everything)."""
    config = tenancy_config()
    kube = kube_cluster(component(TENANCY).field_manager)
    try:
        with sync_lock(lock_wait_seconds):
            namespaces, foreign = _namespaces(kube, config, trigger, scope_entities is None, dry_run)
            entities = scope_entities if scope_entities is not None else gitlab_entities(
                read.groups, read.projects, gitlab_roots(), config.include_projects)
            stored = stored_names()
            names = assign_names(entities.items(), stored, config, unavailable=foreign)
            gone = {ns.name for key, ns in gitlab_records().items() if key in read.absent}
            if not dry_run:
                report_avoided(entities, names, stored, foreign, config, trigger)
                with transaction.atomic():
                    record_names(entities, names)
            tenants = tenants_from_gitlab(read, names, entities, config)
            scope = None
            if scope_entities is not None:
                scope = {names[k] for k in entities} | gone
            else:
                tenants += owned_tenants()
            if scope is not None and not scope:
                return SyncResult(plan=Plan())  # nothing campus manages is affected
            desired = [obj for tenant in tenants for obj in render(tenant, config)]
            plan = make_plan(desired, namespaces + _contents(kube, scope), complete=read.complete, config=config,
                             scope=scope, reasons=_reasons(tenants),
                             guards=_guards(scope is not None, approved_removals))
            if dry_run:
                return SyncResult(plan=plan, incomplete=list(read.missing), kube_calls=dict(kube.calls))
            result = apply_plan(kube, plan, trigger, progress, _reasons(tenants))
            unread = {names[EntityKey(*entity)] for entity in read.unreadable_members if EntityKey(*entity) in names}
            record_memberships(_settled(tenants, plan, unread), config)
            result.incomplete, result.kube_calls = list(read.missing), dict(kube.calls)
            return result
    finally:
        kube.close()


def _reasons(tenants: list[Tenant]) -> dict[str, str]:
    return {t.name: f"{t.kind} namespace of {t.owner}" if t.owner else f"{t.kind} {t.path}" for t in tenants}


def _settled(tenants: list[Tenant], plan: Plan, unread: set[str] = frozenset()) -> list[Tenant]:
    """Tenants whose recorded memberships may follow the plan: not those whose members could not be read, nor
    those whose access removals are held."""
    withheld = {r.namespace for r in plan.held_removals} | unread
    return [t for t in tenants if t.name not in withheld]


def full_sync(trigger: str = "resync", dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
              approved_removals: frozenset[Removal] = frozenset()) -> SyncResult:
    return reconcile(gitlab_source().read_all(), trigger, dry_run=dry_run, progress=progress,
                     approved_removals=approved_removals)


def reconcile_gitlab_entity(kind: str, gitlab_id: int, trigger: str) -> SyncResult:
    """Reconcile one GitLab group (with its subtree) or project, re-read from GitLab now. GitLab saying the entity
    is gone is believed only when a second read says so too (its namespace would be deleted)."""
    source = gitlab_source()

    def read_entity() -> GitLabRead:
        read = source.read_group(gitlab_id) if kind == "group" else source.read_project(gitlab_id)
        if not read.complete:
            raise RuntimeError(f"GitLab read incomplete: {'; '.join(read.missing)}")  # retried with backoff
        return read

    read = read_entity()
    if read.absent and not read_entity().absent:
        raise RuntimeError(f"GitLab said {kind} {gitlab_id} does not exist, then that it does")  # retried
    config = tenancy_config()
    entities = gitlab_entities(read.groups, read.projects, gitlab_roots(), config.include_projects)
    return reconcile(read, trigger, scope_entities=entities, lock_wait_seconds=EVENT_LOCK_WAIT)


def apply_recorded_namespace(namespace: ManagedNamespace, trigger: str) -> SyncResult:
    """Re-apply one namespace after campus changed its record (tier, overrides): owned ones from the record,
    GitLab ones with a fresh read of their entity."""
    if namespace.kind in ManagedNamespace.OWNED_KINDS:
        return sync_owned_namespaces({namespace.name}, trigger)
    return reconcile_gitlab_entity(namespace.kind, namespace.gitlab_id, trigger)


def _apply_tenants(tenants_of: Callable[[], list[Tenant]], trigger: str, guard_access: bool = True) -> SyncResult:
    """Render and apply the tenants `tenants_of` returns (read after names taken in the cluster were given up),
    touching nothing else."""
    config = tenancy_config()
    kube = kube_cluster(component(TENANCY).field_manager)
    try:
        namespaces, _foreign = _namespaces(kube, config, trigger, everything=False)
        tenants = tenants_of()
        scope = {t.name for t in tenants}
        desired = [obj for tenant in tenants for obj in render(tenant, config)]
        plan = make_plan(desired, namespaces + _contents(kube, scope), complete=True, config=config, scope=scope,
                         reasons=_reasons(tenants), guards=_guards(True, guard_access=guard_access))
        result = apply_plan(kube, plan, trigger, None, _reasons(tenants))
        record_memberships(_settled(tenants, plan), config)
        return result
    finally:
        kube.close()


def sync_owned_namespaces(names: set[str], trigger: str) -> SyncResult:
    """Apply personal or requested namespaces now (first sign-in, an approved request), touching nothing else.
    `names` are the records' names when the caller read them."""
    pks = set(ManagedNamespace.objects.filter(name__in=names).values_list("pk", flat=True))
    return _apply_tenants(lambda: owned_tenants(pks=pks), trigger)


def apply_stage(namespace: ManagedNamespace, trigger: str) -> SyncResult:
    """Re-apply one namespace after its lifecycle stage changed (quota and roles follow the stage), from campus's
    records alone so that suspending never waits on GitLab. Holds the sync lock, so a sync that read the old stage
    cannot apply it afterwards."""
    with sync_lock(EVENT_LOCK_WAIT):
        if namespace.kind in ManagedNamespace.OWNED_KINDS:
            return _apply_tenants(lambda: owned_tenants(pks={namespace.pk}), trigger, guard_access=False)

        def recorded() -> list[Tenant]:
            namespace.refresh_from_db(fields=["name"])  # renamed if its name was taken in the cluster
            return [recorded_gitlab_tenant(namespace, tenancy_config())]

        return _apply_tenants(recorded, trigger, guard_access=False)  # campus's own decision, not GitLab's
