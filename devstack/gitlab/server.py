"""GitLabServer: the REST v4 stand-in on loopback, with its Python admin surface and fault switches.

    with GitLabServer(token="admin-token") as gitlab:
        course = gitlab.create_group("CS 101", "cs101")
        gl = gitlab_client.Gitlab(gitlab.url, private_token="admin-token")
"""

import json
import secrets
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from devstack.gitlab import errors
from devstack.gitlab.api import Api, Call, Reply
from devstack.gitlab.faults import ApiFaults
from devstack.gitlab.hooks import SystemHooks
from devstack.gitlab.model import GROUP, UNCHANGED, GitLabModel
from devstack.gitlab.records import Group, Membership, Project, User

API_PREFIX = "/api/v4"
_GATEWAY_PAGE = "<html><body><h1>{status}</h1><p>The GitLab stand-in was told to fail.</p></body></html>"


class GitLabServer:
    def __init__(self, token: str | None = None, port: int = 0, host: str = "127.0.0.1"):
        self.model = GitLabModel()
        self.hooks = SystemHooks()
        self.model.subscribe(self.hooks.publish)
        self.faults = ApiFaults()
        self.requests: deque[tuple[str, str]] = deque(maxlen=100_000)  # (method, path) of API requests, for tests
        self.root = self.model.create_user("root", "Administrator", "admin@campus.example", is_admin=True)
        self.token = token or secrets.token_urlsafe(20)
        self._tokens: dict[str, int] = {self.token: self.root.id}
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        """The instance URL, what python-gitlab's Gitlab(url) takes; the API lives under /api/v4."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> "GitLabServer":
        self._httpd = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.api = Api(self.model, self.hooks, self.url)
        self.hooks.start()
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="gitlab-api",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        self.hooks.stop()

    def __enter__(self) -> "GitLabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- tokens --------------------------------------------------------------------------------------------

    def add_token(self, username: str, token: str | None = None) -> str:
        """A personal access token for an existing user; admin rights follow the user's is_admin."""
        user = self.model.user_by_username(username)
        if user is None:
            raise errors.not_found("User")
        token = token or secrets.token_urlsafe(20)
        self._tokens[token] = user.id
        return token

    def user_for_token(self, token: str | None) -> User | None:
        user_id = self._tokens.get(token or "")
        return self.model.users.get(user_id) if user_id is not None else None

    # ---- admin surface: the same changes the API makes, with the same system hooks -------------------------

    def create_user(self, username: str, name: str | None = None, email: str | None = None,
                    is_admin: bool = False) -> User:
        return self.model.create_user(username, name, email, is_admin=is_admin)

    def rename_user(self, username: str, new_username: str) -> User:
        return self.model.rename_user(self._user(username).id, new_username)

    def block_user(self, username: str) -> User:
        return self.model.set_user_state(self._user(username).id, "blocked")

    def unblock_user(self, username: str) -> User:
        return self.model.set_user_state(self._user(username).id, "active")

    def delete_user(self, username: str) -> None:
        self.model.delete_user(self._user(username).id)

    def create_group(self, name: str, path: str, parent: str | int | None = None, description: str = "") -> Group:
        parent_id = self.model.group(parent).id if parent is not None else None
        return self.model.create_group(name, path, parent_id, description)

    def rename_group(self, group: str | int, path: str | None = None, name: str | None = None) -> Group:
        return self.model.update_group(group, name=name, path=path)

    def transfer_group(self, group: str | int, new_parent: str | int | None) -> Group:
        parent_id = self.model.group(new_parent).id if new_parent is not None else None
        return self.model.transfer_group(group, parent_id)

    def delete_group(self, group: str | int) -> None:
        self.model.delete_group(group)

    def create_project(self, name: str, namespace: str | int, path: str | None = None) -> Project:
        return self.model.create_project(name, self.model.group(namespace).id, path=path)

    def rename_project(self, project: str | int, path: str | None = None, name: str | None = None) -> Project:
        return self.model.update_project(project, name=name, path=path)

    def transfer_project(self, project: str | int, namespace: str | int) -> Project:
        return self.model.transfer_project(project, namespace)

    def delete_project(self, project: str | int) -> None:
        self.model.delete_project(project)

    def add_member(self, source: str | int, username: str, access_level: int, expires_at: str | None = None,
                   kind: str = GROUP) -> Membership:
        """kind is "group" or "project"; source an id or full path."""
        return self.model.add_member(kind, source, self._user(username).id, access_level, expires_at)

    def update_member(self, source: str | int, username: str, access_level: int, expires_at=UNCHANGED,
                      kind: str = GROUP) -> Membership:
        return self.model.update_member(kind, source, self._user(username).id, access_level, expires_at)

    def remove_member(self, source: str | int, username: str, kind: str = GROUP) -> None:
        self.model.remove_member(kind, source, self._user(username).id)

    def add_system_hook(self, url: str, token: str | None = None):
        return self.hooks.add(url, token)

    def _user(self, username: str) -> User:
        user = self.model.user_by_username(username)
        if user is None:
            raise errors.not_found("User")
        return user

    # ---- HTTP ----------------------------------------------------------------------------------------------

    def answer(self, method: str, raw_path: str, headers, body: bytes) -> Reply:
        """One API request, with auth and the fault switches; errors become GitLab's error answers."""
        parts = urlsplit(raw_path)
        if not parts.path.startswith(API_PREFIX + "/"):
            return Reply(404, {"error": "404 Not Found"})
        api_path = parts.path[len(API_PREFIX):]
        self.requests.append((method, api_path))
        query = _query(parts.query)
        faults = self.faults if self.faults.applies_to(api_path) else None
        if faults and faults.latency_seconds:
            self._stopping.wait(faults.latency_seconds)
        if faults and faults.take_error():
            return _failure(faults.error_status)
        try:
            user = self.user_for_token(_token(headers, query))
            if user is None:
                raise errors.unauthorized()
            if user.state == "blocked":
                raise errors.GitLabError(403, {"message": "403 Forbidden - Your account has been blocked."})
            call = Call(method, api_path, query, _body(headers, body), user, f"{self.url}{API_PREFIX}{api_path}",
                        faults.truncate_after_pages if faults else None)
            reply = self.api.dispatch(call)
            if faults and faults.empty_lists and isinstance(reply.body, list):
                reply = Reply(reply.status, [], {**reply.headers, "X-Total": "0", "X-Total-Pages": "1",
                                                 "X-Next-Page": "", "Link": ""})
            return reply
        except errors.GitLabError as error:
            return Reply(error.status, error.body)
        except Exception:  # a bug in the stand-in answers like a bug in GitLab: 500, not a dropped connection
            return _failure(500)


