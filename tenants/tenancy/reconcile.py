"""The tenancy engine's reconcile loop: read GitLab and campus's records, render, diff, apply, audit.

    read GitLab ──► tenants (pure) ──► names (pure, stored) ──► desired objects (pure)
                                                                     │
    LIST campus-labelled objects per kind ─────────────────────► plan (pure, guarded) ──► apply, audit

A full resync covers everything; a webhook event re-reads only the GitLab entity it names (and, for a group,
its subtree) and reconciles only those namespaces. One sync runs at a time (a database lock).
"""

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from tenants.engine.access import Removal
from tenants.engine.config import MANAGED_BY, TenancyConfig
from tenants.engine.desired import TENANT_LABEL, Tenant, render
from tenants.engine.drift import replacement
from tenants.engine.gitlab_tenants import gitlab_entities, members_of
from tenants.engine.membership import Member, role_subjects
from tenants.engine.naming import EntityKey, assign_names
from tenants.engine.plan import Action, Guards, Plan, is_managed, make_plan
from tenants.infra.gitlab import GitLabRead
from tenants.infra.kube import FIELD_MANAGER, KINDS, KubeCluster, KubeError
from tenants.infra.settings import expiry_policy, gitlab_source, kube_cluster, tenancy_config
from tenants.lifecycle.rules import NamespaceState, current_expiry
from tenants.models import AuditEntry, GitLabEvent, HeldPlan, ManagedNamespace, Membership
from tenants.signals import namespace_reclaimed
from tenants.tenancy.names import rename_taken, report_avoided, stored_names
from tenants.tenancy.ownership import clear_conflict, open_conflicts, record_conflict
from tenants.tenancy.rules import affected_entity

log = logging.getLogger(__name__)
SYNC_LOCK_ID = 0x63616D70  # "camp": the advisory lock every sync holds
EVENT_LOCK_WAIT = 30  # an event waits for a running sync rather than backing off
FULL_SYNC_EVENTS = {"user_destroy", "user_rename"}  # memberships everywhere may change
SUSPENDED_STAGES = {ManagedNamespace.Stage.SUSPENDED, ManagedNamespace.Stage.ARCHIVED}
OWN_MANAGERS = frozenset({FIELD_MANAGER})  # writes by these field managers are campus's own, not drift


class SyncBusy(Exception):
    """Another sync holds the lock."""


@dataclass
class SyncResult:
    plan: Plan
    applied: int = 0
    failures: list[str] = field(default_factory=list)
    held_plan: HeldPlan | None = None  # namespace deletions held by the deletion guard
    held_access: HeldPlan | None = None  # access removals held by the access guard
    incomplete: list[str] = field(default_factory=list)  # what the GitLab read could not get
    conflicts: int = 0  # objects campus wanted whose names belong to others
    kube_calls: dict[str, int] = field(default_factory=dict)  # Kubernetes requests by verb


@contextmanager
def sync_lock(wait_seconds: float = 0):
    """PostgreSQL advisory lock; other databases (SQLite in development) run one process anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_ID])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise SyncBusy("another sync is running")
            time.sleep(0.05)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_ID])


# --- reading state -------------------------------------------------------------------------------------------------

def _gitlab_records() -> dict[tuple[str, int], ManagedNamespace]:
    return {(ns.kind, ns.gitlab_id): ns for ns in ManagedNamespace.objects.filter(gitlab_id__isnull=False)}


def _record_names(entities: dict[EntityKey, str], names: dict[EntityKey, str], config: TenancyConfig) -> None:
    """Store new names and current GitLab paths; a stored name never changes."""
    existing = _gitlab_records()
    for key, path in entities.items():
        record = existing.get((key.kind, key.id))
        if record is None:
            ManagedNamespace.objects.create(name=names[key], kind=key.kind, gitlab_id=key.id, gitlab_path=path,
                                            tier=config.default_tier[key.kind], expires_on=_first_expiry(key.kind))
        elif record.gitlab_path != path:
            record.gitlab_path = path
            record.save(update_fields=["gitlab_path", "updated_at"])


def _first_expiry(kind: str):
    """A new namespace's end date, so the portal shows it at once (the daily reclaim pass keeps it current)."""
    today = timezone.localdate()
    return current_expiry(NamespaceState(name="", kind=kind, stage="active", created_on=today), expiry_policy(today))


