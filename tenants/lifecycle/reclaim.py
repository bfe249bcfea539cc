"""The reclamation run (`manage.py reclaim`, daily): refresh expiry dates, warn owners, suspend, archive, delete.

Reads everything in a few queries, plans with the pure `tenants.lifecycle.rules`, then carries out the plan step by
step. Each warning is recorded before it is sent (exactly once); each stage step is idempotent and the stage
is stored when it is done, so a run interrupted anywhere is finished by the next.
"""

import logging
from collections import defaultdict
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tenants.infra import audit, mail
from tenants.infra.kube import KubeCluster, KubeError
from tenants.infra.locks import sync_lock
from tenants.infra.settings import archive_dir, expiry_policy, grace_days, kube_cluster, public_url, reclaim_limits
from tenants.lifecycle import stages
from tenants.lifecycle.extension import extension_link_token
from tenants.lifecycle.rules import NamespaceState, ReclaimPlan, plan_reclaim
from tenants.models import ExpiryWarning, HeldPlan, ManagedNamespace, Membership

log = logging.getLogger(__name__)
STEP_FOR_HELD = {"suspend": HeldPlan.Step.SUSPEND, "delete": HeldPlan.Step.RECLAIM}


def namespace_states() -> list[NamespaceState]:
    """Every managed namespace as plain data: two queries, however many there are."""
    sent = defaultdict(set)
    for namespace_id, days in ExpiryWarning.objects.values_list("namespace_id", "days_before"):
        sent[namespace_id].add(days)
    return [NamespaceState(
        name=row["name"], kind=row["kind"], stage=row["stage"], created_on=timezone.localdate(row["created_at"]),
        expires_on=row["expires_on"], expiry_override=row["expiry_override"], requested_end=row["requested_end"],
        last_activity=timezone.localdate(row["last_activity_at"]) if row["last_activity_at"] else None,
        stage_changed_at=row["stage_changed_at"], warnings_sent=frozenset(sent[row["pk"]]))
        for row in ManagedNamespace.objects.values("pk", "name", "kind", "stage", "created_at", "expires_on",
                                                   "expiry_override", "requested_end", "last_activity_at",
                                                   "stage_changed_at")]


def approved_steps() -> dict[str, set[str]]:
    """Namespaces an admin let past the guard. An approval only matters while its namespaces wait for that step;
    once they moved on, the next stage is guarded afresh."""
    approved: dict[str, set[str]] = defaultdict(set)
    for plan in HeldPlan.objects.filter(status=HeldPlan.Status.APPROVED, step__in=list(STEP_FOR_HELD.values())):
        step = "suspend" if plan.step == HeldPlan.Step.SUSPEND else "delete"
        approved[step] |= set(plan.namespaces)
    return approved


def plan(now: datetime | None = None) -> ReclaimPlan:
    now = now or timezone.now()
    return plan_reclaim(namespace_states(), now, expiry_policy(timezone.localdate(now)), reclaim_limits(),
                        approved_steps())


def reclaim(now: datetime | None = None) -> ReclaimPlan:
    """One reclamation pass at `now` (injectable for tests)."""
    now = now or timezone.now()
    with sync_lock():
        reclaim_plan = plan(now)
        _store_expiry(reclaim_plan.expiry)
        kube = kube_cluster()
        try:
            for name, days in reclaim_plan.warnings:
                _warn(kube, name, days, now)
            for name, step in reclaim_plan.steps:
                _step(kube, name, step)
        finally:
            kube.close()
        _hold(reclaim_plan.held)
    return reclaim_plan


def _store_expiry(changes: dict) -> None:
    """New expiry dates; a date that moved later (activity) starts its warnings afresh."""
    for ns in ManagedNamespace.objects.filter(name__in=changes):
        later = ns.expires_on is not None and changes[ns.name] > ns.expires_on
        ns.expires_on = changes[ns.name]
        if later:
            ExpiryWarning.objects.filter(namespace=ns).delete()
            ns.stage = ManagedNamespace.Stage.ACTIVE
        ns.save(update_fields=["expires_on", "stage", "updated_at"])


def owner_emails(ns: ManagedNamespace) -> list[str]:
    if ns.kind in ManagedNamespace.OWNED_KINDS:
        return [ns.owner.email] if ns.owner and ns.owner.email else []
    admins = Membership.objects.filter(namespace=ns, role="admin").values_list("username", flat=True)
    return sorted(User.objects.filter(username__in=list(admins)).exclude(email="").values_list("email", flat=True))


def _warn(kube: KubeCluster, name: str, days: int, now: datetime) -> None:
    ns = ManagedNamespace.objects.select_related("owner").get(name=name)
    try:
        with transaction.atomic():
            ExpiryWarning.objects.create(namespace=ns, days_before=days, sent_at=now)
            ns.stage = ManagedNamespace.Stage.WARNED
            ns.save(update_fields=["stage", "updated_at"])
            audit.namespace_event(audit.Action.WARN, name, f"expires on {ns.expires_on}: {days}-day warning", "reclaim")
    except IntegrityError:
        return  # another run sent this one
    link = f"{public_url()}{reverse('extend', args=[extension_link_token(ns)])}"
    mail.send("expiry_warning", {"name": name, "expires_on": ns.expires_on, "days": days, "link": link,
                                 "grace_days": grace_days()}, owner_emails(ns))
    _event(kube, name, days, ns.expires_on, now)


def _event(kube: KubeCluster, name: str, days: int, expires_on, now: datetime) -> None:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        kube.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"campus-expiry-{days}d-{expires_on}",
                                                                      "namespace": name},
                     "involvedObject": {"apiVersion": "v1", "kind": "Namespace", "name": name},
                     "reason": "CampusExpiryWarning", "type": "Warning", "source": {"component": "campus"},
                     "message": f"This namespace expires on {expires_on}; extend it in the campus portal.",
                     "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1})
    except KubeError as error:  # the mail is what counts; the event is a courtesy
        log.warning("expiry event in %s failed: %s", name, error)


def _step(kube: KubeCluster, name: str, step: str) -> None:
    ns = ManagedNamespace.objects.select_related("owner").filter(name=name).first()
    if ns is None:
        return
    try:
        if step == "suspend":
            stages.suspend(kube, ns)
        elif step == "archive":
            stages.archive(kube, ns, archive_dir())
        else:
            stages.delete_namespace(kube, ns)
    except (KubeError, stages.NotCampusManaged, RuntimeError, OSError) as error:  # one failure never stops the run
        log.warning("%s %s failed: %s", step, name, error)
        audit.failure(step, error, trigger="reclaim", kind="Namespace", namespace=name, name=name)


def _hold(held: dict[str, list[str]]) -> None:
    for step, names in held.items():
        kind = STEP_FOR_HELD[step]
        if HeldPlan.objects.filter(status=HeldPlan.Status.HELD, step=kind, namespaces=sorted(names)).exists():
            continue
        plan_ = HeldPlan.objects.create(trigger="reclaim", step=kind, namespaces=sorted(names),
                                        reason=f"{len(names)} namespaces would be {step}ed in one run")
        audit.record(audit.Action.HELD, trigger="reclaim", kind="Namespace",
                     reason=f"held plan #{plan_.pk}: {plan_.reason}")
