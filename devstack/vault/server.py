"""VaultServer: the Vault HTTP API v1 stand-in on loopback, with a lease reaper and test switches.

    with VaultServer(root_token="root") as vault:
        client = hvac.Client(url=vault.url, token="root")
        client.sys.enable_secrets_engine("database")
"""

import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from devstack.vault.core import Vault


class VaultServer:
    def __init__(self, root_token: str | None = None, port: int = 0, host: str = "127.0.0.1",
                 clock: Callable[[], float] = time.time, reap_interval: float | None = 0.2):
        """`reap_interval=None` turns the background reaper off, so expiry happens only via reap()."""
        self.root_token = root_token or secrets.token_urlsafe(20)
        self.vault = Vault(self.root_token, clock=clock)
        self._host, self._port = host, port
        self._reap_interval = reap_interval
        self._httpd: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()
        self._reaper: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        """What VAULT_ADDR / hvac.Client(url=...) takes; the API lives under /v1."""
        return f"http://{self._host}:{self.port}"

    @property
    def clock(self) -> Callable[[], float]:
        return self.vault.clock

    @property
    def unseal_key(self) -> str:
        """The one key share PUT sys/unseal accepts."""
        return self.vault.unseal_key

    def start(self) -> "VaultServer":
        self._httpd = ThreadingHTTPServer((self._host, self._port), _handler_for(self.vault))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="vault-api",
                         daemon=True).start()
        if self._reap_interval is not None:
            self._reaper = threading.Thread(target=self._reap_forever, name="vault-reaper", daemon=True)
            self._reaper.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._reaper:
            self._reaper.join(timeout=5)
        for entry in list(self.vault.secret_mounts.values()):
            close = getattr(entry.backend, "close", None)
            if close:
                close()

    def __enter__(self) -> "VaultServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _reap_forever(self) -> None:
        while not self._stopping.wait(self._reap_interval):
            self.vault.reap()

    # ---- switches and hooks for tests ----------------------------------------------------------------------

    def seal(self) -> None:
        """Every call but sys/health, sys/seal-status, sys/init and sys/unseal now answers 503."""
        self.vault.seal()

    def unseal(self) -> None:
        self.vault.unseal()

    def reap(self) -> None:
        """Revoke everything whose time has come, now, in this thread."""
        self.vault.reap()

    def expire_now(self, lease_id: str) -> None:
        """Let one lease run out and revoke it as expiry would."""
        lease = self.vault.leases.get(lease_id)
        if lease is None:
            raise KeyError(lease_id)
        lease.expire_time = self.vault.clock()
        self.vault.reap()


def _handler_for(vault: Vault):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "vault-standin"

        def log_message(self, *args):  # requests carry tokens and credentials: nothing goes to the log
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not parts.path.startswith("/v1/"):
                self._send(404, None, text="404 page not found\n")
                return
            try:
                data = json.loads(raw) if raw.strip() else {}
                if not isinstance(data, dict):
                    raise ValueError
            except ValueError:
                self._send(400, {"errors": ["error parsing JSON"]})
                return
            if self.command in ("GET", "HEAD", "LIST", "DELETE"):
                data = {**dict(parse_qsl(parts.query)), **data}
            outcome = vault.handle(self.command, parts.path[len("/v1/"):], data, self._token(),
                                   self.headers.get("X-Vault-Wrap-TTL"))
            self._send(outcome.status, outcome.body)

        def _token(self) -> str | None:
            token = self.headers.get("X-Vault-Token")
            if token:
                return token
            authorization = self.headers.get("Authorization", "")
            return authorization[len("Bearer "):].strip() if authorization.startswith("Bearer ") else None

        def _send(self, status: int, body: dict | None, text: str | None = None) -> None:
            payload = json.dumps(body).encode() if body is not None else (text or "").encode()
            self.send_response(status)
            self.send_header("Cache-Control", "no-store")
            if body is not None:
                self.send_header("Content-Type", "application/json")
            elif text:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            if status != 204:
                self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(payload)))
            self.end_headers()
            if status != 204 and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_LIST = do_HEAD = _serve

    return Handler
