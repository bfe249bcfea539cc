"""Reads for the portal's pages (writes live in services such as tenants.access.tokens)."""

from django.contrib.auth.models import User
from django.db.models import F, FilteredRelation, Q, QuerySet

from tenants.engine.tiers import effective
from tenants.infra.settings import tenancy_config
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


def requests_listed(user: User, everyone: bool = False, status: str = "") -> QuerySet[NamespaceRequest]:
    """The API's request list: the user's own, or (an admin asking for all) everyone's; optionally one status."""
    listed = requests_of(user) if not (everyone and user.is_staff) else NamespaceRequest.objects.all()
    if status:
        listed = listed.filter(status=status)
    return listed.select_related("requester", "namespace")


def request_visible_to(user: User, request_id: int) -> NamespaceRequest | None:
    """A request its requester or an admin may see; None for anyone else (answered as 404)."""
    found = NamespaceRequest.objects.select_related("requester", "namespace").filter(pk=request_id).first()
    if found is None or not (user.is_staff or found.requester_id == user.pk):
        return None
    return found


def request_by_id(request_id: int) -> NamespaceRequest | None:
    return NamespaceRequest.objects.filter(pk=request_id).first()


def namespace_quota(namespace: ManagedNamespace) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(quota rows: key, granted, used; limits: key, value) for the namespace page, from its tier and overrides."""
    config = tenancy_config()
    if namespace.tier not in config.tiers:
        return [], []
    tier = effective(config.tiers[namespace.tier], namespace.quota_overrides)
    usage = getattr(namespace, "usage", None)
    used = usage.used if usage else {}
    return ([(key, value, used.get(key, "")) for key, value in sorted(tier.quota.items())],
            sorted(tier.limits.items()))
