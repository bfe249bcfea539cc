"""campus's Kubernetes adapter: labelled LISTs, creates that never take over, replacements, deletes. I/O only,
through the official client.

Requests go through `ApiClient.call_api` on plain paths so that objects stay plain dicts, exactly as rendered
and as the API serves them. Transient failures (409 Conflict, 429, 5xx, timeouts) are retried with backoff.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tenants.infra.telemetry import call_span, outgoing_headers

log = logging.getLogger(__name__)
FIELD_MANAGER = "campus"  # the default, and what every write was made as before components had their own
RETRYABLE_STATUS = frozenset({409, 429, 500, 502, 503, 504})
T = TypeVar("T")


@dataclass(frozen=True)
class KindPath:
    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def collection(self, namespace: str = "") -> str:
        prefix = f"/api/{self.api_version}" if "/" not in self.api_version else f"/apis/{self.api_version}"
        return f"{prefix}/namespaces/{namespace}/{self.plural}" if namespace else f"{prefix}/{self.plural}"

    def item(self, namespace: str, name: str) -> str:
        return f"{self.collection(namespace if self.namespaced else '')}/{name}"


@dataclass(frozen=True)
class Component:
    """One part of campus that writes objects into tenant namespaces, with its own label value
    (`app.kubernetes.io/component`) and field manager, so that each prunes and repairs only its own."""

    name: str
    kinds: tuple[str, ...]  # the kinds it writes

    @property
    def field_manager(self) -> str:
        return f"campus-{self.name}"


_PATHS: dict[str, KindPath] = {}  # every kind campus reads or writes, by kind
_COMPONENTS: dict[str, Component] = {}


def register_kinds(*paths: KindPath) -> None:
    """Kinds campus reads (an app's `ready()` registers what it uses; nothing edits a central table)."""
    for path in paths:
        _PATHS[path.kind] = path


def register_component(name: str, *paths: KindPath) -> Component:
    register_kinds(*paths)
    component = _COMPONENTS[name] = Component(name, tuple(path.kind for path in paths))
    return component


def component(name: str) -> Component:
    return _COMPONENTS[name]


def components() -> tuple[Component, ...]:
    return tuple(_COMPONENTS.values())


def kind_path(kind: str) -> KindPath:
    try:
        return _PATHS[kind]
    except KeyError:
        raise KeyError(f"campus knows no Kubernetes kind {kind!r}: register it in an app's ready()") from None


class KubeError(Exception):
    def __init__(self, status: int, reason: str, message: str):
        super().__init__(f"{status} {reason}: {message}")
        self.status, self.reason, self.message = status, reason, message


def _error(exc: ApiException) -> KubeError:
    try:
        body = json.loads(exc.body or "{}")
    except ValueError:
        body = {}
    return KubeError(exc.status or 0, body.get("reason") or str(exc.reason), body.get("message") or str(exc.reason))


class KubeCluster:
    def __init__(self, host: str, token: str, ca_file: str = "", timeout_seconds: float = 10, retries: int = 4,
                 sleep: Callable[[float], None] = time.sleep, field_manager: str = FIELD_MANAGER):
        configuration = client.Configuration()
        configuration.host = host
        configuration.api_key = {"authorization": token}
        configuration.api_key_prefix = {"authorization": "Bearer"}
        configuration.ssl_ca_cert = ca_file or None
        configuration.retries = False  # retries happen here, where 409 and 5xx are understood
        self._api = client.ApiClient(configuration)
        self._timeout = timeout_seconds
        self._retries = retries
        self._sleep = sleep
        self.field_manager = field_manager
        self.calls: dict[str, int] = {}  # requests by verb, for benchmarks and the admin page

    def close(self) -> None:
        self._api.close()

    def _call(self, verb: str, method: str, path: str, query: list | None = None, body=None,
              content_type: str = "application/json") -> dict:
        self.calls[verb] = self.calls.get(verb, 0) + 1
        with call_span(f"kubernetes {verb}", **{"http.method": method, "http.path": path}):
            request = self._api.param_serialize(
                method, path, query_params=query or [], body=body, auth_settings=["BearerToken"],
                header_params={"Accept": "application/json", "Content-Type": content_type, **outgoing_headers()})
            response = self._api.call_api(*request, _request_timeout=self._timeout)
            response.read()
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=None, data=None)
        return json.loads(response.data or b"{}")

    def _with_retries(self, action: Callable[[], T], retryable: frozenset[int] = RETRYABLE_STATUS) -> T:
        delay = 0.1
        for attempt in range(self._retries + 1):
            try:
                return action()
            except ApiException as exc:
                if exc.status not in retryable or attempt == self._retries:
                    raise _error(exc) from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if attempt == self._retries:
                    raise KubeError(0, "Unreachable", type(exc).__name__) from None
            self._sleep(delay)
            delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def list_labelled(self, kind: str, label_selector: str, namespace: str = "") -> list[dict]:
        """Every object of `kind` matching the selector ("": all), in the cluster or in one namespace: one
        request, however many tenants (an unpaginated LIST is served from the API server's watch cache)."""
        path = kind_path(kind)
        query = [("labelSelector", label_selector)] if label_selector else []
        body = self._with_retries(lambda: self._call("list", "GET", path.collection(namespace), query))
        items = body.get("items", [])
        for item in items:
            item.setdefault("apiVersion", path.api_version)
            item.setdefault("kind", kind)
        return items

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        try:
            return self._with_retries(lambda: self._call("get", "GET", kind_path(kind).item(namespace, name)))
        except KubeError as error:
            if error.status == 404:
                return None
            raise

    def replace(self, obj: dict) -> dict:
        """PUT the whole object as campus's field manager. Its `resourceVersion` is a precondition: 409 Conflict
        (someone wrote it since campus read it) is final here, and the next sync plans again from what it reads."""
        meta = obj["metadata"]
        path = kind_path(obj["kind"]).item(meta.get("namespace", ""), meta["name"])
        query = [("fieldManager", self.field_manager)]
        return self._with_retries(lambda: self._call("replace", "PUT", path, query, obj),
                                  retryable=RETRYABLE_STATUS - {409})

    def patch(self, kind: str, namespace: str, name: str, patch: dict) -> dict:
        """A JSON merge patch, for the few fields campus changes in tenants' own objects (replicas, suspend)."""
        return self._with_retries(lambda: self._call("patch", "PATCH", kind_path(kind).item(namespace, name),
                                                     body=patch, content_type="application/merge-patch+json"))

    def create(self, obj: dict) -> dict:
        """Create as campus's field manager; 409 AlreadyExists is final, not retried: an object of that name that
        campus did not create is never taken over."""
        path = kind_path(obj["kind"]).collection(obj["metadata"].get("namespace", ""))
        query = [("fieldManager", self.field_manager)]
        return self._with_retries(lambda: self._call("create", "POST", path, query, obj),
                                  retryable=RETRYABLE_STATUS - {409})

    def delete(self, kind: str, namespace: str, name: str, uid: str = "") -> None:
        """Delete (already gone is fine). With `uid`, only that very object: one of the same name created since
        campus looked at it is refused with 409 Conflict."""
        options = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
        if uid:
            options["preconditions"] = {"uid": uid}
        try:
            self._with_retries(lambda: self._call("delete", "DELETE", kind_path(kind).item(namespace, name),
                                                  body=options), retryable=RETRYABLE_STATUS - {409})
        except KubeError as error:
            if error.status != 404:  # already gone is what we wanted
                raise
