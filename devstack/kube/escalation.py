"""RBAC escalation prevention, as kube-apiserver's RBAC registry does it (pkg/registry/rbac/*/policybased).

A user may create or update a Role/ClusterRole only with permissions they already hold (in that namespace, or
cluster-wide for a ClusterRole), unless they have `escalate` on it; a RoleBinding/ClusterRoleBinding only to a role
whose permissions they hold in the binding's namespace, unless they have `bind` on that role. system:masters and
the cluster's own writes (controllers, bootstrap: WriteRequest.trusted) are not checked. It is a registry guard: it
runs after mutating admission and before validation, as the real policybased storage wraps Create and Update.
"""

import copy
import json

from devstack.kube import errors
from devstack.kube.contracts import RequestAttributes, Resource, Store, UserInfo, Validator, WriteRequest
from devstack.kube.rbac import MASTERS_GROUP, RBAC_GROUP, RBACAuthorizer

FULL_AUTHORITY = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]
_ROLES = ("roles", "clusterroles")
_BINDINGS = ("rolebindings", "clusterrolebindings")
# What the garbage collector changes; an update of only these is never an escalation (IsOnlyMutatingGCFields).
_GC_FIELDS = ("ownerReferences", "finalizers")
_SERVER_FIELDS = ("resourceVersion", "managedFields", "uid", "creationTimestamp", "generation", "selfLink",
                  "deletionTimestamp", "deletionGracePeriodSeconds")


# --- Covers (k8s.io/component-helpers/auth/rbac/validation) -----------------------------------------------------

def breakdown(rule: dict) -> list[dict]:
    """One rule per group x resource x verb (x resourceName), and per nonResourceURL x verb."""
    verbs, names = rule.get("verbs") or [], rule.get("resourceNames") or []
    subrules = []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for verb in verbs:
                base = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                subrules += [{**base, "resourceNames": [name]} for name in names] if names else [base]
    for url in rule.get("nonResourceURLs") or []:
        subrules += [{"nonResourceURLs": [url], "verbs": [verb]} for verb in verbs]
    return subrules


def _covers_resources(owned: list[str], wanted: list[str]) -> bool:
    if "*" in owned:
        return True
    for path in wanted:
        if path in owned:
            continue
        if "/" not in path or "*/" + path.split("/", 1)[1] not in owned:  # "*/status" covers every status
            return False
    return True


def _covers_urls(owned: list[str], wanted: list[str]) -> bool:
    return all(any(o == w or (o.endswith("*") and w.startswith(o.rstrip("*"))) for o in owned) for w in wanted)


def rule_covers(owner: dict, sub: dict) -> bool:
    def has_all(key: str, wildcard: bool = True) -> bool:
        owned = owner.get(key) or []
        return (wildcard and "*" in owned) or set(sub.get(key) or []) <= set(owned)

    owner_names, sub_names = owner.get("resourceNames") or [], sub.get("resourceNames") or []
    names = not owner_names or (bool(sub_names) and set(sub_names) <= set(owner_names))
    return (has_all("verbs") and has_all("apiGroups") and names
            and _covers_resources(owner.get("resources") or [], sub.get("resources") or [])
            and _covers_urls(owner.get("nonResourceURLs") or [], sub.get("nonResourceURLs") or []))


def missing_rules(owner_rules: list[dict], servant_rules: list[dict]) -> list[dict]:
    return [sub for rule in servant_rules for sub in breakdown(rule)
            if not any(rule_covers(owner, sub) for owner in owner_rules)]


def compact(rules: list[dict]) -> list[dict]:
    """CompactRules: single group/resource rules that differ only by verb become one rule."""
    compacted, simple = [], {}
    for rule in rules:
        is_simple = (set(rule) <= {"apiGroups", "resources", "verbs"} and len(rule.get("apiGroups") or []) == 1
                     and len(rule.get("resources") or []) == 1)
        if not is_simple:
            compacted.append(rule)
            continue
        key = (rule["apiGroups"][0], rule["resources"][0])
        if key in simple:
            simple[key]["verbs"] = simple[key]["verbs"] + list(rule.get("verbs") or [])
        else:
            simple[key] = copy.deepcopy(rule)
    return compacted + list(simple.values())


