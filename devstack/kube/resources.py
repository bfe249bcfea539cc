"""The served resource types and the discovery documents kubectl reads to find them."""

from devstack.kube.contracts import ApiError, Resource
from devstack.kube.scale import WITH_SCALE

_CRUD = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_CREATE_ONLY = ("create",)

RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "namespaces", "Namespace", False, ("ns",), ("create", "delete", "get", "list", "patch",
                                                                     "update", "watch")),
    Resource("", "v1", "pods", "Pod", True, ("po",)),
    Resource("", "v1", "services", "Service", True, ("svc",), ("create", "delete", "deletecollection", "get", "list",
                                                               "patch", "update", "watch")),
    Resource("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    Resource("", "v1", "secrets", "Secret", True),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ("sa",)),
    Resource("", "v1", "resourcequotas", "ResourceQuota", True, ("quota",)),
    Resource("", "v1", "limitranges", "LimitRange", True, ("limits",)),
    Resource("", "v1", "events", "Event", True, ("ev",)),
    Resource("", "v1", "nodes", "Node", False, ("no",)),
    Resource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True, ("netpol",)),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",)),
    Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
    Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
    Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    Resource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
             False),
    Resource("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration",
             False),
    Resource("apps", "v1", "deployments", "Deployment", True, ("deploy",)),
    # Served (always empty unless someone writes one) because `kubectl describe deployment` lists them.
    Resource("apps", "v1", "replicasets", "ReplicaSet", True, ("rs",)),
    Resource("batch", "v1", "jobs", "Job", True),
    Resource("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", False, (), _CREATE_ONLY),
    Resource("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", False, (), _CREATE_ONLY),
    Resource("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", False, (), _CREATE_ONLY),
    Resource("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False, (),
             _CREATE_ONLY),
    Resource("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False, (),
             _CREATE_ONLY),
)

# Which resources have a /status subresource (status is written there, ignored on the main resource).
WITH_STATUS = frozenset({"namespaces", "nodes", "pods", "services", "resourcequotas", "deployments", "replicasets",
                         "jobs", "ingresses"})

# The resources `kubectl get all` shows (their discovery entries carry the "all" category).
IN_CATEGORY_ALL = frozenset({"pods", "services", "deployments", "replicasets", "jobs"})

_BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND = {(r.api_version, r.kind): r for r in RESOURCES}


def is_review(resource: Resource) -> bool:
    return resource.verbs == _CREATE_ONLY


def by_path(group: str, version: str, plural: str) -> Resource:
    try:
        return _BY_PATH[(group, version, plural)]
    except KeyError:
        raise ApiError(404, "NotFound", "the server could not find the requested resource") from None


def by_kind(api_version: str, kind: str) -> Resource:
    try:
        return _BY_KIND[(api_version, kind)]
    except KeyError:
        raise ApiError(400, "BadRequest", f'no kind "{kind}" is registered for version "{api_version}"') from None


def groups() -> dict[str, list[str]]:
    """Named API groups (the core group excluded) -> their served versions."""
    served: dict[str, list[str]] = {}
    for resource in RESOURCES:
        if resource.group and resource.version not in served.setdefault(resource.group, []):
            served[resource.group].append(resource.version)
    return served


def version_info() -> dict:
    return {"major": "1", "minor": "32", "gitVersion": "v1.32.0-campus-devstack", "gitCommit": "devstack",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0",
            "compiler": "gc", "platform": "linux/amd64"}


def core_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}


def group_list() -> dict:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(name, versions)
                                                                    for name, versions in groups().items()]}


def group_document(name: str) -> dict:
    versions = groups().get(name)
    if versions is None:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)}


def resource_list(group: str, version: str) -> dict:
    """The APIResourceList at /api/v1 or /apis/<group>/<version>."""
    served = [r for r in RESOURCES if r.group == group and r.version == version]
    if not served:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    entries = []
    for resource in served:
        entry = {"name": resource.plural, "singularName": resource.kind.lower(), "namespaced": resource.namespaced,
                 "kind": resource.kind, "verbs": list(resource.verbs)}
        if resource.short_names:
            entry["shortNames"] = list(resource.short_names)
        if resource.plural in IN_CATEGORY_ALL:
            entry["categories"] = ["all"]
        entries.append(entry)
        if resource.plural in WITH_SCALE:
            entries.append({"name": f"{resource.plural}/scale", "singularName": "", "namespaced": True,
                            "group": "autoscaling", "version": "v1", "kind": "Scale",
                            "verbs": ["get", "patch", "update"]})
        if resource.plural == "pods":
            entries.append({"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod",
                            "verbs": ["get"]})
        if resource.plural in WITH_STATUS:
            entries.append({"name": f"{resource.plural}/status", "singularName": "",
                            "namespaced": resource.namespaced, "kind": resource.kind,
                            "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": entries}


def _group(name: str, versions: list[str]) -> dict:
    listed = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": listed, "preferredVersion": listed[0]}
