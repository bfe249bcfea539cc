"""A loopback stand-in for kube-apiserver: threaded stdlib HTTP(S), the REST paths kubectl and client libraries use.

Every request: route -> fault injection -> authentication (bearer token) -> authorization (RequestAttributes)
-> handler (store: defaults, admission, validation, commit, controllers). Errors are real `Status` bodies.
"""

import dataclasses
import json
import logging
import queue
import select
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from devstack.kube import errors, protobuf, resources
from devstack.kube.contracts import ApiError, Policy, RequestAttributes, Resource, UserInfo, WriteRequest
from devstack.kube.faults import Faults
from devstack.kube.routes import Route, parse_route
from devstack.kube.scale import patched_scale, to_scale, with_replicas
from devstack.kube.store import RETURNS_DELETED_OBJECT, MemoryStore, load_state
from devstack.kube.strict import unknown_fields
from devstack.kube.tables import table_for, wants_table
from devstack.tls import TlsFiles

log = logging.getLogger(__name__)

DEFAULT_WATCH_SECONDS = 1800
SAVE_DELAY = 0.5  # seconds: state-file writes are debounced
_PATCH_OPTIONS = Resource("meta.k8s.io", "v1", "patchoptions", "PatchOptions", False)  # names PATCH option errors
_PATCH_TYPES = {"application/json-patch+json": "json", "application/merge-patch+json": "merge",
                "application/strategic-merge-patch+json": "strategic", "application/apply-patch+yaml": "apply"}


def status_body(error: ApiError) -> dict:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": error.message,
            **({"reason": error.reason} if error.reason else {}), "code": error.code}  # a webhook may give none
    if error.details:
        body["details"] = error.details
    return body


def who_am_i(_request: dict, user: UserInfo) -> dict:
    """SelfSubjectReview (`kubectl auth whoami`): answered by the apiserver itself from the authenticated user."""
    return {"status": {"userInfo": {"username": user.username, **({"uid": user.uid} if user.uid else {}),
                                    "groups": list(user.groups)}}}