def go_strings(values: list[str]) -> str:
    """Go's %q of a []string: ["a" "b"]."""
    return "[" + " ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def compact_string(rule: dict) -> str:
    """rbacv1helpers.CompactString, the form the escalation message lists missing rules in."""
    parts = [f"{label}:{go_strings(rule[key])}" for key, label in (
        ("apiGroups", "APIGroups"), ("resources", "Resources"), ("nonResourceURLs", "NonResourceURLs"),
        ("resourceNames", "ResourceNames"), ("verbs", "Verbs")) if rule.get(key)]
    return "{" + ", ".join(parts) + "}"


# --- the guard ---------------------------------------------------------------------------------------------------

class EscalationGuard:
    """A Validator for Policy.guards. `authorizer` answers the escalate/bind questions and resolves rules."""

    def __init__(self, authorizer: RBACAuthorizer):
        self.authorizer = authorizer

    def __call__(self, operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                 request: WriteRequest) -> None:
        user = request.user
        if (request.trusted or user is None or operation not in ("CREATE", "UPDATE") or resource.group != RBAC_GROUP
                or MASTERS_GROUP in user.groups or request.subresource):
            return
        if operation == "UPDATE" and _only_gc_fields(obj, old):
            return
        meta = (old if old is not None else obj).get("metadata") or {}  # an update's body may leave them out
        name, namespace = meta.get("name", ""), meta.get("namespace", "") if resource.namespaced else ""
        if resource.plural in _ROLES:
            # RoleEscalationAuthorized asks about the request's own name: none on a create (POST to the collection).
            if self._allowed(user, "escalate", resource.plural, namespace, name if operation == "UPDATE" else ""):
                return
            self._confirm(user, namespace, obj.get("rules") or [], resource, name)
            if resource.plural == "clusterroles" and (_aggregates(obj) or _aggregates(old)):
                if missing_rules(self.authorizer.rules_for(user, namespace)[0], FULL_AUTHORITY):
                    raise errors.forbidden(resource, name, "must have cluster-admin privileges to use the "
                                                           "aggregationRule")
        elif resource.plural in _BINDINGS:
            role_ref = obj.get("roleRef") or {}
            plural = {"Role": "roles", "ClusterRole": "clusterroles"}.get(role_ref.get("kind"))
            if plural and self._allowed(user, "bind", plural, namespace, role_ref.get("name", ""),
                                        role_ref.get("apiGroup", "")):
                return
            rules = self.authorizer.role_reference_rules(role_ref, namespace)
            self._confirm(user, namespace, rules, resource, name)

    def _allowed(self, user: UserInfo, verb: str, plural: str, namespace: str, name: str,
                 group: str = RBAC_GROUP) -> bool:
        attributes = RequestAttributes(user=user, verb=verb, api_group=group, resource=plural, namespace=namespace,
                                       name=name)
        return self.authorizer.authorize(attributes)[0]

    def _confirm(self, user: UserInfo, namespace: str, rules: list[dict], resource: Resource, name: str) -> None:
        """ConfirmNoEscalation: the user's rules in `namespace` must cover `rules`."""
        owned, problems = self.authorizer.rules_for(user, namespace)
        missing = missing_rules(owned, rules)
        if not missing:
            return
        described = sorted({compact_string(rule) for rule in compact(missing)})
        message = (f'user "{user.username}" (groups={go_strings(list(user.groups))}) is attempting to grant RBAC '
                   "permissions not currently held:\n" + "\n".join(described))
        if problems:
            message += "; resolution errors: [" + (problems[0] if len(problems) == 1
                                                   else "[" + ", ".join(problems) + "]") + "]"
        raise errors.forbidden(resource, name, message)


def _aggregates(role: dict | None) -> bool:
    return bool(((role or {}).get("aggregationRule") or {}).get("clusterRoleSelectors"))


def _only_gc_fields(new: dict, old: dict | None) -> bool:
    def comparable(obj: dict) -> dict:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        for key in _GC_FIELDS + _SERVER_FIELDS:
            meta.pop(key, None)
        return obj

    return old is not None and comparable(new) == comparable(old)


def escalation_guard(authorizer: RBACAuthorizer) -> Validator:
    return EscalationGuard(authorizer)
