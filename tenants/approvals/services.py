"""Namespace and quota requests: submitted by users, decided by policy or by an admin, applied by the engine.

Every decision is audited and mailed to the requester. Applying happens after the commit, in the background;
if the cluster is unreachable then, the periodic resync applies what the records say.
"""

import logging
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tenants.approvals.rules import (
    auto_approved,
    namespace_request_errors,
    quota_request_errors,
    requested_namespace_name,
)
from tenants.infra import audit, mail
from tenants.infra.background import after_commit
from tenants.infra.settings import auto_approved_namespaces, public_url, tenancy_config, terms
from tenants.lifecycle.rules import term_end
from tenants.models import ManagedNamespace, Membership, NamespaceRequest
from tenants.tenancy.reconcile import apply_recorded_namespace
from tenants.tenancy.records import create_namespace

log = logging.getLogger(__name__)
Kind, Status = NamespaceRequest.Kind, NamespaceRequest.Status


def semester_end(today: date) -> date:
    return term_end(today, terms(today))


def _taken_names() -> set[str]:
    pending = NamespaceRequest.objects.filter(kind=Kind.NAMESPACE, status=Status.PENDING).values_list("name", flat=True)
    return set(ManagedNamespace.objects.values_list("name", flat=True)) | set(pending)


def submit_namespace_request(user: User, *, name: str, purpose: str, course: str,
                             end_date: date | None) -> NamespaceRequest:
    """Queue a request for a project namespace; approve it at once when policy allows."""
    config, today = tenancy_config(), timezone.localdate()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one submission per user at a time: the limit holds
        errors = namespace_request_errors(name, purpose, end_date, taken=_taken_names(), today=today,
                                          latest_end=semester_end(today), config=config)
        if errors:
            raise ValidationError(errors)
        request = NamespaceRequest.objects.create(
            kind=Kind.NAMESPACE, requester=user, name=requested_namespace_name(name, config),
            purpose=purpose.strip(), course=course.strip(), end_date=end_date)
        owned = ManagedNamespace.objects.filter(owner=user, kind=ManagedNamespace.Kind.REQUESTED).count()
        if auto_approved(owned, auto_approved_namespaces()):
            _decide(request, approve=True, admin=None, comment="Approved automatically: within the student policy.")
        return request


def can_request_quota(user: User, namespace: ManagedNamespace) -> bool:
    """Owners and members with the admin role speak for a namespace."""
    if namespace.owner_id == user.pk and namespace.kind in ManagedNamespace.OWNED_KINDS:
        return True
    return Membership.objects.filter(namespace=namespace, username=user.username, role="admin").exists()


def submit_quota_request(user: User, namespace: ManagedNamespace, *, tier: str, quota_values: dict[str, str],
                         justification: str) -> NamespaceRequest:
    """Queue a request for another tier or single quota values; an admin always decides."""
    if not can_request_quota(user, namespace):
        raise ValidationError({"namespace": ["Only the namespace's owner or admins can ask for more quota."]})
    errors = quota_request_errors(tier, quota_values, justification, tenancy_config().tiers)
    if errors:
        raise ValidationError(errors)
    return NamespaceRequest.objects.create(kind=Kind.QUOTA, requester=user, namespace=namespace, tier=tier,
                                           quota_values=dict(quota_values), justification=justification.strip())


def decide_request(request: NamespaceRequest, *, approve: bool, admin: User, comment: str) -> NamespaceRequest:
    """An admin's decision; a denial needs a comment, and a decided request stays decided."""
    if not approve and not comment.strip():
        raise ValidationError({"comment": ["Say why the request is denied."]})
    with transaction.atomic():
        request = NamespaceRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != Status.PENDING:
            raise ValidationError({"status": [f"This request was already {request.status}."]})
        if approve and request.kind == Kind.NAMESPACE and request.name in set(
                ManagedNamespace.objects.values_list("name", flat=True)):
            raise ValidationError({"name": [f"{request.name!r} has been taken meanwhile; deny and ask for another."]})
        return _decide(request, approve=approve, admin=admin, comment=comment.strip())


def _decide(request: NamespaceRequest, *, approve: bool, admin: User | None, comment: str) -> NamespaceRequest:
    if approve:
        namespace = _grant(request)
        after_commit(apply_recorded_namespace, namespace, f"request:{request.pk}")
    request.status = Status.APPROVED if approve else Status.DENIED
    request.decided_by, request.decided_at = admin, timezone.now()
    request.decision_comment, request.auto_approved = comment, admin is None
    request.save()
    audit.record(audit.Action.APPROVE if approve else audit.Action.DENY,
                 trigger=f"admin:{admin.username}" if admin else "policy", kind="NamespaceRequest",
                 namespace=request.namespace.name if request.namespace else request.name, name=str(request.pk),
                 reason=f"{request.kind} request by {request.requester}: {comment}")
    transaction.on_commit(lambda: _mail_decision(request))
    return request


def _grant(request: NamespaceRequest) -> ManagedNamespace:
    if request.kind == Kind.NAMESPACE:
        request.namespace = create_namespace(request.name, ManagedNamespace.Kind.REQUESTED, owner=request.requester,
                                             requested_end=request.end_date)
        return request.namespace
    namespace = request.namespace
    if request.tier:
        namespace.tier = request.tier
    namespace.quota_overrides = {**namespace.quota_overrides, **request.quota_values}
    namespace.save(update_fields=["tier", "quota_overrides", "updated_at"])
    return namespace


def _mail_decision(request: NamespaceRequest) -> None:
    if not request.requester.email:
        return
    what = (f"the project namespace {request.name}" if request.kind == Kind.NAMESPACE
            else f"more quota for {request.namespace.name}")
    verdict = "approved" if request.status == Status.APPROVED else "denied"
    mail.send("request_decided", {"request": request, "what": what, "verdict": verdict,
                                  "requests_url": f"{public_url()}{reverse('requests')}"},
              [request.requester.email])  # a failed mail leaves the decision standing; the portal shows it
