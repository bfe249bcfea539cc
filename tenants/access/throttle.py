"""Login throttling: too many failures for a username or from an address refuse further tries for a while.

Failures are rows in the database, so every gunicorn worker and replica sees the same counts.
"""

from datetime import timedelta

from django.utils import timezone

from tenants.infra.settings import login_limits
from tenants.models import LoginFailure


def _keys(username: str, address: str) -> dict[str, int]:
    limits = login_limits()
    return {f"user:{username.strip().lower()[:150]}": limits["PER_USERNAME"], f"addr:{address}": limits["PER_ADDRESS"]}


def retry_after_seconds(username: str, address: str) -> int:
    """0 when a sign-in may be tried; otherwise how long until the oldest counted failure leaves the window."""
    window = timedelta(seconds=login_limits()["WINDOW_SECONDS"])
    now = timezone.now()
    wait = 0
    for key, limit in _keys(username, address).items():
        recent = list(LoginFailure.objects.filter(key=key, at__gt=now - window).order_by("-at")
                      .values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            wait = max(wait, int((recent[-1] + window - now).total_seconds()) + 1)
    return wait


def record_failure(username: str, address: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - timedelta(seconds=login_limits()["WINDOW_SECONDS"])).delete()
    LoginFailure.objects.bulk_create(LoginFailure(key=key, at=now) for key in _keys(username, address))


def record_success(username: str) -> None:
    LoginFailure.objects.filter(key=f"user:{username.strip().lower()[:150]}").delete()
