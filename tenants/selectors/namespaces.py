"""Reads for the portal's pages (writes live in services such as tenants.access.tokens)."""

from django.contrib.auth.models import User
from django.db.models import F, FilteredRelation, Q, QuerySet

from tenants.models import AccessToken, ManagedNamespace, Membership, NamespaceRequest
from tenants.tenancy.usage import bars


def tokens_of(user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user).order_by("-created_at")


def default_namespace_of(user: User) -> str:
    """The namespace a fresh kubeconfig points at: the user's personal one, if it exists yet."""
    return (ManagedNamespace.objects.filter(owner=user, kind=ManagedNamespace.Kind.PERSONAL)
            .values_list("name", flat=True).first() or "")


def _role_in(namespace: ManagedNamespace, user: User, member_role: str | None) -> str:
    if namespace.owner_id == user.pk and namespace.kind in ManagedNamespace.OWNED_KINDS:
        return "admin"
    return member_role or ""


def namespaces_of(user: User) -> list[dict]:
    """Every namespace the user can use, with their role and usage: one query however many there are."""
    owned = Q(owner=user, kind__in=ManagedNamespace.OWNED_KINDS)
    namespaces = (ManagedNamespace.objects
                  .annotate(mine=FilteredRelation("memberships", condition=Q(memberships__username=user.username)))
                  .filter(Q(mine__isnull=False) | owned).annotate(member_role=F("mine__role"))
                  .select_related("usage").order_by("kind", "name"))
    rows = []
    for namespace in namespaces:
        usage = getattr(namespace, "usage", None)
        rows.append({"namespace": namespace, "role": _role_in(namespace, user, namespace.member_role),
                     "bars": bars(usage.hard, usage.used) if usage else [], "usage": usage})
    return rows


def visible_namespace(user: User, name: str) -> ManagedNamespace | None:
    """The namespace if the user may see it (a member, its owner, or an admin); None hides whether it exists."""
    namespace = ManagedNamespace.objects.select_related("usage", "owner").filter(name=name).first()
    if namespace is None or user.is_staff or namespace_role(user, namespace):
        return namespace
    return None


def namespace_role(user: User, namespace: ManagedNamespace) -> str:
    role = Membership.objects.filter(username=user.username, namespace=namespace).values_list("role", flat=True)
    return _role_in(namespace, user, role.first())


def members_of(namespace: ManagedNamespace) -> list[Membership]:
    return list(namespace.memberships.order_by("role", "username"))


def requests_of(user: User) -> QuerySet[NamespaceRequest]:
    return NamespaceRequest.objects.filter(requester=user).select_related("namespace", "decided_by")


def administered_namespaces(user: User) -> list[str]:
    """Names of the namespaces the user may ask more quota for: owned ones and those they administer."""
    owned = ManagedNamespace.objects.filter(owner=user, kind__in=ManagedNamespace.OWNED_KINDS)
    administered = ManagedNamespace.objects.filter(memberships__username=user.username, memberships__role="admin")
    return sorted(set(owned.values_list("name", flat=True)) | set(administered.values_list("name", flat=True)))


def pending_requests() -> QuerySet[NamespaceRequest]:
    return (NamespaceRequest.objects.filter(status=NamespaceRequest.Status.PENDING)
            .select_related("requester", "namespace").order_by("created_at"))


def decided_requests(limit: int = 20) -> QuerySet[NamespaceRequest]:
    return (NamespaceRequest.objects.exclude(status=NamespaceRequest.Status.PENDING)
            .select_related("requester", "namespace", "decided_by").order_by("-decided_at")[:limit])
