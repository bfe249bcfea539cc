"""Which campus roles a set of LDAP groups grants. Pure."""

ROLES = ("student", "staff", "admin")


def normalize_dn(dn: str) -> str:
    """DNs compare case-insensitively and ignore spaces around separators."""
    return ",".join("=".join(part.strip() for part in rdn.split("=", 1)) for rdn in dn.split(",")).lower()


def roles_for(group_dns: frozenset[str] | set[str], role_groups: dict[str, list[str]]) -> set[str]:
    member_of = {normalize_dn(dn) for dn in group_dns}
    return {role for role, dns in role_groups.items() if member_of & {normalize_dn(dn) for dn in dns}}
