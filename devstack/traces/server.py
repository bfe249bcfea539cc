"""TraceServer: a Zipkin v2 trace backend stand-in on loopback, with its Python surface and outage switches.

    with TraceServer() as zipkin:
        exporter = ZipkinExporter(endpoint=zipkin.spans_url)   # any Zipkin v2 JSON reporter
        ...
        zipkin.traces()          # every stored trace, newest first
        zipkin.faults.fail_next = 1
"""

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from devstack.traces import codec
from devstack.traces.api import PREFIX, Api, Reply, text
from devstack.traces.faults import TraceFaults
from devstack.traces.query import DEFAULT_LOOKBACK_MS
from devstack.traces.store import DEFAULT_MAX_SPANS, TraceStore


class TraceServer:
    def __init__(self, port: int = 0, host: str = "127.0.0.1", max_spans: int = DEFAULT_MAX_SPANS,
                 default_lookback_ms: int = DEFAULT_LOOKBACK_MS):
        self.store = TraceStore(max_spans)
        self.faults = TraceFaults()
        self.api = Api(self.store, default_lookback_ms)
        self.requests: deque[tuple[str, str]] = deque(maxlen=100_000)  # (method, path) of API requests
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        """The base URL (Zipkin's `http://host:9411`); the API lives under /api/v2."""
        return f"http://{self._host}:{self.port}"

    @property
    def spans_url(self) -> str:
        """The collector endpoint reporters POST to."""
        return f"{self.url}{PREFIX}/spans"

    def start(self) -> "TraceServer":
        self._stopping.clear()
        self._httpd = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="trace-api",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # requests hanging on latency_seconds answer at once
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> "TraceServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- Python surface for tests --------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every span (as Zipkin's in-memory storage does on restart); the switches are kept."""
        self.store.clear()
        self.requests.clear()

    def accept(self, spans: list[dict]) -> None:
        """Store spans as if POSTed (same normalisation; codec.SpanError with Zipkin's message when bad)."""
        self.store.accept(codec.decode_spans(codec.encode(spans)))

    def trace(self, trace_id: str) -> list[dict]:
        """The spans of one trace as GET /api/v2/trace/{id} returns them; [] when unknown."""
        return self.store.trace(codec.normalize_trace_id(trace_id))

    def traces(self) -> list[list[dict]]:
        """Every stored trace, newest first, with no time window or limit."""
        return self.store.traces()

    @property
    def span_count(self) -> int:
        return self.store.span_count

    # ---- HTTP ----------------------------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers, body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        self.requests.append((method, parts.path))
        if parts.path.startswith("/api/"):
            if self.faults.latency_seconds:
                self._stopping.wait(self.faults.latency_seconds)
            if self.faults.take_failure():
                status = self.faults.error_status
                return text(status, f"{status}: the trace stand-in was told to fail")
        params: dict[str, str] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            params.setdefault(name, value)  # the first of repeated parameters, as Armeria binds them
        try:
            return self.api.dispatch(method, parts.path, params, headers, body)
        except Exception as error:  # a bug in the stand-in answers like a storage error in Zipkin: 500
            return text(500, f"{type(error).__name__}: {error}")


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _handler_for(server: TraceServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for delayed ACKs

        def _handle(self):
            reply = server.answer(self.command, self.path, self.headers, _read_body(self))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def log_message(self, format, *args):
            pass

    return Handler
