"""The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (k8s.io/apiserver/pkg/admission/plugin/webhook).

Configurations are read from the store on every write and called in name order (webhooks in their listed order).
Mutating webhooks run after the built-in mutating plugins; a webhook that changed the object makes the store run
the mutating chain once more, in which only the `reinvocationPolicy: IfNeeded` webhooks called before that change
are called again. Validating webhooks run after object validation, before ResourceQuota: one after the other here
(the real server calls them in parallel), all of them, the first refusal winning. Webhook configurations are never
sent to webhooks. The cluster's own writes reach webhooks as the component that made them (identities.py).
"""

import base64
import binascii
import copy
import json
import logging
import uuid

from devstack.kube.contracts import CLUSTER, ApiError, Resource, Store, WriteRequest
from devstack.kube.defaults import apply_defaults
from devstack.kube.patch import json_patch
from devstack.kube.selectors import match_label_selector_object
from devstack.kube.webhook_client import CallError, WebhookClient
from devstack.kube.webhook_config import API_VERSION, GROUP, KINDS, MUTATING, VALIDATING

log = logging.getLogger(__name__)

REVIEW_VERSION = "admission.k8s.io/v1"
_OPTIONS = {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions", "DELETE": "DeleteOptions"}


class Attributes:
    """admission.Attributes for one write, as webhooks see them."""

    def __init__(self, operation: str, resource: Resource, obj: dict | None, old: dict | None,
                 request: WriteRequest):
        self.operation, self.resource, self.request = operation, resource, request
        self.obj = None if operation == "DELETE" else obj
        self.old = old if operation in ("UPDATE", "DELETE") else None
        meta = ((old if old is not None else obj) or {}).get("metadata") or {}
        self.name = meta.get("name", "")
        if resource.plural == "namespaces" and not resource.group:
            self.namespace = "" if operation == "CREATE" else self.name  # the URL's namespace, as RequestInfo has it
        else:
            self.namespace = meta.get("namespace", "") if resource.namespaced else ""
        self.user = request.user or CLUSTER.user

    def review(self, uid: str) -> dict:
        group, version = self.resource.group, self.resource.version
        user = {"username": self.user.username, **({"uid": self.user.uid} if self.user.uid else {}),
                "groups": list(self.user.groups)}
        kind = {"group": group, "version": version, "kind": self.resource.kind}
        resource = {"group": group, "version": version, "resource": self.resource.plural}
        options = {"kind": _OPTIONS[self.operation], "apiVersion": "meta.k8s.io/v1", **(self.request.options or {})}
        request = {"uid": uid, "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource,
                   "name": self.name, "namespace": self.namespace, "operation": self.operation, "userInfo": user,
                   "object": self.obj, "oldObject": self.old, "dryRun": self.request.dry_run, "options": options}
        if self.request.subresource:
            request["subResource"] = request["requestSubResource"] = self.request.subresource
        return {"kind": "AdmissionReview", "apiVersion": REVIEW_VERSION, "request": request}


def _rule_matches(rule: dict, attributes: Attributes) -> bool:
    resource, namespace = attributes.resource, attributes.namespace
    is_namespace = (resource.group, resource.plural) == ("", "namespaces")
    scope = rule.get("scope") or "*"
    if (scope == "Namespaced" and (is_namespace or not namespace)) or \
            (scope == "Cluster" and not (is_namespace or not namespace)):
        return False
    operations = rule.get("operations") or []
    if "*" not in operations and attributes.operation not in operations:
        return False
    if not ({"*", resource.group} & set(rule.get("apiGroups") or []) and
            {"*", resource.version} & set(rule.get("apiVersions") or [])):
        return False
    for item in rule.get("resources") or []:
        plural, _, sub = item.partition("/")
        if plural in ("*", resource.plural) and sub in ("*", attributes.request.subresource):
            return True
    return False


def _namespace_labels(attributes: Attributes, store: Store) -> dict:
    if attributes.resource.plural == "namespaces" and not attributes.request.subresource \
            and attributes.operation in ("CREATE", "UPDATE"):
        return (attributes.obj or {}).get("metadata", {}).get("labels") or {}
    namespace = store.get(store.resource_for("v1", "Namespace"), "", attributes.namespace)  # 404 is the answer
    return namespace["metadata"].get("labels") or {}


def should_call(hook: dict, attributes: Attributes, store: Store) -> bool:
    """ShouldCallHook: a matching rule, then the namespace and object selectors."""
    if not any(_rule_matches(rule, attributes) for rule in hook.get("rules") or []):
        return False
    selector = hook.get("namespaceSelector") or {}
    if selector and (attributes.namespace or attributes.resource.plural == "namespaces"):
        if not match_label_selector_object(selector, _namespace_labels(attributes, store)):
            return False
    selector = hook.get("objectSelector") or {}
    if selector:
        return any(obj is not None and match_label_selector_object(selector, obj["metadata"].get("labels"))
                   for obj in (attributes.obj, attributes.old))
    return True


def _verify(answer: dict, uid: str, mutating: bool) -> dict:
    """VerifyAdmissionResponse; a CallError (so failurePolicy decides) when the answer is not a proper review."""
    def invalid(why: str) -> CallError:
        return CallError(f"received invalid webhook response: {why}")

    response = answer.get("response")
    if not isinstance(response, dict):
        raise invalid("webhook response was absent")
    if response.get("uid") != uid:
        raise invalid(f'expected response.uid="{uid}", got "{response.get("uid", "")}"')
    group_version, kind = answer.get("apiVersion", ""), answer.get("kind", "")
    if (group_version, kind) != (REVIEW_VERSION, "AdmissionReview"):
        shown = group_version if "/" in group_version else f"/{group_version}"
        raise invalid(f"expected webhook response of {REVIEW_VERSION}, Kind=AdmissionReview, got {shown}, "
                      f"Kind={kind}")
    patch, patch_type = response.get("patch"), response.get("patchType")
    if mutating and patch and not patch_type:
        raise invalid("webhook returned response.patch but not response.patchType")
    if mutating and patch_type is not None and not patch:
        raise invalid("webhook returned response.patchType but not response.patch")
    if not mutating and patch:
        raise invalid("validating webhook may not return response.patch")
    if not mutating and patch_type is not None:
        raise invalid("validating webhook may not return response.patchType")
    return response


def denied(name: str, status: dict | None) -> ApiError:
    """webhookerrors.ToStatusErr: the webhook's own Status, code at least 400, message prefixed with its name."""
    status = status or {}
    code = status.get("code") or 0
    denied_by = f'admission webhook "{name}" denied the request'
    explanation = status.get("message") or status.get("reason")
    message = f"{denied_by}: {explanation}" if explanation else f"{denied_by} without explanation"
    return ApiError(code if code >= 400 else 400, status.get("reason") or "", message, status.get("details"))


def _internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]})


