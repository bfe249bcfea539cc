"""System hooks: the registry (`/hooks`) and delivery from a background thread, with switches for tests.

GitLab posts each event once per registered hook, asynchronously, without retrying a failed delivery.
Deliveries go out in the order the changes happened unless a switch says otherwise; every attempt is
recorded so tests can see what was sent, dropped or duplicated.
"""

import http.client
import itertools
import json
import queue
import random
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from devstack.gitlab import errors
from devstack.gitlab.records import now

DELIVERY_TIMEOUT_SECONDS = 10  # GitLab's default webhook timeout
USER_AGENT = "GitLab/17.11.0"


@dataclass
class SystemHook:
    id: int
    url: str
    token: str | None = None  # sent as X-Gitlab-Token; never shown by the API
    name: str = ""
    description: str = ""
    push_events: bool = True
    tag_push_events: bool = False
    merge_requests_events: bool = False
    repository_update_events: bool = True
    enable_ssl_verification: bool = True
    created_at: datetime = field(default_factory=now)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))  # X-Gitlab-Webhook-UUID


@dataclass
class DeliveryAttempt:
    hook_id: int
    url: str
    event_name: str
    payload: dict
    outcome: str  # "delivered" (2xx), "failed" (other status or no answer), "dropped" (a switch ate it)
    status: int | None = None
    error: str | None = None
    duplicate: bool = False


@dataclass
class DeliverySwitches:
    """Faults for tests. Rates use a seeded random generator so runs repeat; counts act on the next deliveries."""

    drop_rate: float = 0.0
    duplicate_rate: float = 0.0
    drop_next: int = 0
    duplicate_next: int = 0
    reorder_window: int = 0  # > 1: hold deliveries until this many wait, then send them newest first
    seed: int = 0

    def __post_init__(self):
        self.random = random.Random(self.seed)

    def take_drop(self) -> bool:
        if self.drop_next > 0:
            self.drop_next -= 1
            return True
        return self.random.random() < self.drop_rate

    def take_duplicate(self) -> bool:
        if self.duplicate_next > 0:
            self.duplicate_next -= 1
            return True
        return self.random.random() < self.duplicate_rate


class SystemHooks:
    def __init__(self):
        self._lock = threading.Condition()
        self._hooks: dict[int, SystemHook] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue = queue.Queue()
        self._held: list[tuple[SystemHook, dict, str]] = []
        self._attempts: deque[DeliveryAttempt] = deque(maxlen=100_000)
        self._busy = 0  # deliveries queued or being sent
        self.switches = DeliverySwitches()
        self._thread: threading.Thread | None = None

    # ---- registry ------------------------------------------------------------------------------------------

    def add(self, url: str, token: str | None = None, **options) -> SystemHook:
        if not url.startswith(("http://", "https://")):
            raise errors.bad_request({"url": ["is blocked: Only allowed schemes are http, https"]})
        with self._lock:
            hook = SystemHook(next(self._ids), url, token or None, **options)
            self._hooks[hook.id] = hook
            return hook

    def get(self, hook_id) -> SystemHook:
        with self._lock:
            hook = self._hooks.get(int(hook_id)) if str(hook_id).isdigit() else None
            if hook is None:
                raise errors.record_not_found()
            return hook

    def all(self) -> list[SystemHook]:
        with self._lock:
            return sorted(self._hooks.values(), key=lambda h: h.id)

    def update(self, hook_id, **changes) -> SystemHook:
        with self._lock:
            hook = self.get(hook_id)
            for name, value in changes.items():
                setattr(hook, name, value)
            return hook

    def remove(self, hook_id) -> SystemHook:
        with self._lock:
            return self._hooks.pop(self.get(hook_id).id)

    # ---- delivery ------------------------------------------------------------------------------------------

    def publish(self, payload: dict) -> None:
        """Queue one delivery of `payload` per registered hook (called by the model, in change order)."""
        event_uuid = str(uuid.uuid4())
        with self._lock:
            for hook in self._hooks.values():
                self._busy += 1
                self._queue.put((hook, payload, event_uuid))

    def send_test(self, hook_id) -> None:
        """`POST /hooks/:id`: GitLab's sample project_create payload, to this hook only."""
        hook = self.get(hook_id)
        sample = {"event_name": "project_create", "name": "Ruby", "path": "ruby", "project_id": 1,
                  "owner_name": "Someone", "owner_email": "example@gitlabhq.com"}
        with self._lock:
            self._busy += 1
            self._queue.put((hook, sample, str(uuid.uuid4())))

    def attempts(self) -> list[DeliveryAttempt]:
        with self._lock:
            return list(self._attempts)

    def clear_attempts(self) -> None:
        with self._lock:
            self._attempts.clear()

    def wait_idle(self, timeout: float = 10.0, flush_held: bool = True) -> None:
        """Block until every queued delivery was attempted (held reordered ones are released first)."""
        if flush_held:
            self._queue.put(_FLUSH)
        with self._lock:
            if not self._lock.wait_for(lambda: self._busy == 0, timeout):
                raise TimeoutError(f"{self._busy} system hook deliveries still pending after {timeout} s")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gitlab-system-hooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread:
            self._queue.put(_STOP)
            self._thread.join(timeout=DELIVERY_TIMEOUT_SECONDS + 1)
            self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if item is _FLUSH:
                self._release_held()
                continue
            window = self.switches.reorder_window
            if window > 1:
                self._held.append(item)
                if len(self._held) >= window:
                    self._release_held()
            else:
                self._deliver(*item)

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for item in reversed(held):
            self._deliver(*item)

    def _deliver(self, hook: SystemHook, payload: dict, event_uuid: str) -> None:
        try:
            if self.switches.take_drop():
                self._record(DeliveryAttempt(hook.id, hook.url, payload.get("event_name"), payload, "dropped"))
                return
            copies = 2 if self.switches.take_duplicate() else 1
            for copy in range(copies):
                self._record(self._post(hook, payload, event_uuid, duplicate=copy > 0))
        finally:
            with self._lock:
                self._busy -= 1
                self._lock.notify_all()

    def _record(self, attempt: DeliveryAttempt) -> None:
        with self._lock:
            self._attempts.append(attempt)

    @staticmethod
    def _post(hook: SystemHook, payload: dict, event_uuid: str, duplicate: bool) -> DeliveryAttempt:
        # A repeated delivery carries the same Idempotency-Key, as GitLab's retries do.
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Gitlab-Event": "System Hook",
                   "X-Gitlab-Event-UUID": event_uuid, "X-Gitlab-Webhook-UUID": hook.uuid,
                   "Idempotency-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook.uuid}/{event_uuid}"))}
        if hook.token:
            headers["X-Gitlab-Token"] = hook.token
        attempt = DeliveryAttempt(hook.id, hook.url, payload.get("event_name"), payload, "failed", duplicate=duplicate)
        target = urlsplit(hook.url)
        connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        # http.client keeps header names as GitLab spells them (urllib would turn UUID into Uuid).
        connection = connection_class(target.netloc, timeout=DELIVERY_TIMEOUT_SECONDS)
        try:
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            connection.request("POST", path, body=json.dumps(payload).encode(), headers=headers)
            attempt.status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as error:
            attempt.error = str(error) or type(error).__name__
        finally:
            connection.close()
        if attempt.status is not None and 200 <= attempt.status < 300:
            attempt.outcome = "delivered"
        return attempt


_STOP, _FLUSH = object(), object()
