"""The Kubernetes objects a tenant namespace should contain, rendered from plain data. Pure."""

from dataclasses import dataclass, field

from tenants.engine.config import COMPONENT_LABEL, LABEL_PREFIX, MANAGED_BY, TENANCY, TenancyConfig
from tenants.engine.membership import Member, role_subjects
from tenants.engine.tiers import effective

TENANT_LABEL = f"{LABEL_PREFIX}/tenant"
RBAC = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class Tenant:
    name: str
    kind: str  # personal, requested, group, project
    tier: str
    path: str = ""  # GitLab full path; the owner's username (personal) or the requested name
    gitlab_id: int | None = None
    owner: str = ""
    overrides: dict[str, str] = field(default_factory=dict)
    members: tuple[Member, ...] = ()
    suspended: bool = False  # expired: no pods may run and every member may only look


def _meta(tenant: Tenant, name: str, namespaced: bool = True) -> dict:
    meta = {"name": name, "labels": {MANAGED_BY[0]: MANAGED_BY[1], COMPONENT_LABEL: TENANCY, TENANT_LABEL: tenant.name}}
    if namespaced:
        meta["namespace"] = tenant.name
    return meta


def render_namespace(tenant: Tenant, config: TenancyConfig) -> dict:
    meta = _meta(tenant, tenant.name, namespaced=False)
    meta["labels"].update({
        f"{LABEL_PREFIX}/kind": tenant.kind, f"{LABEL_PREFIX}/tier": tenant.tier,
        **({f"{LABEL_PREFIX}/gitlab-id": str(tenant.gitlab_id)} if tenant.gitlab_id else {}),
        **{f"pod-security.kubernetes.io/{mode}": config.pod_security_level for mode in ("enforce", "warn", "audit")},
    })
    meta["annotations"] = {f"{LABEL_PREFIX}/path": tenant.path, f"{LABEL_PREFIX}/owner": tenant.owner}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def render_quota_and_limits(tenant: Tenant, config: TenancyConfig) -> list[dict]:
    tier = effective(config.tiers[tenant.tier], tenant.overrides)
    hard = {key: value for key, value in tier.quota.items() if not (key.endswith("gpu") and value == "0")}
    if tenant.suspended:
        hard["pods"] = "0"
    item: dict = {"type": "Container"}
    for key, value in sorted(tier.limits.items()):
        section, resource = key.split(".", 1)
        item.setdefault(section, {})[resource] = value
    return [
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta(tenant, "campus-quota"),
         "spec": {"hard": hard}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta(tenant, "campus-limits"),
         "spec": {"limits": [item]}},
    ]


def render_network_policy(tenant: Tenant, config: TenancyConfig) -> dict:
    """Ingress only from the namespace itself and the ingress controller's and monitoring namespaces."""
    allowed = sorted({*config.ingress_namespaces, *config.monitoring_namespaces})
    sources = [{"podSelector": {}}] + [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}} for ns in allowed]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(tenant, "campus-isolation"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": sources}]}}


def render_role_bindings(tenant: Tenant, config: TenancyConfig) -> list[dict]:
    """One RoleBinding per ClusterRole, all its users as subjects; a suspended namespace only has viewers."""
    roles = role_subjects(tenant.members, config.role_for_level)
    if tenant.suspended and roles:
        roles = {"view": sorted({user for users in roles.values() for user in users})}
    return [
        {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": _meta(tenant, f"campus-{role}"),
         "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
         "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user} for user in users]}
        for role, users in roles.items()
    ]


def render(tenant: Tenant, config: TenancyConfig) -> list[dict]:
    """Everything campus wants in the tenant's namespace, the Namespace first."""
    return [render_namespace(tenant, config), *render_quota_and_limits(tenant, config),
            render_network_policy(tenant, config), *render_role_bindings(tenant, config)]