class WebhookAdmission:
    """Both plugins; `mutate` goes last in Policy.admission, `validate` before ResourceQuota."""

    def __init__(self, client: WebhookClient | None = None):
        self.client = client or WebhookClient()

    @staticmethod
    def _hooks(store: Store, kind: str) -> list[tuple[str, dict]]:
        """(uid, webhook) in call order: configurations by name, webhooks as listed."""
        configurations = sorted(store.list(store.resource_for(API_VERSION, kind)), key=lambda c: c["metadata"]["name"])
        return [(f'{c["metadata"]["name"]}/{hook.get("name")}/{index}', hook)
                for c in configurations for index, hook in enumerate(c.get("webhooks") or [])]

    @staticmethod
    def _exempt(resource: Resource) -> bool:
        return resource.group == GROUP and resource.kind in KINDS

    def _call(self, hook: dict, attributes: Attributes, store: Store, mutating: bool) -> dict:
        name = hook.get("name", "")
        if attributes.request.dry_run and hook.get("sideEffects") not in ("None", "NoneOnDryRun"):
            raise ApiError(400, "BadRequest", f'admission webhook "{name}" does not support dry run')
        uid = str(uuid.uuid4())

        def service_exists(namespace: str, service: str) -> bool:
            try:
                store.get(store.resource_for("v1", "Service"), namespace, service)
            except ApiError:
                return False
            return True

        answer = self.client.post(hook.get("clientConfig") or {}, attributes.review(uid),
                                  hook.get("timeoutSeconds") or 10, service_exists)
        response = _verify(answer, uid, mutating)
        if attributes.request.warnings is not None:
            attributes.request.warnings.extend(str(w) for w in response.get("warnings") or [])
        if not response.get("allowed"):
            raise denied(name, response.get("status"))
        return response

    def _failed(self, hook: dict, error: CallError) -> None:
        """failurePolicy: Ignore goes on (logged), Fail refuses with 500."""
        message = f'failed calling webhook "{hook.get("name", "")}": {error}'
        if hook.get("failurePolicy") == "Ignore":
            log.warning("Failed calling webhook, failing open %s: %s", hook.get("name"), error)
            return
        raise _internal(message)

    def _patched(self, hook: dict, response: dict, obj: dict | None, resource: Resource) -> dict | None:
        """The object after the webhook's JSONPatch, or None when it sent none."""
        name, patch = hook.get("name", ""), response.get("patch")
        if not patch:
            return None
        if response.get("patchType") != "JSONPatch":
            raise CallError(f'unsupported patch type "{response.get("patchType")}"')
        try:
            operations = json.loads(base64.b64decode(patch, validate=True))
        except (binascii.Error, ValueError) as error:
            raise CallError(f"received undecodable patch in webhook response: {error}") from None
        if not operations:
            return None
        if obj is None:
            raise _internal(f'admission webhook "{name}" attempted to modify the object, which is not supported for '
                            "this operation")
        try:
            patched = json_patch(obj, operations)
        except ApiError as error:
            raise _internal(error.message) from None
        return apply_defaults(resource.kind, patched)

    def mutate(self, operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
               request: WriteRequest) -> dict:
        if self._exempt(resource):
            return obj
        reinvocation = request.reinvocation
        state = reinvocation.state.setdefault("webhooks", {"previous": set(), "again": set(), "last": None})
        if reinvocation.second_pass and state["last"] != obj:  # a built-in plugin changed it on the second pass
            state["again"] |= state["previous"]
            state["previous"] = set()
        try:
            for uid, hook in self._hooks(store, MUTATING):
                attributes = Attributes(operation, resource, obj, old, request)
                if not should_call(hook, attributes, store) or (reinvocation.second_pass and uid not in state["again"]):
                    continue
                try:
                    patched = self._patched(hook, self._call(hook, attributes, store, True), attributes.obj, resource)
                except CallError as error:
                    patched = None
                    self._failed(hook, error)
                if patched is not None and patched != obj:
                    obj = patched
                    state["again"] |= state["previous"]  # what ran before must see this change
                    state["previous"] = set()
                    reinvocation.wanted = True
                if hook.get("reinvocationPolicy") == "IfNeeded":
                    state["previous"].add(uid)
        finally:
            state["last"] = copy.deepcopy(obj)
        return obj

    def validate(self, operation: str, resource: Resource, obj: dict, old: dict | None, store: Store,
                 request: WriteRequest) -> None:
        if self._exempt(resource):
            return
        attributes = Attributes(operation, resource, obj, old, request)
        refusals: list[ApiError] = []
        for _uid, hook in self._hooks(store, VALIDATING):
            if not should_call(hook, attributes, store):
                continue
            try:
                self._call(hook, attributes, store, False)
            except CallError as error:
                try:
                    self._failed(hook, error)
                except ApiError as refusal:
                    refusals.append(refusal)
            except ApiError as refusal:
                refusals.append(refusal)
        if refusals:
            raise refusals[0]
