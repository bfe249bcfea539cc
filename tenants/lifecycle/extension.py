"""Extending a namespace's life: from the portal or from the signed link in a warning mail."""

from datetime import date

from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.infra import audit
from tenants.infra.settings import expiry_policy, kube_cluster
from tenants.lifecycle.rules import extended_until, extension_refusal
from tenants.lifecycle.stages import reactivate
from tenants.models import ExpiryWarning, ManagedNamespace

LINK_SALT = "campus.extend"
LINK_MAX_AGE_DAYS = 60  # a warning's link outlives the grace period of the namespace it names


def extension_link_token(ns: ManagedNamespace) -> str:
    """Signed namespace id and current expiry: the link stops working once it has been used."""
    return signing.dumps({"ns": ns.pk, "until": ns.expires_on.isoformat()}, salt=LINK_SALT, compress=True)


def namespace_for_link(token: str) -> ManagedNamespace:
    """The namespace a link extends; ValidationError when it is forged, expired or already used."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Extend the namespace from the portal instead.") from None
    except signing.BadSignature:
        raise ValidationError("This link is not valid. Extend the namespace from the portal instead.") from None
    ns = ManagedNamespace.objects.filter(pk=data.get("ns")).first()
    if ns is None:
        raise ValidationError("This namespace no longer exists.")
    if ns.expires_on is None or ns.expires_on.isoformat() != data.get("until"):
        raise ValidationError(f"This link was already used: {ns.name} now ends on {ns.expires_on}.")
    return ns


def extension_problem(ns: ManagedNamespace) -> str | None:
    if ns.stage == ManagedNamespace.Stage.ARCHIVED:
        return "This namespace has been archived and is about to be deleted; ask an admin."
    if ns.expires_on is None:
        return "This namespace has no end date yet."
    return extension_refusal(ns.expires_on, ns.created_at.date(), ns.extensions_used,
                             expiry_policy(timezone.localdate()))


def extend_namespace(ns: ManagedNamespace, by: User | None, trigger: str) -> date:
    """Move the end date by the configured extension, within the limits; a suspended namespace comes back."""
    with transaction.atomic():
        ns = ManagedNamespace.objects.select_for_update().get(pk=ns.pk)
        problem = extension_problem(ns)
        if problem:
            raise ValidationError(problem)
        until = extended_until(ns.expires_on, ns.created_at.date(), expiry_policy(timezone.localdate()))
        ns.expiry_override = ns.expires_on = until
        ns.extensions_used += 1
        if ns.stage == ManagedNamespace.Stage.WARNED:
            ns.stage = ManagedNamespace.Stage.ACTIVE
        ns.save()
        ExpiryWarning.objects.filter(namespace=ns).delete()  # the new date gets its own warnings
        audit.namespace_event(audit.Action.EXTEND, ns.name, f"extended to {until} by "
                              f"{by.username if by else 'mail link'}", trigger)
    if ns.stage == ManagedNamespace.Stage.SUSPENDED or ns.suspended_state:  # or a reactivation cut short
        kube = kube_cluster()
        try:
            reactivate(kube, ns, trigger)
        finally:
            kube.close()
    return until
