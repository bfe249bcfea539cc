"""TTLs as Vault's parseutil reads them (seconds, or Go durations with an extra `d`) and writes them (Go's form)."""

import re

from devstack.vault import errors

_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")

SYSTEM_DEFAULT_TTL = 768 * 3600  # 32 days: the default_lease_ttl and max_lease_ttl of a fresh Vault
SYSTEM_MAX_TTL = 768 * 3600


def parse_seconds(value, field: str = "ttl") -> int:
    """`3600`, `"3600"`, `"1h"`, `"1h30m"`, `"2d"` -> whole seconds; anything else is a 400."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise errors.bad_request(f"invalid duration for field {field!r}")
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    position, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or not text:
        raise errors.bad_request(f"error converting input {text} for field {field!r}: time: invalid duration {text!r}")
    return int(total)


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole seconds: 3600 -> "1h0m0s", 90 -> "1m30s", 0 -> "0s"."""
    seconds = int(seconds)
    if seconds == 0:
        return "0s"
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"
