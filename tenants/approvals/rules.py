"""What a namespace or quota request must satisfy, and whether it is approved without an admin. Pure."""

from collections.abc import Collection, Mapping
from datetime import date

from tenants.engine.config import TenancyConfig
from tenants.engine.naming import is_reserved, is_valid_name, slug
from tenants.engine.tiers import override_errors

Errors = dict[str, list[str]]


def requested_namespace_name(wanted: str, config: TenancyConfig) -> str:
    """The namespace a request for `wanted` would create: the requested prefix and the slug of the name."""
    return f"{config.prefixes['requested']}{slug(wanted)}"


def namespace_request_errors(wanted: str, purpose: str, end_date: date | None, *, taken: Collection[str],
                             today: date, latest_end: date, config: TenancyConfig) -> Errors:
    errors: Errors = {}
    name = requested_namespace_name(wanted, config)
    if not slug(wanted):
        errors["name"] = ["Give the namespace a name made of letters, digits and dashes."]
    elif not is_valid_name(name):
        errors["name"] = [f"{name!r} is too long: at most {63 - len(config.prefixes['requested'])} characters."]
    elif is_reserved(name, config):
        errors["name"] = [f"{name!r} is reserved; choose another name."]
    elif name in taken:
        errors["name"] = [f"{name!r} is already taken or requested; choose another name."]
    if not purpose.strip():
        errors["purpose"] = ["Say briefly what the namespace is for."]
    if end_date is None:
        errors["end_date"] = ["Give the date the namespace may end."]
    elif end_date <= today:
        errors["end_date"] = ["The end date must be in the future."]
    elif end_date > latest_end:
        errors["end_date"] = [f"The end date can be at most the end of the semester, {latest_end.isoformat()}."]
    return errors


def auto_approved(owned_requested_namespaces: int, limit: int) -> bool:
    """Within policy: fewer project namespaces than the limit, at the student tier."""
    return owned_requested_namespaces < limit


def quota_request_errors(tier: str, values: Mapping[str, str], justification: str, tiers: Collection[str]) -> Errors:
    errors: Errors = {}
    if not tier and not values:
        errors["tier"] = ["Ask for a tier or for single values."]
    if tier and tier not in tiers:
        errors["tier"] = [f"Unknown tier {tier!r}; choose one of {', '.join(sorted(tiers))}."]
    value_errors = override_errors(values)
    if value_errors:
        errors["quota_values"] = value_errors
    if not justification.strip():
        errors["justification"] = ["Say why the namespace needs more."]
    return errors
