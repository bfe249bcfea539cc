"""The change log behind watches: a bounded history (like etcd before compaction) and live subscribers."""

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from devstack.kube.contracts import ApiError, Resource

HISTORY = 5000


@dataclass(frozen=True)
class Change:
    resource_version: int
    type: str  # ADDED MODIFIED DELETED
    resource: Resource
    obj: dict
    old: dict | None = None


@dataclass
class Subscription:
    resource: Resource
    namespace: str
    matches: Callable[[dict], bool]
    events: queue.Queue = field(default_factory=queue.Queue)
    closed: threading.Event = field(default_factory=threading.Event)

    def offer(self, change: Change) -> None:
        """Queue the event this watcher sees: objects entering or leaving its selector are ADDED / DELETED."""
        if change.resource != self.resource:
            return
        if self.namespace and change.obj.get("metadata", {}).get("namespace") != self.namespace:
            return
        now = self.matches(change.obj)
        before = change.old is not None and self.matches(change.old)
        if change.type == "MODIFIED" and now != before:
            if now:
                self.events.put(("ADDED", change.obj))
            else:  # like the watch cache: the last state that matched, at the resourceVersion of the change
                left = {**change.old, "metadata": {**change.old["metadata"],
                                                   "resourceVersion": str(change.resource_version)}}
                self.events.put(("DELETED", left))
        elif now or (change.type == "DELETED" and before):
            self.events.put((change.type, change.obj))


class ChangeLog:
    def __init__(self):
        self._history: deque[Change] = deque()
        self._compacted = 0  # every change up to this resourceVersion is gone from the history
        self._subscribers: list[Subscription] = []
        self._lock = threading.Lock()

    @property
    def watchers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def record(self, change: Change) -> None:
        with self._lock:
            self._history.append(change)
            if len(self._history) > HISTORY:
                self._compacted = self._history.popleft().resource_version
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.offer(change)

    def compact(self, up_to: int) -> None:
        """Forget history up to `up_to`, as etcd compaction does; older watches then get 410 Expired."""
        with self._lock:
            while self._history and self._history[0].resource_version <= up_to:
                self._history.popleft()
            self._compacted = max(self._compacted, up_to)

    def subscribe(self, subscription: Subscription, since: int) -> None:
        """Register `subscription`, first queueing the changes after `since` (which must not be compacted)."""
        with self._lock:
            if since < self._compacted:
                raise ApiError(410, "Expired", f"too old resource version: {since} ({self._compacted + 1})")
            for change in self._history:
                if change.resource_version > since:
                    subscription.offer(change)
            self._subscribers.append(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.closed.set()
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    def close_all(self) -> None:
        with self._lock:
            subscribers, self._subscribers = self._subscribers, []
        for subscriber in subscribers:
            subscriber.closed.set()
            subscriber.events.put(None)
