"""An admin's decision on a plan a guard held: deletions carried out, access removals let through, or neither."""


from django.contrib.auth.models import User
from django.utils import timezone

from tenants.engine.access import Removal
from tenants.engine.config import TENANCY
from tenants.engine.plan import Action, Plan, is_managed
from tenants.infra.kube import component
from tenants.infra.settings import kube_cluster
from tenants.models import HeldPlan, ManagedNamespace
from tenants.tenancy.apply import apply_plan
from tenants.tenancy.reconcile import full_sync


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
    kube = kube_cluster(component(TENANCY).field_manager)
    try:
        actions = []
        for name in held.namespaces:
            current = kube.get("Namespace", "", name)
            if current and is_managed(current) and ManagedNamespace.objects.filter(name=name).exists():
                actions.append(Action("delete", "Namespace", "", name, f"approved held plan #{held.pk}",
                                      uid=current["metadata"]["uid"]))
        return apply_plan(kube, Plan(actions=actions), trigger, progress=None).applied
    finally:
        kube.close()