class KubeApiServer:
    def __init__(self, policy: Policy, tls: TlsFiles | None = None, state_file: Path | None = None,
                 port: int = 0):
        self.policy = policy
        self.tls = tls
        self.state_file = Path(state_file) if state_file else None
        self.faults = Faults()
        self.store = MemoryStore(policy, on_change=self._changed if self.state_file else None)
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._save_timer: threading.Timer | None = None
        self._save_lock = threading.Lock()  # guards _save_timer
        self._write_lock = threading.Lock()  # one writer of the state file at a time

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    def start(self) -> "KubeApiServer":
        state = load_state(self.state_file) if self.state_file else None
        if state:
            self.store.load(state)
        self.store.seed_system_namespaces()
        handler = type("BoundHandler", (ApiRequestHandler,), {"api": self})
        self._httpd = _HttpServer(("127.0.0.1", self._port), handler, self._ssl_context())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="kube-apiserver",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.store.stop()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd = None
        if self.state_file:
            if self._save_timer:
                self._save_timer.cancel()
            self.save()

    def __enter__(self) -> "KubeApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def save(self) -> None:
        # _save_lock is taken under the store's lock (by _changed), so never hold it while reading the store.
        with self._save_lock:
            self._save_timer = None
        with self._write_lock:
            temporary = self.state_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.store.dump()))
            temporary.replace(self.state_file)

    def _changed(self) -> None:
        with self._save_lock:
            if self._save_timer is None:
                self._save_timer = threading.Timer(SAVE_DELAY, self.save)
                self._save_timer.daemon = True
                self._save_timer.start()

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.tls.cert), str(self.tls.key))
        return context


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, context: ssl.SSLContext | None):
        super().__init__(address, handler)
        if context:
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()  # in the worker thread, so a slow client cannot stall accept()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class ApiRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes; Nagle would add 40 ms per answer
    api: KubeApiServer

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _handle(self) -> None:
        split = urlsplit(self.path)
        self.warnings: list[str] = []
        self.query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            route = parse_route(self.command, split.path, self.query)
            latency, fault = self.api.faults.draw(route.verb)
            if latency:
                time.sleep(latency)
            if fault:
                raise fault
            self.user = user = self._authenticate()
            self._authorize(user, route)
            self._dispatch(route, user, body)
        except ApiError as error:
            self._send(error.code, status_body(error),
                       {"Retry-After": "1"} if error.code in (429, 503) else None)
        except Exception as error:  # a bug in the stand-in: answer like the apiserver's panic recovery
            log.exception("internal error on %s %s", self.command, split.path)
            self._send(500, status_body(ApiError(500, "InternalError", f"Internal error occurred: {error}")))

    def _send(self, code: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        for warning in self.warnings:
            self.send_header("Warning", f"299 - {json.dumps(warning)}")
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authenticate(self) -> UserInfo:
        header = self.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        user = self.api.policy.authenticator.authenticate(token) if token else None
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if "system:authenticated" not in user.groups:  # the apiserver's authenticated-group adder
            user = UserInfo(user.username, user.uid, (*user.groups, "system:authenticated"))
        return user

    def _authorize(self, user: UserInfo, route: Route) -> None:
        if route.resource is None:
            attributes = RequestAttributes(user=user, verb=route.verb, non_resource_path=route.path)
        else:
            attributes = RequestAttributes(user=user, verb=route.verb, api_group=route.resource.group,
                                           resource=route.resource.plural, subresource=route.subresource,
                                           namespace=route.namespace, name=route.name)
        allowed, reason = self.api.policy.authorizer.authorize(attributes)
        if allowed:
            return
        if route.resource is None:
            message = f'User "{user.username}" cannot {route.verb} path "{route.path}"'
            raise ApiError(403, "Forbidden", f"forbidden: {message}" + (f": {reason}" if reason else ""), {})
        plural = route.resource.plural + (f"/{route.subresource}" if route.subresource else "")
        where = f'in the namespace "{route.namespace}"' if route.namespace else "at the cluster scope"
        message = (f'User "{user.username}" cannot {route.verb} resource "{plural}" in API group '
                   f'"{route.resource.group}" {where}') + (f": {reason}" if reason else "")
        raise errors.forbidden(route.resource, route.name, message)

    def _read_body(self, body: bytes, content_type: str):
        if "protobuf" in content_type:
            return protobuf.decode(body)
        if "cbor" in content_type:
            raise ApiError(415, "UnsupportedMediaType", 'the body of the request was in an unknown format - '
                           'accepted media types include: application/json, application/yaml')
        if not body:
            raise errors.bad_request("the body of the request was in an unknown format")
        try:
            if content_type.endswith("yaml"):
                return yaml.safe_load(body)
            return json.loads(body)
        except (ValueError, yaml.YAMLError) as error:
            raise errors.bad_request(f"the body of the request was in an unknown format: {error}") from None

    # --- handlers ---------------------------------------------------------------------------------------------

    def _dispatch(self, route: Route, user: UserInfo, body: bytes) -> None:
        if route.document is not None:
            document = route.document()
            if isinstance(document, str):
                self._send_text(document)
            else:
                self._send(200, document)
            return
        resource = route.resource
        if resources.is_review(resource):
            self._review(resource, user, body)
            return
        handler = getattr(self, f"_{route.verb}")
        handler(route, body)

    def _review(self, resource: Resource, user: UserInfo, body: bytes) -> None:
        handler = self.api.policy.reviews.get((resource.group, resource.plural))
        if handler is None and resource.plural == "selfsubjectreviews":
            handler = who_am_i
        if self.command != "POST" or handler is None:
            raise ApiError(405 if handler else 404, "MethodNotAllowed" if handler else "NotFound",
                           "the server does not allow this method on the requested resource" if handler
                           else "the server could not find the requested resource")
        request = self._read_body(body, self.headers.get("Content-Type", ""))
        response = handler(request, user)
        response = {"apiVersion": resource.api_version, "kind": resource.kind,
                    **{k: v for k, v in response.items() if k not in ("apiVersion", "kind")}}
        response.setdefault("metadata", {})
        self._send(201, response)

    def _check_fields(self, resource: Resource, obj, patch: bool = False) -> None:
        """fieldValidation: Strict refuses unknown fields (kubectl's default), Warn (the default) warns, Ignore."""
        mode = self.query.get("fieldValidation") or "Warn"
        unknown = unknown_fields(resource, obj) if isinstance(obj, dict) and mode != "Ignore" else []
        if not unknown:
            return
        found = ", ".join(f'unknown field "{path}"' for path in unknown)
        if mode == "Strict":
            prefix = "" if patch else (f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                                       f"{resource.kind}: ")
            raise errors.bad_request(f"{prefix}strict decoding error: {found}")
        self.warnings += [f'unknown field "{path}"' for path in unknown]

    @property
    def _dry_run(self) -> bool:
        return self.query.get("dryRun") == "All"

    def _request(self, route: Route, options: dict | None = None, dry_run: bool | None = None) -> WriteRequest:
        """The caller and the request's options, for RBAC's escalation checks and admission webhooks."""
        dry_run = self._dry_run if dry_run is None else dry_run
        options = {k: v for k, v in (options or {}).items() if v}
        if dry_run:
            options["dryRun"] = ["All"]
        return WriteRequest(user=self.user, subresource=route.subresource, dry_run=dry_run, options=options,
                            warnings=self.warnings)

    def _manager(self, default_from_agent: bool = True) -> str:
        manager = self.query.get("fieldManager", "")
        if not manager and default_from_agent:
            manager = (self.headers.get("User-Agent") or "unknown").split("/")[0]
        return manager

    def _get(self, route: Route, _body: bytes) -> None:
        obj = self.api.store.get(route.resource, route.namespace, route.name)
        if route.subresource == "log":
            self._send_text("")  # no kubelet, no containers: every log is empty
            return
        self._send_object(to_scale(obj) if route.subresource == "scale" else obj)

    def _rescale(self, route: Route, scale: dict) -> None:
        store = self.api.store
        current = store.get(route.resource, route.namespace, route.name)
        # Admission sees the Deployment itself (the real server sends the Scale of deployments/scale).
        request = dataclasses.replace(self._request(route, {"fieldManager": self._manager()}), subresource="")
        updated = store.update(route.resource, route.namespace, with_replicas(current, scale), as_controller=False,
                               manager=self._manager(), dry_run=self._dry_run, request=request)
        self._send(200, to_scale(updated))

    def _send_object(self, obj: dict, code: int = 200) -> None:
        if wants_table(self.headers.get("Accept", "")):
            self._send(code, table_for(obj["kind"], [obj], obj["metadata"].get("resourceVersion", ""), "", 0))
        else:
            self._send(code, obj)

    def _list(self, route: Route, _body: bytes) -> None:
        store, resource = self.api.store, route.resource
        try:
            limit = int(self.query.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {self.query['limit']}") from None
        items, version, token, remaining = store.list_page(
            resource, route.namespace, self.query.get("labelSelector", ""), self.query.get("fieldSelector", ""),
            limit, self.query.get("continue", ""))
        if wants_table(self.headers.get("Accept", "")):
            self._send(200, table_for(resource.kind, items, version, token, remaining))
            return
        metadata = {"resourceVersion": version}
        if token:
            metadata.update({"continue": token, "remainingItemCount": remaining})
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        self._send(200, {"kind": f"{resource.kind}List", "apiVersion": resource.api_version, "metadata": metadata,
                         "items": items})

    def _create(self, route: Route, body: bytes) -> None:
        obj = self._read_body(body, self.headers.get("Content-Type", ""))
        self._check_fields(route.resource, obj)
        created = self.api.store.create(route.resource, route.namespace, obj, as_controller=False,
                                        manager=self._manager(), dry_run=self._dry_run,
                                        request=self._request(route, {"fieldManager": self._manager()}))
        self._send_object(created, 201)

    def _update(self, route: Route, body: bytes) -> None:
        obj = self._read_body(body, self.headers.get("Content-Type", ""))
        name = (obj.get("metadata") or {}).get("name", "") if isinstance(obj, dict) else ""
        if name != route.name:
            raise errors.bad_request(f"the name of the object ({name}) does not match the name on the URL "
                                     f"({route.name})")
        store = self.api.store
        if route.subresource == "scale":
            self._rescale(route, obj)
            return
        self._check_fields(route.resource, obj)
        request = self._request(route, {"fieldManager": self._manager()})
        if route.subresource == "status":
            updated = store.update_status(route.resource, route.namespace, obj, request=request,
                                          dry_run=self._dry_run)
        else:
            updated = store.update(route.resource, route.namespace, obj, as_controller=False,
                                   manager=self._manager(), dry_run=self._dry_run, request=request)
        self._send_object(updated)

    def _patch(self, route: Route, body: bytes) -> None:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = _PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           f"accepted media types include: {', '.join(_PATCH_TYPES)}")
        document = self._read_body(body, content_type)
        store, force = self.api.store, self.query.get("force") == "true"
        if patch_type == "apply" and route.subresource:
            raise ApiError(415, "UnsupportedMediaType", "this stand-in does not apply to subresources")
        if patch_type == "apply":
            manager = self._manager(default_from_agent=False)
            if not manager:
                raise errors.invalid(_PATCH_OPTIONS, "",
                                     [errors.FieldError("FieldValueRequired", "fieldManager",
                                                        "is required for apply patch")])
            if not isinstance(document, dict):
                raise errors.bad_request("the body of the request was in an unknown format")
            obj, created = store.apply(route.resource, route.namespace, route.name, document, manager=manager,
                                       force=force, dry_run=self._dry_run,
                                       request=self._request(route, {"fieldManager": manager, "force": force}))
            self._send_object(obj, 201 if created else 200)
            return
        if force:
            raise errors.invalid(_PATCH_OPTIONS, "",
                                 [errors.FieldError("FieldValueForbidden", "force",
                                                    "may not be specified for non-apply patch")])
        if route.subresource == "scale":
            current = store.get(route.resource, route.namespace, route.name)
            self._rescale(route, patched_scale(current, patch_type, document))
            return
        if patch_type != "json":
            self._check_fields(route.resource, document, patch=True)
        patched = store.patch(route.resource, route.namespace, route.name, patch_type, document,
                              manager=self._manager(), dry_run=self._dry_run, subresource=route.subresource,
                              request=self._request(route, {"fieldManager": self._manager()}))
        self._send_object(patched)

    def _delete_options(self, body: bytes) -> dict:
        options = self._read_body(body, self.headers.get("Content-Type", "")) if body else {}
        options = options if isinstance(options, dict) else {}
        propagation = self.query.get("propagationPolicy") or options.get("propagationPolicy") or ""
        if options.get("orphanDependents") is True or self.query.get("orphanDependents") == "true":
            propagation = "Orphan"
        dry_run = self._dry_run or "All" in (options.get("dryRun") or [])
        preconditions = options.get("preconditions") or {}
        return {"propagation": propagation, "dry_run": dry_run, "precondition_uid": preconditions.get("uid") or "",
                "precondition_version": preconditions.get("resourceVersion") or ""}

    def _delete(self, route: Route, body: bytes) -> None:
        resource = route.resource
        options = self._delete_options(body)
        request = self._request(route, {"propagationPolicy": options["propagation"]}, options["dry_run"])
        deleted = self.api.store.delete(resource, route.namespace, route.name, as_controller=False,
                                        request=request, **options)
        if resource.plural in RETURNS_DELETED_OBJECT or deleted["metadata"].get("deletionTimestamp"):
            self._send(200, deleted)
            return
        details = {"name": route.name, **({"group": resource.group} if resource.group else {}),
                   "kind": resource.plural, "uid": deleted["metadata"]["uid"]}
        self._send(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                         "details": details})

    def _deletecollection(self, route: Route, body: bytes) -> None:
        options = self._delete_options(body)
        deleted = self.api.store.delete_collection(
            route.resource, route.namespace, self.query.get("labelSelector", ""), self.query.get("fieldSelector", ""),
            options["propagation"], request=self._request(route, {"propagationPolicy": options["propagation"]}))
        self._send(200, {"kind": f"{route.resource.kind}List", "apiVersion": route.resource.api_version,
                         "metadata": {"resourceVersion": str(self.api.store.resource_version)}, "items": deleted})

    def _watch(self, route: Route, _body: bytes) -> None:
        try:
            timeout = float(self.query.get("timeoutSeconds") or DEFAULT_WATCH_SECONDS)
        except ValueError:
            raise errors.bad_request(f"invalid timeoutSeconds: {self.query['timeoutSeconds']}") from None
        try:
            field_selector = ",".join(filter(None, [self.query.get("fieldSelector", ""),
                                                    f"metadata.name={route.name}" if route.name else ""]))
            subscription = self.api.store.watch(route.resource, route.namespace, self.query.get("labelSelector", ""),
                                                field_selector, self.query.get("resourceVersion", ""))
        except ApiError as error:
            if error.code != 410:
                raise
            self._start_stream()
            self._send_chunk({"type": "ERROR", "object": status_body(error)})
            self._end_stream()
            return
        tables = wants_table(self.headers.get("Accept", ""))

        def as_table(obj: dict) -> dict:
            return table_for(obj["kind"], [obj], obj["metadata"].get("resourceVersion", ""), "", 0)

        self._start_stream()
        deadline = time.monotonic() + timeout
        try:
            while not subscription.closed.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    event = subscription.events.get(timeout=min(remaining, 0.25))
                except queue.Empty:
                    if self._client_gone():
                        break
                    continue
                if event is None:
                    break
                self._send_chunk({"type": event[0], "object": as_table(event[1]) if tables else event[1]})
            self._end_stream()
        except OSError:
            pass  # the client went away
        finally:
            self.api.store.changes.unsubscribe(subscription)
            self.close_connection = True

    def _client_gone(self) -> bool:
        """During a watch the client sends nothing, so a readable socket means it hung up."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.flush()

    def _send_chunk(self, event: dict) -> None:
        data = json.dumps(event).encode() + b"\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
