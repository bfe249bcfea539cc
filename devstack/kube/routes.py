"""URL -> what is asked: the discovery documents, or a resource request with its authorization verb."""

from collections.abc import Callable
from dataclasses import dataclass

from devstack.kube import openapi, resources
from devstack.kube.contracts import ApiError, Resource
from devstack.kube.scale import WITH_SCALE

_NOT_FOUND = ApiError(404, "NotFound", "the server could not find the requested resource")
_COLLECTION_VERBS = {"GET": "list", "POST": "create", "DELETE": "deletecollection"}
_OBJECT_VERBS = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
_SUBRESOURCE_VERBS = {"GET": "get", "PUT": "update", "PATCH": "patch"}


@dataclass(frozen=True)
class Route:
    verb: str  # the authorization verb: get list watch create update patch delete deletecollection (or HTTP verb)
    path: str
    resource: Resource | None = None  # None: a non-resource path
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    document: Callable[[], dict | str] | None = None  # set for discovery and health paths


def _documents(path: str) -> Callable[[], dict | str] | None:
    parts = [p for p in path.split("/") if p]
    fixed = {
        "/version": resources.version_info, "/api": resources.core_versions, "/apis": resources.group_list,
        "/healthz": lambda: "ok", "/livez": lambda: "ok", "/readyz": lambda: "ok", "/openapi/v3": openapi.index,
    }
    if path in fixed:
        return fixed[path]
    if parts[:2] == ["openapi", "v3"]:
        return lambda: openapi.group_version_document("/".join(parts[2:]))
    if parts == ["api", "v1"]:
        return lambda: resources.resource_list("", "v1")
    if len(parts) == 2 and parts[0] == "apis":
        return lambda: resources.group_document(parts[1])
    if len(parts) == 3 and parts[0] == "apis":
        return lambda: resources.resource_list(parts[1], parts[2])
    return None


def parse_route(method: str, path: str, query: dict[str, str]) -> Route:
    path = "/" + path.strip("/")
    document = _documents(path)
    if document is not None:
        if method != "GET":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        return Route(verb="get", path=path, document=document)
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api" and parts[1] == "v1":
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return Route(verb=method.lower(), path=path, document=_raise_not_found)
    watching = rest[0] == "watch"
    if watching:
        rest = rest[1:]
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        raise _NOT_FOUND
    resource = resources.by_path(group, version, rest[0])
    if namespace and not resource.namespaced:
        raise _NOT_FOUND
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if subresource and not (subresource == "status" and resource.plural in resources.WITH_STATUS
                            or subresource == "scale" and resource.plural in WITH_SCALE
                            or subresource == "log" and resource.plural == "pods" and method == "GET"):
        raise _NOT_FOUND
    watching = watching or query.get("watch") in ("true", "1")
    verbs = _SUBRESOURCE_VERBS if subresource else _OBJECT_VERBS if name else _COLLECTION_VERBS
    if method not in verbs or (watching and method != "GET"):
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
    verb = "watch" if watching else verbs[method]
    if verb not in resource.verbs and not subresource:
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
    return Route(verb=verb, path=path, resource=resource, namespace=namespace, name=name, subresource=subresource)


def _raise_not_found() -> dict:
    raise _NOT_FOUND