def _gitlab_tenants(read: GitLabRead, names: dict[EntityKey, str], entities: dict[EntityKey, str],
                    config: TenancyConfig) -> list[Tenant]:
    """Tier and overrides come from campus's record; an entity not recorded yet (a dry run) gets its defaults."""
    records = _gitlab_records()
    tenants = []
    for key, path in entities.items():
        record = records.get((key.kind, key.id))
        tenants.append(Tenant(name=names[key], kind=key.kind, path=path, gitlab_id=key.id,
                              tier=record.tier if record else config.default_tier[key.kind],
                              overrides=record.quota_overrides if record else {},
                              members=members_of(read.members, key),
                              suspended=bool(record and record.stage in SUSPENDED_STAGES)))
    return tenants


def _owned_tenants(pks: set[int] | None = None) -> list[Tenant]:
    """Personal and requested namespaces: campus's records are their source, and their owner administers them.
    A departed owner loses access but the namespace stays: only the expiry lifecycle reclaims it."""
    records = ManagedNamespace.objects.filter(kind__in=ManagedNamespace.OWNED_KINDS).select_related("owner")
    if pks is not None:
        records = records.filter(pk__in=pks)
    tenants = []
    for ns in records:
        owner = ns.owner.username if ns.owner else ""
        tenants.append(Tenant(name=ns.name, kind=ns.kind, tier=ns.tier, owner=owner, overrides=ns.quota_overrides,
                              path=owner if ns.kind == ManagedNamespace.Kind.PERSONAL else ns.name,
                              members=(Member(owner, 50),) if ns.owner and ns.owner.is_active else (),
                              suspended=ns.stage in SUSPENDED_STAGES))
    return tenants


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
    return [obj for kind in KINDS if scope is not None or kind != "Namespace"
            for obj in kube.list_labelled(kind, selector)]


# --- applying ------------------------------------------------------------------------------------------------------

def _record_memberships(tenants: list[Tenant], config: TenancyConfig) -> None:
    """Store who holds which role in each rendered tenant, changing only the rows that differ."""
    ids = dict(ManagedNamespace.objects.filter(name__in=[t.name for t in tenants]).values_list("name", "pk"))
    wanted = {(ids[t.name], username, role) for t in tenants if t.name in ids
              for role, usernames in role_subjects(t.members, config.role_for_level).items() for username in usernames}
    stored = {(ns, username, role): pk for pk, ns, username, role in
              Membership.objects.filter(namespace_id__in=ids.values())
              .values_list("pk", "namespace_id", "username", "role")}
    with transaction.atomic():
        Membership.objects.filter(pk__in=[pk for row, pk in stored.items() if row not in wanted]).delete()
        Membership.objects.bulk_create([Membership(namespace_id=ns, username=username, role=role)
                                        for ns, username, role in wanted - stored.keys()])


def _apply(kube: KubeCluster, plan: Plan, trigger: str, progress: Callable[[int, int], None] | None,
           tenants: dict[str, str] | None = None) -> SyncResult:
    """Carry out the plan one object at a time; a failure is recorded and the run goes on. A create refused
    because the name is taken is a conflict: nothing else is written into a namespace that is not campus's."""
    result, known_conflicts, refused = SyncResult(plan=plan), open_conflicts(), set()
    for done, action in enumerate(plan.actions, 1):
        if action.namespace in refused:
            continue
        try:
            _apply_action(kube, action)
        except KubeError as error:
            if action.verb == "create" and error.status == 409:
                result.conflicts += 1
                if action.kind == "Namespace":
                    refused.add(action.name)
                record_conflict(action.kind, action.namespace, action.name, (tenants or {}).get(
                    action.namespace or action.name, "a tenant"), "left as it is; campus's own is not created",
                    trigger)
            else:
                result.failures.append(f"{action.describe()}: {error}")
                AuditEntry.objects.create(trigger=trigger, action="error", kind=action.kind,
                                          namespace=action.namespace or action.name, name=action.name,
                                          reason=f"{action.verb} failed: {error}"[:2000])
        else:
            result.applied += 1
            if action.key in known_conflicts:
                clear_conflict(*action.key)
            AuditEntry.objects.create(trigger=trigger, action="drift" if action.changed_by else action.verb,
                                      kind=action.kind, namespace=action.namespace or action.name, name=action.name,
                                      reason=action.reason[:2000])
        if progress:
            progress(done, len(plan.actions))
    if plan.held:
        result.held_plan = _hold(trigger, HeldPlan.Step.DELETE, plan.held_reason, [a.name for a in plan.held])
    if plan.held_removals:
        result.held_access = _hold(trigger, HeldPlan.Step.REMOVE_ACCESS, plan.removals_reason,
                                   sorted({r.namespace for r in plan.held_removals}),
                                   [r.as_dict() for r in plan.held_removals])
    return result


