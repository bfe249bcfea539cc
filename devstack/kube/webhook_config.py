"""ValidatingWebhookConfiguration and MutatingWebhookConfiguration (admissionregistration.k8s.io/v1): the defaults
(SetDefaults_*Webhook) and the validation (pkg/apis/admissionregistration/validation) of the real API.
"""

import base64
import binascii
from urllib.parse import urlsplit

from devstack.kube.errors import FieldError
from devstack.kube.validation import DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE

GROUP = "admissionregistration.k8s.io"
API_VERSION = f"{GROUP}/v1"
VALIDATING, MUTATING = "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"
KINDS = (VALIDATING, MUTATING)
DEFAULT_TIMEOUT = 10

_FORM = "; desired format: https://host[/path]"
_SUPPORTED = {"failurePolicy": ("Fail", "Ignore"), "matchPolicy": ("Equivalent", "Exact"),
              "sideEffects": ("None", "NoneOnDryRun"), "reinvocationPolicy": ("IfNeeded", "Never")}
_OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
_SCOPES = ("*", "Cluster", "Namespaced")


def default_configuration(obj: dict) -> None:
    """SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook / SetDefaults_Rule / service port."""
    for hook in obj.get("webhooks") or []:
        if not isinstance(hook, dict):
            continue
        hook.setdefault("failurePolicy", "Fail")
        hook.setdefault("matchPolicy", "Equivalent")
        hook.setdefault("namespaceSelector", {})
        hook.setdefault("objectSelector", {})
        hook.setdefault("timeoutSeconds", DEFAULT_TIMEOUT)
        if obj.get("kind") == MUTATING:
            hook.setdefault("reinvocationPolicy", "Never")
        for rule in hook.get("rules") or []:
            rule.setdefault("scope", "*")
        service = (hook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict):
            service.setdefault("port", 443)


def _go_strings(values) -> str:
    return "[]string{" + ", ".join(f'"{v}"' for v in values) + "}"


def _not_supported(field: str, value, supported) -> FieldError:
    return FieldError("FieldValueNotSupported", field, "supported values: " + ", ".join(f'"{s}"' for s in supported),
                      value)


def _rule_errors(rule: dict, path: str) -> list[FieldError]:
    errors = []
    operations = rule.get("operations") or []
    if not operations:
        errors.append(FieldError("FieldValueRequired", f"{path}.operations"))
    if len(operations) > 1 and "*" in operations:
        errors.append(FieldError("FieldValueInvalid", f"{path}.operations", "if '*' is present, must not specify other "
                                 "operations", rendered=_go_strings(operations)))
    errors += [_not_supported(f"{path}.operations[{i}]", op, _OPERATIONS) for i, op in enumerate(operations)
               if op not in _OPERATIONS]
    for key, noun in (("apiGroups", "API groups"), ("apiVersions", "API versions")):
        values = rule.get(key) or []
        if not values:
            errors.append(FieldError("FieldValueRequired", f"{path}.{key}"))
        if len(values) > 1 and "*" in values:
            errors.append(FieldError("FieldValueInvalid", f"{path}.{key}", f"if '*' is present, must not specify "
                                     f"other {noun}", rendered=_go_strings(values)))
    resources = rule.get("resources") or []
    if not resources:
        errors.append(FieldError("FieldValueRequired", f"{path}.resources"))
    if len(resources) > 1 and "*/*" in resources:
        errors.append(FieldError("FieldValueInvalid", f"{path}.resources", "if '*/*' is present, must not specify "
                                 "other resources", rendered=_go_strings(resources)))
    if "*" in resources and any("/" not in r and r != "*" for r in resources):
        errors.append(FieldError("FieldValueInvalid", f"{path}.resources", "if '*' is present, must not specify "
                                 "other resources without subresources", rendered=_go_strings(resources)))
    if rule.get("scope") not in _SCOPES:
        errors.append(_not_supported(f"{path}.scope", rule.get("scope"), _SCOPES))
    return errors


