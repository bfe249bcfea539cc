"""The little of /openapi/v3 kubectl reads: which group-versions exist and that PATCH takes `fieldValidation`.

kubectl apply asks the v3 index, then a group-version document, whether the server validates fields itself
(QueryParamVerifierV3); told yes, it sends fieldValidation=Strict instead of validating against full schemas.
Schemas themselves are not served, so kubectl builds strategic merge patches from its compiled-in types.
"""

import hashlib

from devstack.kube import resources
from devstack.kube.contracts import ApiError

_FIELD_VALIDATION = {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True},
                     "description": "fieldValidation instructs the server on how to handle objects in the request "
                                    "containing unknown or duplicate fields."}


def _group_versions() -> dict[str, tuple[str, str]]:
    """'api/v1' / 'apis/apps/v1' -> (group, version)."""
    return {("apis/" + f"{r.group}/{r.version}" if r.group else f"api/{r.version}"): (r.group, r.version)
            for r in resources.RESOURCES}


def index() -> dict:
    paths = {}
    for name in _group_versions():
        digest = hashlib.sha256(name.encode()).hexdigest()[:32].upper()
        paths[name] = {"serverRelativeURL": f"/openapi/v3/{name}?hash={digest}"}
    return {"paths": paths}


def group_version_document(name: str) -> dict:
    group_version = _group_versions().get(name)
    if group_version is None:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    group, version = group_version
    paths = {}
    for resource in resources.RESOURCES:
        if (resource.group, resource.version) != group_version or "patch" not in resource.verbs:
            continue
        prefix = f"/{name}/namespaces/{{namespace}}" if resource.namespaced else f"/{name}"
        paths[f"{prefix}/{resource.plural}/{{name}}"] = {"patch": {
            "operationId": f"patch{resource.kind}",
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": resource.kind},
            "parameters": [_FIELD_VALIDATION],
        }}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": {}}}
