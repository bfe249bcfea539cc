"""RBAC as kube-apiserver's RBAC authorizer does it: Roles, ClusterRoles and their bindings read through the Store,
the system:masters group, ClusterRole aggregation, and the bootstrap ClusterRoles for the kinds this stand-in serves.
"""

from devstack.kube.contracts import ApiError, RequestAttributes, Resource, Store, UserInfo
from devstack.kube.identities import controller
from devstack.kube.selectors import match_label_selector_object

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"
MASTERS_GROUP = "system:masters"
AUTHENTICATED_GROUP = "system:authenticated"
UNAUTHENTICATED_GROUP = "system:unauthenticated"
AGGREGATE_LABEL = f"{RBAC_GROUP}/aggregate-to-"  # + admin | edit | view


def service_account_username(namespace: str, name: str) -> str:
    return f"system:serviceaccount:{namespace}:{name}"


def service_account_user(namespace: str, name: str, uid: str = "") -> UserInfo:
    """The identity a service account token stands for, with the groups the real token authenticator adds."""
    return UserInfo(service_account_username(namespace, name), uid,
                    ("system:serviceaccounts", f"system:serviceaccounts:{namespace}"))


# --- rule matching (RuleAllows and friends) -------------------------------------------------------

def _matches(values: list[str], wanted: str) -> bool:
    return "*" in values or wanted in values


def _resource_matches(rule_resources: list[str], resource: str, subresource: str) -> bool:
    combined = f"{resource}/{subresource}" if subresource else resource
    return any(item == "*" or item == combined or (subresource and item == f"*/{subresource}")
               for item in rule_resources)


def _url_matches(rule_urls: list[str], path: str) -> bool:
    return any(url == "*" or url == path or (url.endswith("*") and path.startswith(url.rstrip("*")))
               for url in rule_urls)


def rule_allows(rule: dict, attributes: RequestAttributes) -> bool:
    if not _matches(rule.get("verbs") or [], attributes.verb):
        return False
    if attributes.non_resource_path:
        return _url_matches(rule.get("nonResourceURLs") or [], attributes.non_resource_path)
    names = rule.get("resourceNames") or []
    return (_matches(rule.get("apiGroups") or [], attributes.api_group)
            and _resource_matches(rule.get("resources") or [], attributes.resource, attributes.subresource)
            and (not names or attributes.name in names))


def subject_applies(subject: dict, user: UserInfo, binding_namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return user.username == name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        # A RoleBinding may leave the namespace out: it then means the binding's own namespace.
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and user.username == service_account_username(namespace, name)
    return False


def _describe_subject(subject: dict) -> str:
    name = subject.get("name", "")
    if subject.get("kind") == "ServiceAccount" and subject.get("namespace"):
        name = f"{subject['namespace']}/{name}"
    return f'{subject.get("kind")} "{name}"'


# --- the authorizer -------------------------------------------------------------------------------

class RBACAuthorizer:
    """Allows what some binding of the user grants; denies everything else (there is no deny rule in RBAC).

    `store` may be set after construction: the server that owns the store is built from the Policy holding this.
    """

    def __init__(self, store: Store | None = None):
        self.store = store

    def _resource(self, kind: str) -> Resource:
        return self.store.resource_for(RBAC_API_VERSION, kind)

    def _role_rules(self, role_ref: dict, namespace: str) -> list[dict]:
        kind, name = role_ref.get("kind"), role_ref.get("name", "")
        try:
            role = self.store.get(self._resource(kind), namespace if kind == "Role" else "", name)
        except ApiError as error:
            if error.code != 404:
                raise
            raise LookupError(f'{kind.lower()}.{RBAC_GROUP} "{name}" not found') from None
        return role.get("rules") or []

    def role_reference_rules(self, role_ref: dict, namespace: str) -> list[dict]:
        """GetRoleReferenceRules as the RBAC registry resolves it: a missing role is the store's 404."""
        kind = role_ref.get("kind")
        if kind not in ("Role", "ClusterRole"):
            raise ApiError(500, "InternalError", f'Internal error occurred: unsupported role reference kind: "{kind}"')
        role = self.store.get(self._resource(kind), namespace if kind == "Role" else "", role_ref.get("name", ""))
        return role.get("rules") or []

    def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[dict], list[str]]:
        """RulesFor: every rule the user's bindings grant in `namespace` (cluster-wide ones only for ""), and the
        bindings whose role could not be found."""
        rules: list[dict] = []
        problems: list[str] = []
        where = RequestAttributes(user, "", namespace=namespace)
        for _description, binding, binding_namespace in self._bindings(where):
            if not any(subject_applies(s, user, binding_namespace) for s in binding.get("subjects") or []):
                continue
            try:
                rules.extend(self._role_rules(binding.get("roleRef") or {}, binding_namespace))
            except LookupError as error:
                problems.append(str(error))
        return rules, problems

    def _bindings(self, attributes: RequestAttributes):
        """(description prefix, binding, its namespace) in the order the real authorizer visits them."""
        for binding in self.store.list(self._resource("ClusterRoleBinding")):
            yield f'ClusterRoleBinding "{binding["metadata"]["name"]}"', binding, ""
        if attributes.namespace:
            for binding in self.store.list(self._resource("RoleBinding"), attributes.namespace):
                meta = binding["metadata"]
                yield f'RoleBinding "{meta["name"]}/{meta["namespace"]}"', binding, meta["namespace"]

    def authorize(self, attributes: RequestAttributes) -> tuple[bool, str]:
        if MASTERS_GROUP in attributes.user.groups:
            return True, ""
        errors: list[str] = []
        for description, binding, namespace in self._bindings(attributes):
            subject = next((s for s in binding.get("subjects") or [] if subject_applies(s, attributes.user, namespace)),
                           None)
            if subject is None:
                continue
            role_ref = binding.get("roleRef") or {}
            try:
                rules = self._role_rules(role_ref, namespace)
            except LookupError as error:
                errors.append(str(error))
                continue
            if any(rule_allows(rule, attributes) for rule in rules):
                return True, (f'RBAC: allowed by {description} of {role_ref.get("kind")} "{role_ref.get("name")}" '
                              f"to {_describe_subject(subject)}")
        if not errors:
            return False, ""
        return False, "RBAC: " + (errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")


# --- ClusterRole aggregation (the clusterrole-aggregation controller) -----------------------------

AGGREGATION_CONTROLLER = controller("clusterrole-aggregation-controller")


def aggregation_controller(event: str, resource: Resource, obj: dict, store: Store) -> None:
    """Rebuilds the rules of every aggregated ClusterRole from the ClusterRoles its selectors pick (sorted by name)."""
    if (resource.group, resource.plural) != (RBAC_GROUP, "clusterroles"):
        return
    roles = sorted(store.list(resource), key=lambda role: role["metadata"]["name"])
    for role in roles:
        selectors = (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        if not selectors:
            continue
        rules: list[dict] = []
        for source in roles:
            labels = source["metadata"].get("labels") or {}
            if source is role or not any(match_label_selector_object(selector, labels) for selector in selectors):
                continue
            rules.extend(rule for rule in source.get("rules") or [] if rule not in rules)
        if (role.get("rules") or []) != rules:
            store.update(resource, "", {**role, "rules": rules}, request=AGGREGATION_CONTROLLER)


# --- bootstrap policy -----------------------------------------------------------------------------

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


def _url_rule(urls: list[str], verbs: list[str]) -> dict:
    return {"nonResourceURLs": urls, "verbs": verbs}


def _cluster_role(name: str, rules: list[dict] | None = None, labels: dict | None = None,
                  aggregate_from: str = "") -> dict:
    role = {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", **(labels or {})},
                         "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
            "rules": rules or []}
    if aggregate_from:
        selector = {"matchLabels": {AGGREGATE_LABEL + aggregate_from: "true"}}
        role["aggregationRule"] = {"clusterRoleSelectors": [selector]}
    return role


def cluster_role_binding(name: str, role: str, subjects: list[dict], bootstrap: bool = False) -> dict:
    metadata: dict = {"name": name}
    if bootstrap:
        metadata["labels"] = {"kubernetes.io/bootstrapping": "rbac-defaults"}
        metadata["annotations"] = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    return {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRoleBinding", "metadata": metadata,
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role}, "subjects": subjects}


def group_subject(name: str) -> dict:
    return {"apiGroup": RBAC_GROUP, "kind": "Group", "name": name}


def _view_rules() -> list[dict]:
    return [
        _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                     "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                     "services/status"], READ),
        _rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                     "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], READ),
        _rule([""], ["namespaces"], READ),
        _rule(["discovery.k8s.io"], ["endpointslices"], READ),
        _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                         "deployments/status", "replicasets", "replicasets/scale", "replicasets/status",
                         "statefulsets", "statefulsets/scale", "statefulsets/status"], READ),
        _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
        _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
        _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
        _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
    ]