def _client_errors(config: dict, path: str) -> list[FieldError]:
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        return [FieldError("FieldValueRequired", path, "exactly one of url or service is required")]
    errors = []
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme != "https":  # the real API refuses plain http for url (services: see webhook_client)
            errors.append(FieldError("FieldValueInvalid", f"{path}.url",
                                     "'https' is the only allowed URL scheme" + _FORM, parts.scheme))
        if not parts.netloc:
            errors.append(FieldError("FieldValueInvalid", f"{path}.url", "host must be specified" + _FORM, ""))
        for value, what in ((parts.fragment, "fragments"), (parts.query, "query parameters")):
            if value:
                errors.append(FieldError("FieldValueInvalid", f"{path}.url", f"{what} are not permitted in the URL",
                                         value))
    else:
        for key in ("name", "namespace"):
            if not service.get(key):
                errors.append(FieldError("FieldValueRequired", f"{path}.service.{key}", f"service {key} is required"))
        port = service.get("port")
        if not isinstance(port, int) or not 0 < port < 65536:
            errors.append(FieldError("FieldValueInvalid", f"{path}.service.port", "port is not valid: must be between "
                                     "1 and 65535, inclusive", port))
        route = service.get("path") or "/"
        if not route.startswith("/"):
            errors.append(FieldError("FieldValueInvalid", f"{path}.service.path", "must start with a '/'", route))
        for index, step in enumerate(route.strip("/").split("/") if route.strip("/") else []):
            if not step:
                errors.append(FieldError("FieldValueInvalid", f"{path}.service.path", f"segment[{index}] may not be "
                                         "empty", route))
            elif not DNS1123_SUBDOMAIN.match(step):
                errors.append(FieldError("FieldValueInvalid", f"{path}.service.path",
                                         f"segment[{index}]: {SUBDOMAIN_MESSAGE}", route))
    if config.get("caBundle"):
        try:
            base64.b64decode(config["caBundle"], validate=True)
        except (binascii.Error, ValueError):
            errors.append(FieldError("FieldValueInvalid", f"{path}.caBundle", "illegal base64 data", "..."))
    return errors


def _hook_errors(kind: str, hook: dict, path: str) -> list[FieldError]:
    errors = []
    name = hook.get("name") or ""
    if not name:
        errors.append(FieldError("FieldValueRequired", f"{path}.name"))
    elif not DNS1123_SUBDOMAIN.match(name):
        errors.append(FieldError("FieldValueInvalid", f"{path}.name", SUBDOMAIN_MESSAGE, name))
    elif len(name.split(".")) < 3:
        errors.append(FieldError("FieldValueInvalid", f"{path}.name", "should be a domain with at least three segments "
                                 "separated by dots", name))
    for index, rule in enumerate(hook.get("rules") or []):
        errors += _rule_errors(rule, f"{path}.rules[{index}]")
    for key in ("failurePolicy", "matchPolicy") + (("reinvocationPolicy",) if kind == MUTATING else ()):
        if hook.get(key) not in _SUPPORTED[key]:
            errors.append(_not_supported(f"{path}.{key}", hook.get(key), _SUPPORTED[key]))
    if hook.get("sideEffects") is None:
        errors.append(FieldError("FieldValueRequired", f"{path}.sideEffects", "must specify one of None, NoneOnDryRun"))
    elif hook["sideEffects"] not in _SUPPORTED["sideEffects"]:
        errors.append(_not_supported(f"{path}.sideEffects", hook["sideEffects"], _SUPPORTED["sideEffects"]))
    timeout = hook.get("timeoutSeconds")
    if not isinstance(timeout, int) or not 1 <= timeout <= 30:
        errors.append(FieldError("FieldValueInvalid", f"{path}.timeoutSeconds", "the timeout value must be between 1 "
                                 "and 30 seconds", timeout))
    errors += _client_errors(hook.get("clientConfig") or {}, f"{path}.clientConfig")
    if hook.get("matchConditions"):
        errors.append(FieldError("FieldValueForbidden", f"{path}.matchConditions", "not supported by this stand-in "
                                 "(no CEL)"))
    versions = hook.get("admissionReviewVersions") or []
    if not versions:
        errors.append(FieldError("FieldValueRequired", f"{path}.admissionReviewVersions", "must specify one of v1, "
                                 "v1beta1"))
    elif not {"v1", "v1beta1"} & set(versions):
        errors.append(FieldError("FieldValueInvalid", f"{path}.admissionReviewVersions", "must include at least one "
                                 "of v1, v1beta1", rendered=_go_strings(versions)))
    elif "v1" not in versions:
        errors.append(FieldError("FieldValueInvalid", f"{path}.admissionReviewVersions", "must include v1: this "
                                 "stand-in sends admission.k8s.io/v1 only", rendered=_go_strings(versions)))
    return errors


def validate_configuration(obj: dict, _old: dict | None) -> list[FieldError]:
    errors, seen = [], set()
    for index, hook in enumerate(obj.get("webhooks") or []):
        path = f"webhooks[{index}]"
        if not isinstance(hook, dict):
            errors.append(FieldError("FieldValueInvalid", path, "must be an object", hook))
            continue
        errors += _hook_errors(obj.get("kind", ""), hook, path)
        if hook.get("name") in seen:
            errors.append(FieldError("FieldValueDuplicate", f"{path}.name", "", hook["name"]))
        seen.add(hook.get("name"))
    return errors
