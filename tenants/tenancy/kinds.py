"""The Kubernetes kinds the tenancy engine writes, and those campus reads in tenants' namespaces (usage, the
namespace page, suspension, archives). Registered in `TenantsConfig.ready()`."""

from tenants.infra.kube import KindPath

TENANCY_KINDS = (
    KindPath("v1", "Namespace", "namespaces", False),
    KindPath("v1", "ResourceQuota", "resourcequotas", True),
    KindPath("v1", "LimitRange", "limitranges", True),
    KindPath("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", True),
    KindPath("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", True),
)
WORKLOAD_KINDS = (
    KindPath("v1", "Pod", "pods", True),
    KindPath("v1", "ConfigMap", "configmaps", True),
    KindPath("v1", "Secret", "secrets", True),
    KindPath("v1", "Service", "services", True),
    KindPath("v1", "ServiceAccount", "serviceaccounts", True),
    KindPath("v1", "Event", "events", True),
    KindPath("apps/v1", "Deployment", "deployments", True),
    KindPath("batch/v1", "Job", "jobs", True),
    KindPath("networking.k8s.io/v1", "Ingress", "ingresses", True),
    KindPath("rbac.authorization.k8s.io/v1", "Role", "roles", True),
)
