"""Bearer token authentication as kube-apiserver does it: a static token file, a TokenReview webhook with a short
answer cache, and their union, which adds the system:authenticated group to whoever it lets in.
"""

import hashlib
import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable

from devstack.kube.contracts import Authenticator, UserInfo
from devstack.kube.rbac import AUTHENTICATED_GROUP


class StaticTokenAuthenticator:
    """--token-auth-file: a fixed table of tokens."""

    def __init__(self, tokens: dict[str, UserInfo]):
        self._tokens = dict(tokens)

    def authenticate(self, bearer_token: str) -> UserInfo | None:
        return self._tokens.get(bearer_token)


class WebhookTokenAuthenticator:
    """--authentication-token-webhook-config-file: POSTs an authentication.k8s.io/v1 TokenReview to `url`.

    Answers are cached per token for `success_ttl` (authenticated) or `failure_ttl` (rejected) seconds, like the
    real --authentication-token-webhook-cache-ttl. A webhook that cannot be reached or answers badly means
    "not authenticated" (401) and is not cached, so the next request asks again.
    """

    def __init__(self, url: str, success_ttl: float = 120.0, failure_ttl: float = 30.0, ca_file: str | None = None,
                 bearer_token: str | None = None, timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.url, self.success_ttl, self.failure_ttl, self.timeout = url, success_ttl, failure_ttl, timeout
        self._bearer_token, self._clock = bearer_token, clock
        self._ssl_context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        self._cache: dict[str, tuple[float, UserInfo | None]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _cache_key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()  # the cache keeps no token in the clear

    def authenticate(self, bearer_token: str) -> UserInfo | None:
        key, now = self._cache_key(bearer_token), self._clock()
        with self._lock:
            cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        try:
            user = self._review(bearer_token)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with self._lock:
            self._cache[key] = (now + (self.success_ttl if user else self.failure_ttl), user)
        return user

    def _review(self, token: str) -> UserInfo | None:
        body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                           "metadata": {"creationTimestamp": None}, "spec": {"token": token},
                           "status": {"user": {}}}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._bearer_token:
            headers["Authorization"] = f"Bearer {self._bearer_token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout, context=self._ssl_context) as response:
            answer = json.load(response)
        status = answer.get("status") or {}
        if not status.get("authenticated"):
            return None
        user = status["user"]
        if not user.get("username"):
            raise ValueError("webhook authenticated a user without a username")
        return UserInfo(user["username"], user.get("uid", ""), tuple(user.get("groups") or ()))


class UnionAuthenticator:
    """Asks each authenticator in turn; the first that knows the token wins. Adds system:authenticated."""

    def __init__(self, authenticators: Iterable[Authenticator]):
        self.authenticators = list(authenticators)

    def authenticate(self, bearer_token: str) -> UserInfo | None:
        if not bearer_token:
            return None
        for authenticator in self.authenticators:
            user = authenticator.authenticate(bearer_token)
            if user is not None:
                if AUTHENTICATED_GROUP in user.groups:
                    return user
                return UserInfo(user.username, user.uid, (*user.groups, AUTHENTICATED_GROUP))
        return None
