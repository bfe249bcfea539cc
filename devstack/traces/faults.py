"""Switches that make the trace backend fail the way an overloaded or restarting Zipkin does, for tests."""

import threading
from dataclasses import dataclass, field


@dataclass
class TraceFaults:
    """fail_next: answer the next N API requests (collector and queries alike) with `error_status` and store
    nothing; latency_seconds: hang this long before answering every API request (a client times out)."""

    fail_next: int = 0
    error_status: int = 500
    latency_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take_failure(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False

    def reset(self) -> None:
        with self._lock:
            self.fail_next, self.error_status, self.latency_seconds = 0, 500, 0.0