def _hold(trigger: str, step: str, reason: str, namespaces: list[str], removals: list | None = None) -> HeldPlan:
    """One held plan per distinct decision: a resync every few minutes finds the same one waiting."""
    held = HeldPlan.objects.filter(status=HeldPlan.Status.HELD, step=step, namespaces=namespaces,
                                   removals=removals or []).first()
    if held is None:
        held = HeldPlan.objects.create(trigger=trigger, step=step, reason=reason, namespaces=namespaces,
                                       removals=removals or [])
        AuditEntry.objects.create(trigger=trigger, action="held", kind="Namespace" if removals is None else
                                  "RoleBinding", reason=f"held plan #{held.pk}: {reason}")
    return held


def _apply_action(kube: KubeCluster, action: Action) -> None:
    if action.verb == "delete":
        kube.delete(action.kind, action.namespace, action.name, uid=action.uid)
        if action.kind == "Namespace":
            _forget(action.name)
    elif action.verb == "update":
        _replace(kube, action)
    else:
        kube.create(action.obj)


def _replace(kube: KubeCluster, action: Action, attempts: int = 3) -> None:
    """Write campus's fields into the object as read. Controllers keep writing status (a quota's usage), so a
    409 means: read it again and, if it is still the same campus object, write into the fresh copy."""
    current = action.observed
    for attempt in range(attempts):
        try:
            kube.replace(replacement(action.obj, current))
            return
        except KubeError as error:
            if error.status != 409 or attempt == attempts - 1:
                raise
        current = kube.get(action.kind, action.namespace, action.name)
        if current is None or not is_managed(current) or current["metadata"].get("uid") != action.uid:
            raise KubeError(409, "Conflict", "replaced by an object campus does not own since it was read")


def _forget(name: str) -> None:
    """campus's records of a deleted namespace go; other capabilities are told to release what they hold."""
    record = ManagedNamespace.objects.select_related("owner").filter(name=name).first()
    if record is None:
        return
    record.delete()
    for receiver, error in namespace_reclaimed.send_robust(sender=ManagedNamespace, name=name, kind=record.kind,
                                                           owner=record.owner.username if record.owner else ""):
        if error is not None:
            log.error("releasing %s failed in %s: %s", name, getattr(receiver, "__name__", receiver), error)


# --- entry points --------------------------------------------------------------------------------------------------

def _guards(scoped: bool, approved_removals: frozenset[Removal]) -> Guards:
    """A partial (webhook) run measures its guards against everything campus manages, not only its scope."""
    if not scoped:
        return Guards(approved_removals=approved_removals, own_managers=OWN_MANAGERS)
    return Guards(approved_removals=approved_removals, own_managers=OWN_MANAGERS,
                  managed_namespaces=ManagedNamespace.objects.count(), bound_subjects=Membership.objects.count())


