"""kubectl access tokens: minted at random, stored only as a hash, short-lived, revocable."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from tenants.infra.settings import token_lifetime_hours
from tenants.models import AccessToken

TOKEN_PREFIX = "campus_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # avoid a database write on every kubectl call


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint_token(user: User, label: str = "", lifetime: timedelta | None = None) -> tuple[str, AccessToken]:
    """A new token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = lifetime or timedelta(hours=token_lifetime_hours())
    record = AccessToken.objects.create(user=user, label=label[:100], token_hash=hash_token(token),
                                        prefix=token[: len(TOKEN_PREFIX) + 6], expires_at=timezone.now() + lifetime)
    return token, record


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False when there is no such live token of theirs."""
    return bool(AccessToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True)
                .update(revoked_at=timezone.now()))


@dataclass(frozen=True)
class TokenIdentity:
    username: str
    uid: str
    groups: tuple[str, ...]


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """Who holds `token`, or None when it is unknown, expired, revoked or its user is inactive."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = now or timezone.now()
    record = (AccessToken.objects.select_related("user").filter(token_hash=hash_token(token)).first())
    if record is None or record.revoked_at is not None or record.expires_at <= now or not record.user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def identity_for_token(token: str, now: datetime | None = None) -> TokenIdentity | None:
    """The Kubernetes identity of `token`'s holder: the LDAP uid as user name, the campus roles as groups."""
    user = user_for_token(token, now)
    if user is None:
        return None
    roles = sorted(user.groups.values_list("name", flat=True))
    return TokenIdentity(username=user.username, uid=str(user.pk), groups=tuple(f"campus:{role}" for role in roles))
