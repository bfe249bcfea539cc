"""A real admission webhook server for the tests: HTTPS (or plain HTTP) on a random loopback port, one answer
function per path, every AdmissionReview it was sent kept with its headers."""

import base64
import json
import ssl
import threading
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from devstack.tls import TlsFiles
from tests.devstack.kube.conftest import api_client

Answer = Callable[[dict], dict]  # the request's AdmissionReview -> the `response` part of the answer


def allow(_review: dict) -> dict:
    return {"allowed": True}


def deny(message: str, code: int | None = None) -> Answer:
    return lambda _review: {"allowed": False, "status": {"message": message, **({"code": code} if code else {})}}


def patch(*operations: dict) -> Answer:
    encoded = base64.b64encode(json.dumps(list(operations)).encode()).decode()
    return lambda _review: {"allowed": True, "patchType": "JSONPatch", "patch": encoded}


class AdmissionServer:
    def __init__(self, tls: TlsFiles | None):
        self.routes: dict[str, Answer] = {}
        self.raw: dict[str, Callable[[dict], dict]] = {}  # path -> whole answer body, for malformed answers
        self.received: list[tuple[str, dict, dict]] = []  # (path, headers, review)
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                path = urlsplit(self.path).path
                review = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with outer.lock:
                    outer.received.append((path, dict(self.headers) | {"path": self.path}, review))
                if path in outer.raw:
                    body = outer.raw[path](review)
                else:
                    answer = outer.routes.get(path, allow)(review)
                    body = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                            "response": {"uid": review["request"]["uid"], **answer}}
                data = json.dumps(body).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the API server gave up waiting (the timeout tests)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        self.ca_bundle = ""
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls.cert), str(tls.key))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.ca_bundle = base64.b64encode(Path(tls.ca_cert).read_bytes()).decode()
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def reviews(self, path: str) -> list[dict]:
        with self.lock:
            return [review for seen, _headers, review in self.received if seen == path]

    def headers(self, path: str) -> list[dict]:
        with self.lock:
            return [headers for seen, headers, _review in self.received if seen == path]

    def __enter__(self) -> "AdmissionServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- helpers for the webhook tests -------------------------------------------------------------------------------

CAMPUS_TOKEN = "campus-token-for-webhook-tests"
HOOK_TOKEN = "token-the-apiserver-shows-webhooks"
SERVICE = ("campus-system", "campus", 443)



def webhook(name: str, client_config: dict, resources=("configmaps",), operations=("CREATE",),
            namespace: str | None = None, **extra) -> dict:
    """A webhook on core resources; `namespace` limits it (namespaceSelector) to the namespace made for a test."""
    hook = {"name": name, "clientConfig": client_config, "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "rules": [{"operations": list(operations), "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": list(resources)}], **extra}
    if namespace:
        hook["namespaceSelector"] = {"matchLabels": {"hooks-test": namespace}}
    return hook


@contextmanager
def registered(api, kind: str, name: str, *webhooks: dict):
    """A Validating- or MutatingWebhookConfiguration for the length of a `with`."""
    from kubernetes import client

    admission = client.AdmissionregistrationV1Api(api)
    create, delete = ((admission.create_validating_webhook_configuration,
                       admission.delete_validating_webhook_configuration) if kind == "validating" else
                      (admission.create_mutating_webhook_configuration,
                       admission.delete_mutating_webhook_configuration))
    create({"metadata": {"name": name}, "webhooks": list(webhooks)})
    try:
        yield
    finally:
        delete(name)


def config_map(name: str, labels: dict | None = None) -> dict:
    return {"metadata": {"name": name, "labels": labels or {}}, "data": {"k": "v"}}


def refused(call) -> tuple[int, dict]:
    """The status code and Status body of a call the API refuses."""
    from kubernetes.client.rest import ApiException

    try:
        call()
    except ApiException as error:
        return error.status, json.loads(error.body)
    raise AssertionError("the call was not refused")


def api_for(cluster, token: str = CAMPUS_TOKEN):
    """The official client against a whole stand-in cluster, as `token`."""
    return api_client(cluster.server, token)
