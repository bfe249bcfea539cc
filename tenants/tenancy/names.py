"""campus's stored namespace names, and what happens when the cluster has a namespace of that name that campus
does not own: the tenant gets the next free name, and the other namespace is never touched."""

from tenants.engine.config import TenancyConfig
from tenants.engine.naming import EntityKey, assign_names, preferred_name
from tenants.models import ManagedNamespace
from tenants.tenancy.ownership import record_conflict


def entity_key(pk: int, kind: str, gitlab_id: int | None, owner_id: int | None) -> EntityKey:
    """How naming knows a stored namespace: by GitLab id, by owner (personal), or by campus's record."""
    if gitlab_id is not None:
        return EntityKey(kind, gitlab_id)
    if kind == ManagedNamespace.Kind.PERSONAL and owner_id is not None:
        return EntityKey(kind, owner_id)
    return EntityKey(f"{kind}-record", pk)


def stored_names() -> dict[EntityKey, str]:
    return {entity_key(pk, kind, gitlab_id, owner_id): name for pk, kind, gitlab_id, owner_id, name in
            ManagedNamespace.objects.values_list("pk", "kind", "gitlab_id", "owner_id", "name")}


def _naming_path(record: ManagedNamespace, config: TenancyConfig) -> str:
    if record.kind == ManagedNamespace.Kind.REQUESTED:
        return record.name.removeprefix(config.prefixes["requested"])
    return record.gitlab_path or record.name


def rename_taken(foreign: set[str], config: TenancyConfig, trigger: str) -> None:
    """Records whose name a namespace campus does not own has taken (created by hand, or campus's labels
    removed) get the next free name, so the tenant is served and the other namespace is left alone."""
    clashing = list(ManagedNamespace.objects.filter(name__in=foreign))
    if not clashing:
        return
    stored = stored_names()
    for record in clashing:
        key = entity_key(record.pk, record.kind, record.gitlab_id, record.owner_id)
        others = {k: v for k, v in stored.items() if k != key}
        naming_key = EntityKey(record.kind, key.id)  # the kind's prefix, the key's stable suffix
        new_name = assign_names([(naming_key, _naming_path(record, config))], others, config,
                                unavailable=foreign)[naming_key]
        record_conflict("Namespace", "", record.name, f"{record.kind} {record.gitlab_path or record.name}",
                        f"the tenant gets {new_name} instead", trigger)
        stored[key] = record.name = new_name
        record.save(update_fields=["name", "updated_at"])


def report_avoided(entities: dict[EntityKey, str], names: dict[EntityKey, str], stored: dict[EntityKey, str],
                   foreign: set[str], config: TenancyConfig, trigger: str) -> None:
    """New tenants whose natural name a namespace campus does not own holds: the desk learns why they got another."""
    for key, path in entities.items():
        wanted = preferred_name(key, path, config)
        if key not in stored and wanted in foreign and names[key] != wanted:
            record_conflict("Namespace", "", wanted, f"{key.kind} {path}", f"the tenant gets {names[key]} instead",
                            trigger)
