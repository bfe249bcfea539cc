"""Access rules: which campus roles a set of LDAP groups grants, and the kubeconfig a student downloads. Pure."""

import base64

import yaml

ROLES = ("student", "staff", "admin")


def normalize_dn(dn: str) -> str:
    """DNs compare case-insensitively and ignore spaces around separators."""
    return ",".join("=".join(part.strip() for part in rdn.split("=", 1)) for rdn in dn.split(",")).lower()


def roles_for(group_dns: frozenset[str] | set[str], role_groups: dict[str, list[str]]) -> set[str]:
    member_of = {normalize_dn(dn) for dn in group_dns}
    return {role for role, dns in role_groups.items() if member_of & {normalize_dn(dn) for dn in dns}}


def render_kubeconfig(cluster_name: str, server: str, ca_pem: str, username: str, token: str,
                      namespace: str = "") -> str:
    cluster = {"server": server}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem.encode()).decode()
    context = {"cluster": cluster_name, "user": username}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": username, "user": {"token": token}}],
        "contexts": [{"name": cluster_name, "context": context}],
        "current-context": cluster_name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)
