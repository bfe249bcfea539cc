"""The REST v4 endpoints: routing, parameters and answers, over the model and the system hook registry."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from devstack.gitlab import errors
from devstack.gitlab.hooks import SystemHooks
from devstack.gitlab.model import GROUP, PROJECT, UNCHANGED, GitLabModel
from devstack.gitlab.pagination import paginate
from devstack.gitlab.records import User
from devstack.gitlab.representations import Presenter

OWNER = 50
GITLAB_VERSION = {"version": "17.11.0", "revision": "devstack", "kas": {"enabled": False}, "enterprise": False}


@dataclass
class Call:
    method: str
    path: str  # the API path after /api/v4, still URL-encoded
    query: dict[str, str]
    body: dict
    user: User
    page_url: str  # absolute URL of this resource without query, for Link headers
    served_pages: int | None = None  # the truncate-pagination switch

    def param(self, name: str, default=None):
        """Request parameters come from the body or the query string (`name` or array `name[]`), as Grape merges."""
        for source in (self.body, self.query):
            for key in (name, f"{name}[]"):
                if key in source:
                    return source[key]
        return default

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.param(name)
        if value is None:
            return default
        return value is True or str(value).lower() in ("true", "1", "yes")

    def require(self, *names: str) -> list:
        missing = [n for n in names if self.param(n) in (None, "")]
        if missing:
            raise errors.invalid_param(", ".join(f"{n} is missing" for n in missing))
        return [self.param(n) for n in names]

    def ids(self, name: str) -> set[int] | None:
        raw = self.param(name)
        if raw in (None, ""):
            return None
        values = raw if isinstance(raw, list) else str(raw).split(",")
        try:
            return {int(v) for v in values}
        except ValueError:
            raise errors.invalid_param(f"{name} is invalid") from None


@dataclass
class Reply:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


ACCEPTED = Reply(202, {"message": "202 Accepted"})
NO_CONTENT = Reply(204)


class Api:
    def __init__(self, model: GitLabModel, hooks: SystemHooks, web_root: str):
        self.model = model
        self.hooks = hooks
        self.present = Presenter(model, web_root)
        self.routes: list[tuple[str, list[str], Callable]] = []
        for method, pattern, handler in self._route_table():
            self.routes.append((method, pattern.split("/"), handler))

    def _route_table(self):
        member_routes = []
        for kind in (GROUP, PROJECT):
            base = f"{kind}s/:id/members"
            member_routes += [
                ("GET", base, self._members(kind, inherited=False)),
                ("GET", f"{base}/all", self._members(kind, inherited=True)),
                ("GET", f"{base}/all/:user_id", self._member(kind, inherited=True)),
                ("GET", f"{base}/:user_id", self._member(kind, inherited=False)),
                ("POST", base, self._add_member(kind)),
                ("PUT", f"{base}/:user_id", self._update_member(kind)),
                ("DELETE", f"{base}/:user_id", self._remove_member(kind)),
            ]
        return [
            ("GET", "version", lambda call: Reply(200, GITLAB_VERSION)),
            ("GET", "user", lambda call: Reply(200, self.present.user(call.user, admin_view=True))),
            ("GET", "users", self.list_users),
            ("POST", "users", self.create_user),
            ("GET", "users/:id", self.get_user),
            ("PUT", "users/:id", self.update_user),
            ("DELETE", "users/:id", self.delete_user),
            ("POST", "users/:id/block", self._set_user_state("blocked")),
            ("POST", "users/:id/unblock", self._set_user_state("active")),
            ("GET", "groups", self.list_groups),
            ("POST", "groups", self.create_group),
            ("GET", "groups/:id", lambda call, id: Reply(200, self.present.group(self.model.group(id)))),
            ("PUT", "groups/:id", self.update_group),
            ("DELETE", "groups/:id", self.delete_group),
            ("POST", "groups/:id/transfer", self.transfer_group),
            ("GET", "groups/:id/subgroups", self._child_groups(descendants=False)),
            ("GET", "groups/:id/descendant_groups", self._child_groups(descendants=True)),
            ("GET", "groups/:id/projects", self.list_group_projects),
            ("POST", "groups/:id/projects/:project_id", self.transfer_project_to_group),
            ("GET", "projects", self.list_projects),
            ("POST", "projects", self.create_project),
            ("GET", "projects/:id", lambda call, id: Reply(200, self.present.project(self.model.project(id)))),
            ("PUT", "projects/:id", self.update_project),
            ("DELETE", "projects/:id", self.delete_project),
            ("PUT", "projects/:id/transfer", self.transfer_project),
            *member_routes,
            ("GET", "hooks", lambda call: self._page(call, self.hooks.all(), self.present.hook)),
            ("POST", "hooks", self.create_hook),
            ("GET", "hooks/:id", lambda call, id: Reply(200, self.present.hook(self.hooks.get(id)))),
            ("PUT", "hooks/:id", self.update_hook),
            ("POST", "hooks/:id", self.test_hook),
            ("DELETE", "hooks/:id", self.delete_hook),
        ]

    def dispatch(self, call: Call) -> Reply:
        segments = [unquote(s) for s in call.path.strip("/").split("/")]
        for method, pattern, handler in self.routes:
            params = _match(pattern, segments)
            if params is None or method != call.method:
                continue
            # Changes and the system hook registry are for administrators; everyone may read the rest.
            if (call.method != "GET" or pattern[0] == "hooks") and not call.user.is_admin:
                raise errors.forbidden()
            with self.model.lock:
                return handler(call, **params)
        raise errors.route_not_found()

    def _page(self, call: Call, items: list, present: Callable) -> Reply:
        chunk, headers = paginate(items, call.query, call.page_url, call.served_pages)
        return Reply(200, [present(item) for item in chunk], headers)

    # ---- users ---------------------------------------------------------------------------------------------

    def list_users(self, call: Call) -> Reply:
        users = list(self.model.users.values())
        if call.param("username"):
            users = [u for u in users if u.username.lower() == call.param("username").lower()]
        if call.param("search"):
            needle = call.param("search").lower()
            users = [u for u in users if needle in f"{u.username}\n{u.name}\n{u.email}".lower()]
        if call.flag("active"):
            users = [u for u in users if u.state == "active"]
        if call.flag("blocked"):
            users = [u for u in users if u.state == "blocked"]
        users = _ordered(call, users, {"id": lambda u: u.id, "name": lambda u: u.name.lower(),
                                       "username": lambda u: u.username.lower(), "created_at": lambda u: u.id},
                         default=("id", "desc"))
        return self._page(call, users, lambda u: self.present.user(u, call.user.is_admin))

    def get_user(self, call: Call, id) -> Reply:
        return Reply(200, self.present.user(self.model.user(id), call.user.is_admin))

    def create_user(self, call: Call) -> Reply:
        email, name, username = call.require("email", "name", "username")
        user = self.model.create_user(username, name, email, is_admin=call.flag("admin"))
        return Reply(201, self.present.user(user, admin_view=True))

    def update_user(self, call: Call, id) -> Reply:
        user = self.model.user(id)
        if call.param("username"):
            self.model.rename_user(user.id, call.param("username"))
        if call.param("name"):
            user.name = call.param("name")
        return Reply(200, self.present.user(user, admin_view=True))

    def delete_user(self, call: Call, id) -> Reply:
        self.model.delete_user(id)
        return NO_CONTENT

    def _set_user_state(self, state: str):
        def handler(call: Call, id) -> Reply:
            self.model.set_user_state(id, state)
            return Reply(201, True)
        return handler

    # ---- groups --------------------------------------------------------------------------------------------

    _GROUP_ORDER = {"name": lambda g: g.name.lower(), "path": lambda g: g.path.lower(), "id": lambda g: g.id}

    def _filter_groups(self, call: Call, groups: list) -> list:
        if call.param("search"):
            needle = call.param("search").lower()
            groups = [g for g in groups if needle in g.name.lower() or needle in g.path.lower()]
        skip = call.ids("skip_groups")
        if skip:
            groups = [g for g in groups if g.id not in skip]
        if call.param("min_access_level"):
            level = int(call.param("min_access_level"))
            groups = [g for g in groups if any(m.user_id == call.user.id and m.access_level >= level
                                               for m in self.model.effective_members(GROUP, g.id))]
        return _ordered(call, groups, self._GROUP_ORDER, default=("name", "asc"))

    def list_groups(self, call: Call) -> Reply:
        groups = list(self.model.groups.values())
        if call.flag("top_level_only"):
            groups = [g for g in groups if g.parent_id is None]
        return self._page(call, self._filter_groups(call, groups), self.present.group)

    def _child_groups(self, descendants: bool):
        def handler(call: Call, id) -> Reply:
            group = self.model.group(id)
            found = self.model.descendants(group) if descendants else self.model.subgroups(group)
            return self._page(call, self._filter_groups(call, found), self.present.group)
        return handler

    def create_group(self, call: Call) -> Reply:
        name, path = call.require("name", "path")
        group = self.model.create_group(name, path, parent_id=call.param("parent_id"),
                                        description=call.param("description", ""),
                                        visibility=call.param("visibility", "private"))
        # Groups::CreateService makes the creator an owner of the new group.
        self._make_owner(group, call.user)
        return Reply(201, self.present.group(group))

    def update_group(self, call: Call, id) -> Reply:
        group = self.model.update_group(id, name=call.param("name"), path=call.param("path"),
                                        description=call.param("description"))
        return Reply(200, self.present.group(group))

    def delete_group(self, call: Call, id) -> Reply:
        self.model.delete_group(id)
        return ACCEPTED

    def transfer_group(self, call: Call, id) -> Reply:
        group = self.model.transfer_group(id, call.param("group_id"))
        # Groups::TransferService#ensure_ownership: a new top-level group without an owner gets the caller.
        owners = [m for m in self.model.direct_members(GROUP, group.id) if m.access_level == OWNER]
        if group.parent_id is None and not owners:
            self._make_owner(group, call.user)
        return Reply(201, self.present.group(group))

    def _make_owner(self, group, user: User) -> None:
        """Group#add_owner: a new membership, or an existing one raised to Owner."""
        if user.id in {m.user_id for m in self.model.direct_members(GROUP, group.id)}:
            self.model.update_member(GROUP, group.id, user.id, OWNER)
        else:
            self.model.add_member(GROUP, group.id, user.id, OWNER)

    def list_group_projects(self, call: Call, id) -> Reply:
        group = self.model.group(id)
        projects = self.model.group_projects(group, include_subgroups=call.flag("include_subgroups"))
        return self._page(call, self._filter_projects(call, projects), self.present.project)

    def transfer_project_to_group(self, call: Call, id, project_id) -> Reply:
        group = self.model.group(id)
        self.model.transfer_project(project_id, group.id)
        return Reply(201, self.present.group(group))

    # ---- projects ------------------------------------------------------------------------------------------

    _PROJECT_ORDER = {"id": lambda p: p.id, "name": lambda p: p.name.lower(), "path": lambda p: p.path.lower(),
                      "created_at": lambda p: p.id, "updated_at": lambda p: p.updated_at,
                      "last_activity_at": lambda p: p.updated_at}

    def _filter_projects(self, call: Call, projects: list) -> list:
        if call.param("search"):
            needle = call.param("search").lower()
            projects = [p for p in projects if needle in p.name.lower() or needle in p.path.lower()]
        return _ordered(call, projects, self._PROJECT_ORDER, default=("created_at", "desc"))

    def list_projects(self, call: Call) -> Reply:
        return self._page(call, self._filter_projects(call, list(self.model.projects.values())),
                          self.present.project)

    def create_project(self, call: Call) -> Reply:
        if call.param("name") in (None, "") and call.param("path") in (None, ""):
            raise errors.invalid_param("name, path are missing, at least one parameter must be provided")
        if call.param("namespace_id") in (None, ""):
            raise errors.bad_request({"namespace": ["personal namespaces are not supported by this stand-in"]})
        project = self.model.create_project(call.param("name") or call.param("path"), call.param("namespace_id"),
                                            path=call.param("path"), description=call.param("description", ""),
                                            visibility=call.param("visibility", "private"))
        return Reply(201, self.present.project(project))

    def update_project(self, call: Call, id) -> Reply:
        project = self.model.update_project(id, name=call.param("name"), path=call.param("path"),
                                            description=call.param("description"))
        return Reply(200, self.present.project(project))

    def delete_project(self, call: Call, id) -> Reply:
        self.model.delete_project(id)
        return ACCEPTED

    def transfer_project(self, call: Call, id) -> Reply:
        (namespace,) = call.require("namespace")
        return Reply(200, self.present.project(self.model.transfer_project(id, namespace)))

    # ---- members -------------------------------------------------------------------------------------------

    def _members(self, kind: str, inherited: bool):
        def handler(call: Call, id) -> Reply:
            source = self.model.source(kind, id)
            found = (self.model.effective_members if inherited else self.model.direct_members)(kind, source.id)
            if call.param("query"):
                needle = call.param("query").lower()
                found = [m for m in found if needle in self._member_text(m)]
            wanted = call.ids("user_ids")
            if wanted is not None:
                found = [m for m in found if m.user_id in wanted]
            return self._page(call, found, self.present.member)
        return handler

    def _member_text(self, membership) -> str:
        user = self.model.users[membership.user_id]
        return f"{user.username}\n{user.name}\n{user.email}".lower()

    def _member(self, kind: str, inherited: bool):
        def handler(call: Call, id, user_id) -> Reply:
            if not inherited:
                return Reply(200, self.present.member(self.model.member(kind, id, user_id)))
            source = self.model.source(kind, id)
            found = [m for m in self.model.effective_members(kind, source.id) if str(m.user_id) == str(user_id)]
            if not found:
                raise errors.record_not_found()
            return Reply(200, self.present.member(found[0]))
        return handler

    def _add_member(self, kind: str):
        def handler(call: Call, id) -> Reply:
            if call.param("user_id") in (None, "") and call.param("username") in (None, ""):
                raise errors.invalid_param("user_id, username are missing, exactly one parameter must be provided")
            (access_level,) = call.require("access_level")
            users = self._member_users(call)
            added = [self.model.add_member(kind, id, user.id, access_level, call.param("expires_at"))
                     for user in users]
            if len(added) > 1:
                return Reply(201, {"status": "success"})
            return Reply(201, self.present.member(added[0]))
        return handler

    def _member_users(self, call: Call) -> list[User]:
        if call.param("username") not in (None, ""):
            names = str(call.param("username")).split(",")
            found = [self.model.user_by_username(n) for n in names]
            if None in found:
                raise errors.not_found("User")
            return found
        return [self.model.user(v) for v in str(call.param("user_id")).split(",")]

    def _update_member(self, kind: str):
        def handler(call: Call, id, user_id) -> Reply:
            (access_level,) = call.require("access_level")
            expires_at = call.param("expires_at", UNCHANGED)
            return Reply(200, self.present.member(self.model.update_member(kind, id, user_id, access_level,
                                                                           expires_at)))
        return handler

    def _remove_member(self, kind: str):
        def handler(call: Call, id, user_id) -> Reply:
            self.model.remove_member(kind, id, user_id)
            return NO_CONTENT
        return handler

    # ---- system hooks --------------------------------------------------------------------------------------

    _HOOK_OPTIONS = ("name", "description", "push_events", "tag_push_events", "merge_requests_events",
                     "repository_update_events", "enable_ssl_verification")

    def _hook_options(self, call: Call) -> dict:
        options = {}
        for name in self._HOOK_OPTIONS:
            if call.param(name) is not None:
                options[name] = call.flag(name) if name.endswith(("events", "verification")) else call.param(name)
        return options

    def create_hook(self, call: Call) -> Reply:
        (url,) = call.require("url")
        hook = self.hooks.add(url, call.param("token"), **self._hook_options(call))
        return Reply(201, self.present.hook(hook))

    def update_hook(self, call: Call, id) -> Reply:
        changes = self._hook_options(call)
        if call.param("url"):
            changes["url"] = call.param("url")
        if call.param("token") is not None:
            changes["token"] = call.param("token") or None
        return Reply(200, self.present.hook(self.hooks.update(id, **changes)))

    def delete_hook(self, call: Call, id) -> Reply:
        self.hooks.remove(id)
        return NO_CONTENT

    def test_hook(self, call: Call, id) -> Reply:
        self.hooks.send_test(id)
        return Reply(201, {"message": "201 Created"})


def _match(pattern: list[str], segments: list[str]) -> dict | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected.startswith(":"):
            params[expected[1:]] = actual
        elif expected != actual:
            return None
    return params


def _ordered(call: Call, items: list, keys: dict[str, Callable], default: tuple[str, str]) -> list:
    order_by = call.param("order_by") or default[0]
    sort = call.param("sort") or default[1]
    if order_by not in keys:
        raise errors.invalid_param("order_by does not have a valid value")
    if sort not in ("asc", "desc"):
        raise errors.invalid_param("sort does not have a valid value")
    return sorted(items, key=keys[order_by], reverse=sort == "desc")

