"""Switches that make the REST API misbehave the way a loaded or broken GitLab does, for tests."""

import random
import re
import threading
from dataclasses import dataclass, field


@dataclass
class ApiFaults:
    """error_rate / fail_next: answer `error_status` instead; latency_seconds: hang before answering;
    truncate_after_pages: serve no page past this one although X-Total-Pages claims more (a partial answer);
    empty_lists: answer every list with `200 []` and headers that say so (a broken cache or replica: the answer
    looks complete and is wrong).
    only_paths: a regular expression; when set, faults hit only API paths (after /api/v4) it matches."""

    error_rate: float = 0.0
    fail_next: int = 0
    error_status: int = 500
    latency_seconds: float = 0.0
    truncate_after_pages: int | None = None
    empty_lists: bool = False
    only_paths: str | None = None
    seed: int = 0
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self):
        self._random = random.Random(self.seed)

    def applies_to(self, api_path: str) -> bool:
        return self.only_paths is None or re.search(self.only_paths, api_path) is not None

    def take_error(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return self._random.random() < self.error_rate
