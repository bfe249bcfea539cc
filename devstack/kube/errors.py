"""The apiserver's error constructors (k8s.io/apimachinery/pkg/api/errors), as ApiErrors with real messages."""

from devstack.kube.contracts import ApiError, Resource


def qualified(resource: Resource) -> str:
    """`pods`, `deployments.apps`: how the apiserver names a resource in messages."""
    return f"{resource.plural}.{resource.group}" if resource.group else resource.plural


def _details(resource: Resource, name: str = "", **extra) -> dict:
    details = {"name": name} if name else {}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    return {**details, **extra}


def not_found(resource: Resource, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{qualified(resource)} "{name}" not found', _details(resource, name))


def already_exists(resource: Resource, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{qualified(resource)} "{name}" already exists', _details(resource, name))


def conflict(resource: Resource, name: str) -> ApiError:
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {qualified(resource)} "{name}": the object has '
                    "been modified; please apply your changes to the latest version and try again",
                    _details(resource, name))


def forbidden(resource: Resource, name: str, why: str, causes: list | None = None) -> ApiError:
    subject = f'{qualified(resource)} "{name}"' if name else qualified(resource)
    extra = {"causes": causes} if causes else {}
    return ApiError(403, "Forbidden", f"{subject} is forbidden: {why}", _details(resource, name, **extra))


def namespace_terminating(resource: Resource, name: str, namespace: str) -> ApiError:
    cause = {"reason": "NamespaceTerminating", "message": f"namespace {namespace} is being terminated",
             "field": "metadata.namespace"}
    return forbidden(resource, name, f"unable to create new content in namespace {namespace} because it is being "
                     "terminated", [cause])


def namespace_missing(namespace: str) -> ApiError:
    return ApiError(404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"})


class FieldError:
    """One entry of a field.ErrorList: reason FieldValueInvalid / FieldValueRequired / FieldValueNotSupported."""

    def __init__(self, reason: str, field: str, detail: str = "", value=None, rendered: str | None = None):
        """`rendered`: the value as Go's %#v prints it, for values that are not plain scalars."""
        self.reason, self.field, self.detail, self.value = reason, field, detail, value
        self.rendered = _quote(value) if rendered is None else rendered

    @property
    def body(self) -> str:
        suffix = f": {self.detail}" if self.detail else ""
        if self.reason == "FieldValueRequired":
            return "Required value" + suffix
        if self.reason == "FieldValueForbidden":
            return "Forbidden" + suffix
        if self.reason == "FieldValueDuplicate":
            return f"Duplicate value: {self.rendered}" + suffix
        if self.reason == "FieldValueNotSupported":
            return f"Unsupported value: {self.rendered}" + suffix
        return f"Invalid value: {self.rendered}" + suffix


def invalid(resource: Resource, name: str, errors: list[FieldError]) -> ApiError:
    summary = errors[0].field + ": " + errors[0].body if len(errors) == 1 else \
        "[" + ", ".join(f"{e.field}: {e.body}" for e in errors) + "]"
    causes = [{"reason": e.reason, "message": e.body, "field": e.field} for e in errors]
    details = {"name": name, **({"group": resource.group} if resource.group else {}), "kind": resource.kind,
               "causes": causes}
    kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {summary}', details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _quote(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
