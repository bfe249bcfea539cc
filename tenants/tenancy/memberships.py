"""Who holds which role where, as last applied: the portal reads it (dashboard, namespace page)."""


from django.db import transaction

from tenants.engine.config import TenancyConfig
from tenants.engine.desired import Tenant
from tenants.engine.membership import role_subjects
from tenants.models import ManagedNamespace, Membership


def record_memberships(tenants: list[Tenant], config: TenancyConfig) -> None:
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
