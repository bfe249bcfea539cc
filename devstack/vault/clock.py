"""Time for the stand-in: the real clock, or a manual one tests move forward (no sleeping, no timed assertions)."""

import threading
import time
from datetime import UTC, datetime


class ManualClock:
    """Starts at the real time (so PostgreSQL's VALID UNTIL stays meaningful) and moves only by advance()."""

    def __init__(self, start: float | None = None):
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now


def rfc3339(timestamp: float | None) -> str | None:
    """Go's RFC 3339 with nanoseconds, as Vault prints issue_time/expire_time (UTC, so a `Z`)."""
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def pg_expiration(timestamp: float) -> str:
    """`2006-01-02 15:04:05-0700`, the format the PostgreSQL plugin writes into VALID UNTIL."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S%z")