def _edit_rules() -> list[dict]:
    return [
        _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
        _rule([""], ["serviceaccounts"], ["impersonate"]),
        _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
        _rule([""], ["pods/eviction"], ["create"]),
        _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                     "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"],
              WRITE),
        _rule([""], ["serviceaccounts/token"], ["create"]),
        _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                         "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
        _rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
        _rule(["batch"], ["cronjobs", "jobs"], WRITE),
        _rule(["policy"], ["poddisruptionbudgets"], WRITE),
        _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
        _rule(["coordination.k8s.io"], ["leases"], ALL_VERBS),
    ]


def _admin_rules() -> list[dict]:
    return [
        _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        _rule([RBAC_GROUP], ["rolebindings", "roles"], ALL_VERBS),
    ]


def default_cluster_roles() -> list[dict]:
    """cluster-admin, the aggregated admin/edit/view and their parts, and the roles every authenticated user holds."""
    to = AGGREGATE_LABEL
    return [
        _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _url_rule(["*"], ["*"])]),
        _cluster_role("admin", aggregate_from="admin"),
        _cluster_role("edit", labels={to + "admin": "true"}, aggregate_from="edit"),
        _cluster_role("view", labels={to + "edit": "true"}, aggregate_from="view"),
        _cluster_role("system:aggregate-to-admin", _admin_rules(), labels={to + "admin": "true"}),
        _cluster_role("system:aggregate-to-edit", _edit_rules(), labels={to + "edit": "true"}),
        _cluster_role("system:aggregate-to-view", _view_rules(), labels={to + "view": "true"}),
        _cluster_role("system:discovery", [_url_rule(
            ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
             "/version", "/version/"], ["get"])]),
        _cluster_role("system:public-info-viewer", [_url_rule(
            ["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
        _cluster_role("system:basic-user", [
            _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
        _cluster_role("system:auth-delegator", [
            _rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
            _rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]),
    ]


def default_cluster_role_bindings() -> list[dict]:
    authenticated = [group_subject(AUTHENTICATED_GROUP)]
    return [
        cluster_role_binding("cluster-admin", "cluster-admin", [group_subject(MASTERS_GROUP)], bootstrap=True),
        cluster_role_binding("system:discovery", "system:discovery", authenticated, bootstrap=True),
        cluster_role_binding("system:basic-user", "system:basic-user", authenticated, bootstrap=True),
        cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                             authenticated + [group_subject(UNAUTHENTICATED_GROUP)], bootstrap=True),
    ]
