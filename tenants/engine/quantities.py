"""Kubernetes quantities with the units campus insists on. Pure.

cpu may be whole or fractional cores ("2", "0.5") or millicores ("500m"); memory and storage must carry a
unit ("512Mi", "10Gi", "1G") — a bare "20" is refused, because it means 20 bytes; counts are integers.
"""

import re
from decimal import Decimal

_SUFFIX = {"": 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")


class QuantityError(ValueError):
    pass


_SECTIONS = ("requests", "limits", "default", "defaultRequest", "max", "min")


def resource_type(key: str) -> str:
    """'cpu', 'bytes' or 'count' for a quota or limit key such as `requests.memory`, `default.cpu` or `pods`."""
    section, _, rest = key.partition(".")
    leaf = rest if section in _SECTIONS and rest else key
    if leaf == "cpu":
        return "cpu"
    if leaf in ("memory", "storage", "ephemeral-storage"):
        return "bytes"
    return "count"


def parse(key: str, value: str) -> Decimal:
    """The value in base units (cores, bytes, items); QuantityError says what is wrong and how to write it."""
    match = _QUANTITY.match(str(value).strip())
    kind = resource_type(key)
    if not match:
        raise QuantityError(f"{key}: {value!r} is not a quantity")
    number, suffix = Decimal(match.group(1)), match.group(2) or ""
    if kind == "cpu" and suffix not in ("", "m"):
        raise QuantityError(f"{key}: {value!r} — cpu is in cores (\"2\", \"0.5\") or millicores (\"500m\")")
    if kind == "bytes" and suffix in ("", "m"):
        raise QuantityError(f"{key}: {value!r} needs a unit such as Mi or Gi (a bare number means bytes)")
    if kind == "count" and (suffix or number != number.to_integral_value()):
        raise QuantityError(f"{key}: {value!r} must be a whole number")
    return number * _SUFFIX[suffix]


def served_amount(value: str) -> Decimal:
    """A quantity as the API server serves it (status.used may be a bare "0" or "1073741824"), in base units;
    0 for anything unreadable, since it is only displayed."""
    match = _QUANTITY.match(str(value).strip())
    return Decimal(match.group(1)) * _SUFFIX[match.group(2) or ""] if match else Decimal(0)


def canonical(value: str) -> str:
    """A quantity in base units as text ("1000m" -> "1", "1Gi" -> "1073741824"), so that the forms the API
    server may store compare equal; anything that is no quantity is returned unchanged."""
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return str(value)
    return format((Decimal(match.group(1)) * _SUFFIX[match.group(2) or ""]).normalize(), "f")
