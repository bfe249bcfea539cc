"""Tiers: the ResourceQuota and LimitRange a namespace gets, with explicit units. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass

from tenants.engine.quantities import QuantityError, parse

QUOTA_KEYS = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "requests.storage",
              "persistentvolumeclaims", "pods", "services", "requests.nvidia.com/gpu")
LIMIT_KEYS = ("default.cpu", "default.memory", "defaultRequest.cpu", "defaultRequest.memory",
              "max.cpu", "max.memory")


@dataclass(frozen=True)
class Tier:
    quota: Mapping[str, str]  # ResourceQuota spec.hard
    limits: Mapping[str, str]  # LimitRange Container item: "default.cpu", "defaultRequest.memory", ...


def _tier(cpu_req, cpu_lim, mem_req, mem_lim, storage, pvcs, pods, services, gpus="0", max_cpu="2", max_mem="4Gi"):
    return Tier(
        quota={"requests.cpu": cpu_req, "limits.cpu": cpu_lim, "requests.memory": mem_req, "limits.memory": mem_lim,
               "requests.storage": storage, "persistentvolumeclaims": pvcs, "pods": pods, "services": services,
               "requests.nvidia.com/gpu": gpus},
        limits={"default.cpu": "500m", "default.memory": "512Mi", "defaultRequest.cpu": "100m",
                "defaultRequest.memory": "128Mi", "max.cpu": max_cpu, "max.memory": max_mem},
    )


DEFAULT_TIERS = {
    "student": _tier("2", "4", "4Gi", "8Gi", "10Gi", "5", "20", "10"),
    "course": _tier("8", "16", "16Gi", "32Gi", "50Gi", "20", "100", "30"),
    "research": _tier("16", "32", "64Gi", "128Gi", "500Gi", "50", "200", "50", max_cpu="8", max_mem="32Gi"),
    "gpu": _tier("16", "32", "64Gi", "128Gi", "500Gi", "50", "200", "50", gpus="2", max_cpu="8", max_mem="32Gi"),
}


def override_errors(overrides: Mapping[str, str]) -> list[str]:
    """What is wrong with single-value overrides of a tier ([] when they are fine)."""
    errors = []
    for key, value in overrides.items():
        if key not in QUOTA_KEYS and key not in LIMIT_KEYS:
            errors.append(f"{key}: not a quota or limit campus manages")
            continue
        try:
            parse(key, value)
        except QuantityError as error:
            errors.append(str(error))
    return errors


def effective(tier: Tier, overrides: Mapping[str, str]) -> Tier:
    """The tier with valid overrides applied (invalid ones are refused before they are stored)."""
    return Tier(quota={**tier.quota, **{k: v for k, v in overrides.items() if k in QUOTA_KEYS}},
                limits={**tier.limits, **{k: v for k, v in overrides.items() if k in LIMIT_KEYS}})
