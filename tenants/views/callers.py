"""Machine callers of campus (kube-apiserver, GitLab) prove who they are with a shared secret."""

import hmac

from django.http import HttpRequest

from tenants.infra.settings import shared_secret


def presents_secret(request: HttpRequest, caller: str, header: str = "Authorization") -> bool:
    """True when the request carries `caller`'s secret (as a bearer token, or in `header`), compared in constant
    time; never when no secret is configured."""
    expected = shared_secret(caller)
    given = request.headers.get(header, "")
    if header == "Authorization":
        given = given.removeprefix("Bearer ").strip()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
