"""Signals other capabilities connect to."""

from django.dispatch import Signal

# Sent after campus deleted a namespace it owned, with `name`, `kind` and `owner` (a username or "").
# Receivers release what they hold for it (database credentials, git repositories, ...).
namespace_reclaimed = Signal()