def reconcile(read: GitLabRead, trigger: str, *, scope_entities: dict[EntityKey, str] | None = None,
              dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
              lock_wait_seconds: float = 0, approved_removals: frozenset[Removal] = frozenset()) -> SyncResult:
    """Bring Kubernetes in line with `read`. `scope_entities`: a webhook's partial read (None: everything)."""
    config = tenancy_config()
    kube = kube_cluster()
    try:
        with sync_lock(lock_wait_seconds):
            namespaces, foreign = _namespaces(kube, config, trigger, scope_entities is None, dry_run)
            entities = scope_entities if scope_entities is not None else gitlab_entities(
                read.groups, read.projects, settings.CAMPUS_GITLAB_ROOTS, config.include_projects)
            stored = stored_names()
            names = assign_names(entities.items(), stored, config, unavailable=foreign)
            gone = {ns.name for key, ns in _gitlab_records().items() if key in read.absent}
            if not dry_run:
                report_avoided(entities, names, stored, foreign, config, trigger)
                with transaction.atomic():
                    _record_names(entities, names, config)
            tenants = _gitlab_tenants(read, names, entities, config)
            scope = None
            if scope_entities is not None:
                scope = {names[k] for k in entities} | gone
            else:
                tenants += _owned_tenants()
            if scope is not None and not scope:
                return SyncResult(plan=Plan())  # nothing campus manages is affected
            desired = [obj for tenant in tenants for obj in render(tenant, config)]
            plan = make_plan(desired, namespaces + _contents(kube, scope), complete=read.complete, config=config,
                             scope=scope, reasons=_reasons(tenants),
                             guards=_guards(scope is not None, approved_removals))
            if dry_run:
                return SyncResult(plan=plan, incomplete=list(read.missing), kube_calls=dict(kube.calls))
            result = _apply(kube, plan, trigger, progress, _reasons(tenants))
            unread = {names[EntityKey(*entity)] for entity in read.unreadable_members if EntityKey(*entity) in names}
            _record_memberships(_settled(tenants, plan, unread), config)
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


def handle_event(event: GitLabEvent) -> None:
    """Re-read the entity the event names from GitLab (never trusting the payload) and reconcile it."""
    if event.event_name in FULL_SYNC_EVENTS:
        full_sync(trigger=f"webhook:{event.pk}")
        return
    if event.event_name == "user_create":
        return  # a new user has no memberships yet
    entity = affected_entity(event.payload)
    result = reconcile_gitlab_entity(entity.kind, entity.gitlab_id, f"webhook:{event.pk}")
    if result.failures:
        raise RuntimeError(f"{len(result.failures)} change(s) failed, first: {result.failures[0]}")


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
    entities = gitlab_entities(read.groups, read.projects, settings.CAMPUS_GITLAB_ROOTS, config.include_projects)
    return reconcile(read, trigger, scope_entities=entities, lock_wait_seconds=EVENT_LOCK_WAIT)


def apply_recorded_namespace(namespace: ManagedNamespace, trigger: str) -> SyncResult:
    """Re-apply one namespace after campus changed its record (tier, overrides): owned ones from the record,
    GitLab ones with a fresh read of their entity."""
    if namespace.kind in ManagedNamespace.OWNED_KINDS:
        return sync_owned_namespaces({namespace.name}, trigger)
    return reconcile_gitlab_entity(namespace.kind, namespace.gitlab_id, trigger)


# --- personal namespaces and held plans ------------------------------------------------------------------------------

def ensure_personal_namespace(user: User) -> ManagedNamespace:
    """The student's personal namespace record (created on first sign-in); the objects follow on the next sync."""
    existing = ManagedNamespace.objects.filter(kind="personal", owner=user).first()
    if existing:
        return existing
    config = tenancy_config()
    key = EntityKey("personal", user.pk)
    name = assign_names([(key, user.username)], stored_names(), config)[key]
    return ManagedNamespace.objects.create(name=name, kind="personal", owner=user, gitlab_path=user.username,
                                           expires_on=_first_expiry("personal"),
                                           tier=config.default_tier["personal"])


