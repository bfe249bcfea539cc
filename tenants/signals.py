"""What happens to a namespace, for other capabilities to act on: one contract for every signal here.

- `namespace_suspended`, `namespace_reactivated`, `namespace_reclaimed` (deleted; release what you hold:
  database credentials, git repositories, …), each with `name`, `kind` and `owner` (a username or "").
- Sent once per event, after the transaction that recorded the event commits (never for a change rolled back).
- Each connected receiver gets its own durable delivery (a job, `tenants.infra.jobs`): one that raises is
  retried with backoff — `manage.py sync` runs due jobs — until it succeeds, and never lost. A receiver may
  therefore run again for the same event and must be idempotent.
"""

import logging

from django.dispatch import Signal

from tenants.infra import jobs
from tenants.models import ManagedNamespace

log = logging.getLogger(__name__)
namespace_suspended = Signal()
namespace_reactivated = Signal()
namespace_reclaimed = Signal()
SIGNALS = {"namespace_suspended": namespace_suspended, "namespace_reactivated": namespace_reactivated,
           "namespace_reclaimed": namespace_reclaimed}
JOB_KIND = "signal"


def _receiver_name(receiver) -> str:
    return f"{receiver.__module__}.{receiver.__qualname__}"


def announce(signal: Signal, *, name: str, kind: str, owner: str = "") -> None:
    """Send `signal` under the contract above: one durable delivery per receiver connected now."""
    signal_name = next(key for key, value in SIGNALS.items() if value is signal)
    receivers, _async = signal._live_receivers(ManagedNamespace)
    for receiver in receivers:
        jobs.enqueue(JOB_KIND, {"signal": signal_name, "receiver": _receiver_name(receiver),
                                "event": {"name": name, "kind": kind, "owner": owner}}, on_commit=True)


def deliver(payload: dict) -> None:
    """One delivery: find the receiver (still connected) and call it; an exception is retried by the queue."""
    signal = SIGNALS[payload["signal"]]
    receivers, _async = signal._live_receivers(ManagedNamespace)
    for receiver in receivers:
        if _receiver_name(receiver) == payload["receiver"]:
            receiver(signal=signal, sender=ManagedNamespace, **payload["event"])
            return
    log.warning("%s: receiver %s is no longer connected; delivery dropped", payload["signal"], payload["receiver"])
