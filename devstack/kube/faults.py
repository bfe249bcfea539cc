"""Fault injection for tests: per verb, an error rate, the status code to answer with, and added latency."""

import random
import threading
from dataclasses import dataclass

from devstack.kube.contracts import ApiError

_REASONS = {429: "TooManyRequests", 500: "InternalError", 502: "InternalError", 503: "ServiceUnavailable",
            504: "Timeout", 409: "Conflict", 403: "Forbidden", 404: "NotFound", 401: "Unauthorized"}


@dataclass(frozen=True)
class Fault:
    error_rate: float = 0.0  # 0.0 .. 1.0
    status: int = 500
    latency: float = 0.0  # seconds added before answering


class Faults:
    """`server.faults.set("list", error_rate=1.0, status=503)`; verb "*" applies to every verb without its own."""

    def __init__(self, seed: int | None = None):
        self._by_verb: dict[str, Fault] = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def set(self, verb: str = "*", *, error_rate: float = 1.0, status: int = 500, latency: float = 0.0) -> None:
        with self._lock:
            self._by_verb[verb] = Fault(error_rate, status, latency)

    def clear(self, verb: str | None = None) -> None:
        with self._lock:
            if verb is None:
                self._by_verb.clear()
            else:
                self._by_verb.pop(verb, None)

    def seed(self, seed: int) -> None:
        with self._lock:
            self._random.seed(seed)

    def draw(self, verb: str) -> tuple[float, ApiError | None]:
        """(latency in seconds, the error to answer with or None) for one request."""
        with self._lock:
            fault = self._by_verb.get(verb) or self._by_verb.get("*")
            if fault is None:
                return 0.0, None
            failing = self._random.random() < fault.error_rate
        if not failing:
            return fault.latency, None
        reason = _REASONS.get(fault.status, "InternalError")
        return fault.latency, ApiError(fault.status, reason, f"injected fault: {verb} answered {fault.status}",
                                       {"retryAfterSeconds": 1} if fault.status in (429, 503) else None)