def _query(raw: str) -> dict:
    """Query parameters; array parameters (`user_ids[]=1&user_ids[]=2`) and repeated keys become lists."""
    query: dict = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in query or name.endswith("[]"):
            previous = query.get(name, [])
            query[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[name] = value
    return query


def _token(headers, query: dict) -> str | None:
    authorization = headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization[len("Bearer "):]
    return headers.get("PRIVATE-TOKEN") or query.pop("private_token", None)


def _body(headers, raw: bytes) -> dict:
    if not raw:
        return {}
    content_type = headers.get("Content-Type", "")
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise errors.GitLabError(400, {"error": "The provided content-type 'application/json' is not supported."}) \
                from None
        return parsed if isinstance(parsed, dict) else {}
    return dict(parse_qsl(raw.decode(), keep_blank_values=True))


def _failure(status: int) -> Reply:
    if status == 500:
        return Reply(500, {"message": "500 Internal Server Error"})
    return Reply(status, _GATEWAY_PAGE.format(status=status), {"Content-Type": "text/html"})


def _handler_for(server: GitLabServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for delayed ACKs

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = server.answer(self.command, self.path, self.headers, body)
            headers = dict(reply.headers)
            if isinstance(reply.body, str):
                payload = reply.body.encode()
            else:
                payload = b"" if reply.status == 204 else json.dumps(reply.body).encode()
                headers.setdefault("Content-Type", "application/json")
            self.send_response(reply.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format, *args):  # requests can carry tokens in the query: log nothing
            pass

    return Handler
