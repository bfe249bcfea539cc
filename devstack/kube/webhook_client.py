"""Calling an admission webhook as kube-apiserver's webhook client does: POST the AdmissionReview as JSON to
`clientConfig.url` (or the service it names) with `?timeout=<n>s`, trusting `clientConfig.caBundle` for https, with
the admission kubeconfig's bearer token if one is configured. Failures carry the Go client's wording.

A `clientConfig.service` cannot be reached here (no cluster network): `services` maps (namespace, name, port) to a
base URL on loopback, http or https, that stands for the Service.
"""

import base64
import json
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from devstack.kube.contracts import ApiError

USER_AGENT = "kube-apiserver-admission"
_GENERIC = {400: "the server rejected our request for an unknown reason",
            401: "the server has asked for the client to provide credentials",
            403: "the server does not allow access to the requested resource",
            404: "the server could not find the requested resource",
            405: "the server does not allow this method on the requested resource",
            429: "the server has received too many requests and has asked us to try again later",
            503: "the server is currently unable to handle the request",
            504: "the server was unable to return a response in the time allotted, but may still be processing the "
                 "request"}


class CallError(Exception):
    """The request to the webhook failed (webhookutil.ErrCallingWebhook's reason, without the webhook's name)."""


class WebhookClient:
    def __init__(self, services: dict[tuple[str, str, int], str] | None = None, token: str | None = None):
        self.services = services if services is not None else {}  # read on every call: callers may add later
        self._token = token  # never logged: it goes into one header and nowhere else

    def target(self, config: dict, timeout: int, service_exists) -> tuple[str, str]:
        """(the URL to call, the URL as the real server would name it in errors); raises CallError if unresolvable."""
        query = f"?timeout={timeout}s"
        if config.get("url") is not None:
            return config["url"] + query, config["url"] + query
        service = config["service"]
        name, namespace, port, path = service["name"], service["namespace"], service.get("port", 443), \
            service.get("path") or ""
        shown = f"https://{name}.{namespace}.svc:{port}{path}{query}"
        base = self.services.get((namespace, name, port))
        if base is None:
            why = (f'no endpoints available for service "{name}"' if service_exists(namespace, name)
                   else f'service "{name}" not found')
            raise CallError(f'failed to call webhook: Post "{shown}": {why}')
        return base.rstrip("/") + path + query, shown

    def post(self, config: dict, review: dict, timeout: int, service_exists) -> dict:
        url, shown = self.target(config, timeout, service_exists)
        headers = {"Content-Type": "application/json", "Accept": "application/json, */*", "User-Agent": USER_AGENT}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(url, data=json.dumps(review).encode(), headers=headers, method="POST")
        handlers: list = [urllib.request.ProxyHandler({})]  # loopback only: never through a proxy
        if url.startswith("https:"):
            handlers.append(urllib.request.HTTPSHandler(context=_tls_context(config.get("caBundle"))))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise CallError(f"failed to call webhook: {_status_message(error.code, error.read())}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            raise CallError(f'failed to call webhook: Post "{shown}": {_transport_message(reason, url)}') from None
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise CallError(f"failed to call webhook: couldn't get version/kind; json parse error: {error}") from None
        if not isinstance(answer, dict):
            raise CallError("failed to call webhook: couldn't get version/kind; json parse error: not an object")
        return answer


def _tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    if not ca_bundle:
        return ssl.create_default_context()  # the system roots, as the real client without a caBundle
    try:
        return ssl.create_default_context(cadata=base64.b64decode(ca_bundle).decode())
    except (ValueError, ssl.SSLError) as error:
        raise ApiError(500, "InternalError", f"Internal error occurred: unable to load root certificates: {error}") \
            from None


def _transport_message(reason, url: str) -> str:
    parts = urlsplit(url)
    address = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    if isinstance(reason, ssl.SSLCertVerificationError):
        if "mismatch" in (reason.verify_message or ""):
            return f"tls: failed to verify certificate: x509: certificate is not valid for {parts.hostname}"
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    if isinstance(reason, ConnectionRefusedError):
        return f"dial tcp {address}: connect: connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "context deadline exceeded"
    if isinstance(reason, ConnectionResetError):
        return "read: connection reset by peer"
    return str(reason)


def _status_message(code: int, body: bytes) -> str:
    """What client-go makes of an error answer: the Status it carries, else a generic text for the code."""
    try:
        status = json.loads(body)
        if isinstance(status, dict) and status.get("kind") == "Status" and status.get("message"):
            return status["message"]
    except ValueError:
        pass
    text = body.decode(errors="replace").strip()
    if code == 500 or code not in _GENERIC:
        return f'an error on the server ("{text}") has prevented the request from succeeding'
    return _GENERIC[code]
