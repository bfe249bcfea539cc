"""The engine's configuration as plain data; `tenants.infra.settings` fills it from Django settings."""

from dataclasses import dataclass, field

from tenants.engine.tiers import DEFAULT_TIERS, Tier

MANAGED_BY = ("app.kubernetes.io/managed-by", "campus")
# Which part of campus wrote an object: each prunes and repairs only its own. Objects from before components had
# this label carry none, and were the tenancy engine's.
COMPONENT_LABEL = "app.kubernetes.io/component"
TENANCY = "tenancy"
LABEL_PREFIX = "campus.example"


@dataclass(frozen=True)
class TenancyConfig:
    prefixes: dict[str, str] = field(default_factory=lambda: {"personal": "u-", "group": "g-", "project": "p-",
                                                                      "requested": "r-"})
    reserved_names: frozenset[str] = frozenset({"default", "campus-system", "ingress-nginx", "monitoring",
                                                "cert-manager", "local-path-storage"})
    reserved_prefixes: tuple[str, ...] = ("kube-", "openshift-", "campus-")
    # GitLab access level -> ClusterRole (Reporter, Developer, Maintainer, Owner); Guest and Minimal get nothing.
    role_for_level: dict[int, str] = field(default_factory=lambda: {20: "view", 30: "edit", 40: "admin", 50: "admin"})
    tiers: dict[str, Tier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    default_tier: dict[str, str] = field(default_factory=lambda: {"personal": "student", "group": "course",
                                                                  "project": "student", "requested": "student"})
    pod_security_level: str = "restricted"
    ingress_namespaces: tuple[str, ...] = ("ingress-nginx",)
    monitoring_namespaces: tuple[str, ...] = ("monitoring",)
    include_projects: bool = True
    # The deletion guard: more namespace deletions than this (count, or share of campus's namespaces) are held.
    max_namespace_deletions: int = 10
    max_namespace_deletion_share: float = 0.10
    # The access guard: more subjects losing a role in one run than this (count, or share of everyone bound) are
    # held; up to `access_removals_always_allowed` always pass (people leave teams every day).
    max_access_removals: int = 50
    max_access_removal_share: float = 0.10
    access_removals_always_allowed: int = 5
