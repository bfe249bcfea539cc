"""A GitLab stand-in per test (it starts in milliseconds) and a real HTTP endpoint that receives system hooks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gitlab
import pytest

from devstack.gitlab import GitLabServer

ADMIN_TOKEN = "admin-token-for-tests"


@pytest.fixture
def server():
    with GitLabServer(token=ADMIN_TOKEN) as running:
        yield running


@pytest.fixture
def gl(server):
    return gitlab.Gitlab(server.url, private_token=ADMIN_TOKEN)


class HookReceiver:
    """Records every POST (headers and JSON body); answers `status` (tests may change it)."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.status = 200
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._changed:
                    receiver.received.append((dict(self.headers), body))
                    receiver._changed.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/gitlab-hook"

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """For hooks sent by another process: block until `count` deliveries arrived."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} system hooks arrived")

    def events(self) -> list[str]:
        return [body.get("event_name") for _, body in self.received]

    def last(self, event_name: str) -> tuple[dict, dict]:
        return [(h, b) for h, b in self.received if b.get("event_name") == event_name][-1]

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def receiver():
    running = HookReceiver()
    yield running
    running.stop()
