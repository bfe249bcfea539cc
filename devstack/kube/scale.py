"""The /scale subresource of deployments and replicasets (an autoscaling/v1 Scale), used by `kubectl scale`."""

from devstack.kube.patch import json_patch, merge_patch, strategic_merge_patch

WITH_SCALE = frozenset({"deployments", "replicasets"})


def selector_string(selector: dict | None) -> str:
    selector = selector or {}
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        operator, key = expression["operator"], expression["key"]
        values = ",".join(sorted(expression.get("values") or []))
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key,
                      "DoesNotExist": f"!{key}"}[operator])
    return ",".join(parts)


def to_scale(obj: dict) -> dict:
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
            "status": {"replicas": obj.get("status", {}).get("replicas", 0),
                       "selector": selector_string(obj.get("spec", {}).get("selector"))}}


def patched_scale(current: dict, patch_type: str, document) -> dict:
    scale = to_scale(current)
    if patch_type == "json":
        return json_patch(scale, document)
    if patch_type == "merge":
        return merge_patch(scale, document)
    return strategic_merge_patch("Scale", scale, document)


def with_replicas(obj: dict, scale: dict) -> dict:
    """The workload with the Scale's spec.replicas (and its resourceVersion as the precondition)."""
    updated = {**obj, "spec": {**obj.get("spec", {}), "replicas": (scale.get("spec") or {}).get("replicas", 0)}}
    version = (scale.get("metadata") or {}).get("resourceVersion")
    updated["metadata"] = {**obj["metadata"], **({"resourceVersion": version} if version else {})}
    return updated
