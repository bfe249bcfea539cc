"""campus's records of its namespaces: the one way to create one, names and paths from GitLab, and the tenants
rendered from records (personal and requested namespaces, a GitLab namespace as last applied)."""


from django.contrib.auth.models import User
from django.utils import timezone

from tenants.engine.config import TenancyConfig
from tenants.engine.desired import Tenant
from tenants.engine.gitlab_tenants import members_of
from tenants.engine.membership import Member
from tenants.engine.naming import EntityKey, assign_names
from tenants.infra.gitlab import GitLabRead
from tenants.infra.settings import expiry_policy, tenancy_config
from tenants.lifecycle.rules import NamespaceState, current_expiry
from tenants.models import ManagedNamespace
from tenants.tenancy.names import stored_names

SUSPENDED_STAGES = {ManagedNamespace.Stage.SUSPENDED, ManagedNamespace.Stage.ARCHIVED}


def create_namespace(name: str, kind: str, *, owner: User | None = None, gitlab_id: int | None = None,
                     gitlab_path: str = "", requested_end=None) -> ManagedNamespace:
    """The one way a namespace record comes to be: the kind's default tier, and an end date at once (the requested
    one, or the term's) so the portal shows it before the first reclaim pass."""
    return ManagedNamespace.objects.create(
        name=name, kind=kind, owner=owner, gitlab_id=gitlab_id, gitlab_path=gitlab_path,
        tier=tenancy_config().default_tier[kind], requested_end=requested_end,
        expires_on=requested_end or first_expiry(kind))


def gitlab_records() -> dict[tuple[str, int], ManagedNamespace]:
    return {(ns.kind, ns.gitlab_id): ns for ns in ManagedNamespace.objects.filter(gitlab_id__isnull=False)}


def record_names(entities: dict[EntityKey, str], names: dict[EntityKey, str]) -> None:
    """Store new names and current GitLab paths; a stored name never changes."""
    existing = gitlab_records()
    for key, path in entities.items():
        record = existing.get((key.kind, key.id))
        if record is None:
            create_namespace(names[key], key.kind, gitlab_id=key.id, gitlab_path=path)
        elif record.gitlab_path != path:
            record.gitlab_path = path
            record.save(update_fields=["gitlab_path", "updated_at"])


def first_expiry(kind: str):
    """A new namespace's end date, so the portal shows it at once (the daily reclaim pass keeps it current)."""
    today = timezone.localdate()
    return current_expiry(NamespaceState(name="", kind=kind, stage="active", created_on=today), expiry_policy(today))


def tenants_from_gitlab(read: GitLabRead, names: dict[EntityKey, str], entities: dict[EntityKey, str],
                    config: TenancyConfig) -> list[Tenant]:
    """Tier and overrides come from campus's record; an entity not recorded yet (a dry run) gets its defaults."""
    records = gitlab_records()
    tenants = []
    for key, path in entities.items():
        record = records.get((key.kind, key.id))
        tenants.append(Tenant(name=names[key], kind=key.kind, path=path, gitlab_id=key.id,
                              tier=record.tier if record else config.default_tier[key.kind],
                              overrides=record.quota_overrides if record else {},
                              members=members_of(read.members, key),
                              suspended=bool(record and record.stage in SUSPENDED_STAGES)))
    return tenants


def owned_tenants(pks: set[int] | None = None) -> list[Tenant]:
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


def recorded_gitlab_tenant(namespace: ManagedNamespace, config: TenancyConfig) -> Tenant:
    """A GitLab namespace as campus last applied it: its record and stored Membership rows, no GitLab read."""
    level_of = {}
    for level, role in sorted(config.role_for_level.items(), reverse=True):
        level_of[role] = level  # the lowest level mapped to each role renders that role again
    members = tuple(Member(username, level_of[role]) for username, role in
                    namespace.memberships.values_list("username", "role") if role in level_of)
    return Tenant(name=namespace.name, kind=namespace.kind, path=namespace.gitlab_path, gitlab_id=namespace.gitlab_id,
                  tier=namespace.tier, overrides=namespace.quota_overrides, members=members,
                  suspended=namespace.stage in SUSPENDED_STAGES)


def ensure_personal_namespace(user: User) -> ManagedNamespace:
    """The student's personal namespace record (created on first sign-in); the objects follow on the next sync."""
    existing = ManagedNamespace.objects.filter(kind="personal", owner=user).first()
    if existing:
        return existing
    config = tenancy_config()
    key = EntityKey("personal", user.pk)
    name = assign_names([(key, user.username)], stored_names(), config)[key]
    return create_namespace(name, ManagedNamespace.Kind.PERSONAL, owner=user, gitlab_path=user.username)
