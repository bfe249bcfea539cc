"""The create-only review resources: TokenReview (authentication.k8s.io) and SubjectAccessReview and
SelfSubjectAccessReview (authorization.k8s.io), the last being what `kubectl auth can-i` sends.
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


def review_handlers(authenticator: Authenticator, authorizer: Authorizer) -> dict:
    """Policy.reviews: (group, plural) -> handler."""
    return {("authentication.k8s.io", "tokenreviews"): token_review(authenticator),
            ("authorization.k8s.io", "subjectaccessreviews"): subject_access_review(authorizer),
            ("authorization.k8s.io", "selfsubjectaccessreviews"): self_subject_access_review(authorizer)}
