"""The seams inside the Kubernetes stand-in: the API machinery (server, store) on one side, and the
policy and controllers (authentication, RBAC, admission, quota, workload controllers) on the other.

Both sides code against these types; neither reaches into the other's internals.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Resource:
    """One served resource type, e.g. Resource("apps", "v1", "deployments", "Deployment", namespaced=True)."""

    group: str  # "" for the core group
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class UserInfo:
    username: str
    uid: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestAttributes:
    """What kube-apiserver hands its authorizer (SubjectAccessReview's resourceAttributes/nonResourceAttributes)."""

    user: UserInfo
    verb: str  # get list watch create update patch delete deletecollection (or the HTTP verb for non-resource paths)
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    non_resource_path: str = ""  # set for /api, /version, /healthz ... instead of the resource fields


@dataclass
class Reinvocation:
    """admission's ReinvocationContext, one per write: a plugin sets `wanted` to have the mutating chain run once
    more (a webhook changed the object); `state` is each plugin's own bookkeeping between the two passes."""

    wanted: bool = False
    second_pass: bool = False
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WriteRequest:
    """Who asks for a write and how: what admission.Attributes carries besides the objects.

    `trusted` marks the cluster's own writes (controllers, bootstrap; see identities.py): RBAC's escalation checks
    skip them; `user` is still who webhooks are told wrote. `warnings` collects what admission webhooks return, for
    the Warning headers.
    """

    user: UserInfo | None = None
    subresource: str = ""
    dry_run: bool = False
    options: dict | None = None  # CreateOptions / UpdateOptions / DeleteOptions as sent, without kind/apiVersion
    warnings: list[str] | None = field(default=None, compare=False)  # None: nobody to tell (the cluster's writes)
    reinvocation: Reinvocation | None = field(default=None, compare=False)  # set by the store for each write
    trusted: bool = False


# A write by the cluster itself, as kube-apiserver's loopback client (system:masters) makes them.
CLUSTER = WriteRequest(user=UserInfo("system:apiserver", "", ("system:authenticated", "system:masters")),
                       trusted=True)


class ApiError(Exception):
    """Raised anywhere inside the stand-in; the server turns it into a real `Status` body."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}


class Store(Protocol):
    """The object store. Objects are plain dicts exactly as served (metadata, spec, status).

    Reads return deep copies. Writes bump resourceVersion, run admission, and then notify controllers.
    A write with `as_controller=True` skips authorization (it is the cluster acting, not a user) but still
    runs admission and notifies watchers. A user's write (from the HTTP layer) also passes `request=` with the
    user, which the registry's RBAC escalation checks and admission webhooks see.
    """

    def resource_for(self, api_version: str, kind: str) -> Resource: ...
    def get(self, resource: Resource, namespace: str, name: str) -> dict: ...  # raises ApiError 404
    def list(self, resource: Resource, namespace: str = "", label_selector: str = "") -> list[dict]: ...
    # `request`: who writes (default CLUSTER); controllers pass their own identity (identities.controller(...)).
    def create(self, resource: Resource, namespace: str, obj: dict, as_controller: bool = True, *,
               request: WriteRequest = CLUSTER) -> dict: ...
    def update(self, resource: Resource, namespace: str, obj: dict, as_controller: bool = True, *,
               request: WriteRequest = CLUSTER) -> dict: ...
    def update_status(self, resource: Resource, namespace: str, obj: dict, *,  # status only
                      request: WriteRequest = CLUSTER) -> dict: ...
    def delete(self, resource: Resource, namespace: str, name: str, as_controller: bool = True, *,
               request: WriteRequest = CLUSTER) -> dict: ...


class Authenticator(Protocol):
    def authenticate(self, bearer_token: str) -> UserInfo | None: ...  # None -> 401


class Authorizer(Protocol):
    def authorize(self, attributes: RequestAttributes) -> tuple[bool, str]: ...  # (allowed, reason)


# operation is "CREATE", "UPDATE" or "DELETE"; returns the (possibly mutated) object or raises ApiError.
# On DELETE `obj` is the existing object (webhooks are sent null instead).
AdmissionPlugin = Callable[[str, Resource, dict, "dict | None", Store, WriteRequest], dict]

# Validating admission and the registry's own checks (RBAC escalation): same arguments, may only raise ApiError.
Validator = Callable[[str, Resource, dict, "dict | None", Store, WriteRequest], None]

# Called after every committed write (also the controllers' own), with "ADDED", "MODIFIED" or "DELETED".
Controller = Callable[[str, Resource, dict, Store], None]

# Create-only virtual resources (TokenReview, SubjectAccessReview, SelfSubjectAccessReview):
# given the request body and the calling user, return the response object (with status filled in).
ReviewHandler = Callable[[dict, UserInfo], dict]


@dataclass
class Policy:
    """Everything the policy side plugs into the server."""

    authenticator: Authenticator
    authorizer: Authorizer
    # The order of a write: admission (mutating) -> guards -> object validation -> validating admission -> commit.
    admission: list[AdmissionPlugin] = field(default_factory=list)
    guards: list[Validator] = field(default_factory=list)  # what policybased registry storage checks (escalation)
    validating_admission: list[Validator] = field(default_factory=list)
    controllers: list[Controller] = field(default_factory=list)
    reviews: dict[tuple[str, str], ReviewHandler] = field(default_factory=dict)  # (group, plural) -> handler