def _apply_tenants(tenants_of: Callable[[], list[Tenant]], trigger: str) -> SyncResult:
    """Render and apply the tenants `tenants_of` returns (read after names taken in the cluster were given up),
    touching nothing else."""
    config = tenancy_config()
    kube = kube_cluster()
    try:
        namespaces, _foreign = _namespaces(kube, config, trigger, everything=False)
        tenants = tenants_of()
        scope = {t.name for t in tenants}
        desired = [obj for tenant in tenants for obj in render(tenant, config)]
        plan = make_plan(desired, namespaces + _contents(kube, scope), complete=True, config=config, scope=scope,
                         reasons=_reasons(tenants), guards=Guards(own_managers=OWN_MANAGERS))
        result = _apply(kube, plan, trigger, None, _reasons(tenants))
        _record_memberships(_settled(tenants, plan), config)
        return result
    finally:
        kube.close()


def sync_owned_namespaces(names: set[str], trigger: str) -> SyncResult:
    """Apply personal or requested namespaces now (first sign-in, an approved request), touching nothing else.
    `names` are the records' names when the caller read them."""
    pks = set(ManagedNamespace.objects.filter(name__in=names).values_list("pk", flat=True))
    return _apply_tenants(lambda: _owned_tenants(pks=pks), trigger)


def _recorded_gitlab_tenant(namespace: ManagedNamespace, config: TenancyConfig) -> Tenant:
    """A GitLab namespace as campus last applied it: its record and stored Membership rows, no GitLab read."""
    level_of = {}
    for level, role in sorted(config.role_for_level.items(), reverse=True):
        level_of[role] = level  # the lowest level mapped to each role renders that role again
    members = tuple(Member(username, level_of[role]) for username, role in
                    namespace.memberships.values_list("username", "role") if role in level_of)
    return Tenant(name=namespace.name, kind=namespace.kind, path=namespace.gitlab_path, gitlab_id=namespace.gitlab_id,
                  tier=namespace.tier, overrides=namespace.quota_overrides, members=members,
                  suspended=namespace.stage in SUSPENDED_STAGES)


def apply_stage(namespace: ManagedNamespace, trigger: str) -> SyncResult:
    """Re-apply one namespace after its lifecycle stage changed (quota and roles follow the stage), from campus's
    records alone so that suspending never waits on GitLab. Holds the sync lock, so a sync that read the old stage
    cannot apply it afterwards."""
    with sync_lock(EVENT_LOCK_WAIT):
        if namespace.kind in ManagedNamespace.OWNED_KINDS:
            return _apply_tenants(lambda: _owned_tenants(pks={namespace.pk}), trigger)

        def recorded() -> list[Tenant]:
            namespace.refresh_from_db(fields=["name"])  # renamed if its name was taken in the cluster
            return [_recorded_gitlab_tenant(namespace, tenancy_config())]

        return _apply_tenants(recorded, trigger)


def decide_held_plan(held: HeldPlan, approve: bool, admin: User | None) -> int:
    """Approve or discard a held plan; returns how many changes were carried out now. A sync's deletions are
    carried out at once (as far as campus still owns the namespaces in the cluster); approved access removals are
    applied by a resync that lets exactly those through; an approved reclaim plan lets the next reclaim run go past
    its guard."""
    if held.status != HeldPlan.Status.HELD:
        raise ValueError(f"held plan #{held.pk} was already {held.status}")
    trigger = f"admin:{admin.username if admin else 'cli'}"
    done = 0
    if approve and held.step == HeldPlan.Step.DELETE:
        done = _delete_held_namespaces(held, trigger)
    elif approve and held.step == HeldPlan.Step.REMOVE_ACCESS:
        done = full_sync(trigger, approved_removals=frozenset(Removal(**r) for r in held.removals)).applied
    held.status = HeldPlan.Status.APPROVED if approve else HeldPlan.Status.DISCARDED
    held.decided_by, held.decided_at = admin, timezone.now()
    held.save()
    return done


def _delete_held_namespaces(held: HeldPlan, trigger: str) -> int:
    kube = kube_cluster()
    try:
        actions = []
        for name in held.namespaces:
            current = kube.get("Namespace", "", name)
            if current and is_managed(current) and ManagedNamespace.objects.filter(name=name).exists():
                actions.append(Action("delete", "Namespace", "", name, f"approved held plan #{held.pk}",
                                      uid=current["metadata"]["uid"]))
        return _apply(kube, Plan(actions=actions), trigger, progress=None).applied
    finally:
        kube.close()
