"""The create-only review resources: TokenReview (authentication.k8s.io) and SubjectAccessReview,
SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io), the last two being what
`kubectl auth can-i` and `kubectl auth can-i --list` send.
"""

from devstack.kube.contracts import ApiError, Authenticator, Authorizer, RequestAttributes, ReviewHandler, UserInfo


def _invalid(kind: str, field: str, message: str) -> ApiError:
    return ApiError(422, "Invalid", f'{kind}.authorization.k8s.io "" is invalid: {field}: {message}',
                    {"group": "authorization.k8s.io", "kind": kind,
                     "causes": [{"reason": "FieldValueRequired", "message": message, "field": field}]})


def _answer(body: dict, spec: dict, status: dict) -> dict:
    metadata = {key: value for key, value in (body.get("metadata") or {}).items() if key in ("name", "namespace")}
    return {"apiVersion": body.get("apiVersion"), "kind": body.get("kind"),
            "metadata": {"creationTimestamp": None, **metadata}, "spec": spec, "status": status}


def token_review(authenticator: Authenticator) -> ReviewHandler:
    def handle(body: dict, caller: UserInfo) -> dict:
        spec = body.get("spec") or {}
        user = authenticator.authenticate(spec.get("token") or "")
        if user is None:
            status: dict = {"user": {}}  # authenticated=false is omitted on the wire, as in Go
        else:
            user_json: dict = {"username": user.username, "groups": list(user.groups)}
            if user.uid:
                user_json["uid"] = user.uid
            status = {"authenticated": True, "user": user_json}
        if spec.get("audiences"):
            status["audiences"] = spec["audiences"]
        return _answer(body, spec, status)

    return handle


def _attributes(kind: str, spec: dict, user: UserInfo) -> RequestAttributes:
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if bool(resource) == bool(non_resource):
        raise _invalid(kind, "spec.resourceAttributes",
                       "exactly one of nonResourceAttributes or resourceAttributes must be specified")
    if non_resource:
        return RequestAttributes(user=user, verb=non_resource.get("verb", ""),
                                 non_resource_path=non_resource.get("path", ""))
    return RequestAttributes(user=user, verb=resource.get("verb", ""), api_group=resource.get("group", ""),
                             resource=resource.get("resource", ""), subresource=resource.get("subresource", ""),
                             namespace=resource.get("namespace", ""), name=resource.get("name", ""))


def _decide(authorizer: Authorizer, attributes: RequestAttributes) -> dict:
    allowed, reason = authorizer.authorize(attributes)
    status: dict = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return status


def subject_access_review(authorizer: Authorizer) -> ReviewHandler:
    """May this user (spec.user/groups/uid) do this? Asked by other components on a user's behalf."""

    def handle(body: dict, caller: UserInfo) -> dict:
        spec = body.get("spec") or {}
        if not spec.get("user") and not spec.get("groups"):
            raise _invalid("SubjectAccessReview", "spec.user", "at least one of user or group must be specified")
        user = UserInfo(spec.get("user", ""), spec.get("uid", ""), tuple(spec.get("groups") or ()))
        return _answer(body, spec, _decide(authorizer, _attributes("SubjectAccessReview", spec, user)))

    return handle


def self_subject_access_review(authorizer: Authorizer) -> ReviewHandler:
    """May I do this? The question `kubectl auth can-i` asks."""

    def handle(body: dict, caller: UserInfo) -> dict:
        spec = body.get("spec") or {}
        return _answer(body, spec, _decide(authorizer, _attributes("SelfSubjectAccessReview", spec, caller)))

    return handle


def self_subject_rules_review(authorizer) -> ReviewHandler:
    """What may I do in this namespace? The authorizer's RulesFor, split into resource and non-resource rules."""

    def handle(body: dict, caller: UserInfo) -> dict:
        spec = body.get("spec") or {}
        if not spec.get("namespace"):
            raise ApiError(400, "BadRequest", "no namespace on request")
        rules, problems = authorizer.rules_for(caller, spec["namespace"])
        resource_rules = [{key: list(rule[key]) for key in ("verbs", "apiGroups", "resources", "resourceNames")
                           if rule.get(key) or key == "verbs"} for rule in rules if rule.get("resources")]
        non_resource_rules = [{"verbs": list(rule.get("verbs") or []), "nonResourceURLs": rule["nonResourceURLs"]}
                              for rule in rules if rule.get("nonResourceURLs")]
        # RBAC resolves everything it can: a missing role is an evaluation error, the answer is not "incomplete".
        status: dict = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": False}
        if problems:
            status["evaluationError"] = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
        return _answer(body, spec, status)

    return handle


def review_handlers(authenticator: Authenticator, authorizer: Authorizer) -> dict:
    """Policy.reviews: (group, plural) -> handler. SelfSubjectRulesReview needs an authorizer that can list rules."""
    handlers = {("authentication.k8s.io", "tokenreviews"): token_review(authenticator),
                ("authorization.k8s.io", "subjectaccessreviews"): subject_access_review(authorizer),
                ("authorization.k8s.io", "selfsubjectaccessreviews"): self_subject_access_review(authorizer)}
    if hasattr(authorizer, "rules_for"):
        handlers[("authorization.k8s.io", "selfsubjectrulesreviews")] = self_subject_rules_review(authorizer)
    return handlers
