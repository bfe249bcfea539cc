"""An in-memory GitLab instance: the state behind the REST API and the source of system hook events.

Every change goes through one method here, under one lock, and publishes the system hook payload GitLab
would send for it (in the order the changes happened) to the subscribers.
"""

import itertools
import json
import threading
from collections.abc import Callable

from devstack.gitlab import errors, payloads
from devstack.gitlab.records import (
    GROUP_ACCESS_LEVELS,
    PATH_ERROR,
    PROJECT_ACCESS_LEVELS,
    RESERVED_TOP_LEVEL,
    Group,
    Membership,
    Project,
    User,
    now,
    parse_expiry,
    valid_path,
)

GROUP, PROJECT = "group", "project"
UNCHANGED = object()  # an update that leaves the field as it is


class GitLabModel:
    def __init__(self):
        self.lock = threading.RLock()
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.projects: dict[int, Project] = {}
        # (source kind, source id) -> user id -> membership; dicts keep insertion (membership id) order
        self.memberships: dict[tuple[str, int], dict[int, Membership]] = {}
        self._ids = {kind: itertools.count(1) for kind in ("user", GROUP, PROJECT, "membership")}
        self._subscribers: list[Callable[[dict], None]] = []

    def subscribe(self, subscriber: Callable[[dict], None]) -> None:
        """subscriber(payload) is called, under the model lock, for every system hook event."""
        self._subscribers.append(subscriber)

    def _publish(self, payload: dict) -> None:
        for subscriber in self._subscribers:
            subscriber(payload)

    # ---- lookups -------------------------------------------------------------------------------------------

    def user(self, user_id: int) -> User:
        try:
            return self.users[int(user_id)]
        except (KeyError, ValueError):
            raise errors.not_found("User") from None

    def user_by_username(self, username: str) -> User | None:
        return next((u for u in self.users.values() if u.username.lower() == username.lower()), None)

    def group(self, ref) -> Group:
        """A group by id or full path (case-insensitive, as GitLab's routes are)."""
        found = self._by_ref(self.groups, ref, self.group_full_path)
        if found is None:
            raise errors.not_found("Group")
        return found

    def project(self, ref) -> Project:
        found = self._by_ref(self.projects, ref, self.project_full_path)
        if found is None:
            raise errors.not_found("Project")
        return found

    @staticmethod
    def _by_ref(table: dict, ref, full_path: Callable):
        with_id = str(ref)
        if with_id.isdigit():
            return table.get(int(with_id))
        return next((item for item in table.values() if full_path(item).lower() == with_id.lower()), None)

    def ancestors(self, group: Group) -> list[Group]:
        """The group's parents, nearest first."""
        chain = []
        while group.parent_id is not None:
            group = self.groups[group.parent_id]
            chain.append(group)
        return chain

    def group_full_path(self, group: Group) -> str:
        return "/".join(g.path for g in reversed([group, *self.ancestors(group)]))

    def group_full_name(self, group: Group) -> str:
        return " / ".join(g.name for g in reversed([group, *self.ancestors(group)]))

    def project_full_path(self, project: Project) -> str:
        return f"{self.group_full_path(self.groups[project.namespace_id])}/{project.path}"

    def project_full_name(self, project: Project) -> str:
        return f"{self.group_full_name(self.groups[project.namespace_id])} / {project.name}"

    def subgroups(self, group: Group) -> list[Group]:
        return [g for g in self.groups.values() if g.parent_id == group.id]

    def descendants(self, group: Group) -> list[Group]:
        found = []
        for child in self.subgroups(group):
            found += [child, *self.descendants(child)]
        return found

    def group_projects(self, group: Group, include_subgroups: bool = False) -> list[Project]:
        spaces = {group.id} | ({g.id for g in self.descendants(group)} if include_subgroups else set())
        return [p for p in self.projects.values() if p.namespace_id in spaces]

    def direct_members(self, kind: str, source_id: int) -> list[Membership]:
        return list(self.memberships.get((kind, source_id), {}).values())

    def effective_members(self, kind: str, source_id: int) -> list[Membership]:
        """Direct and inherited memberships, one per user: the one with the highest access level wins."""
        if kind == GROUP:
            group = self.groups[source_id]
            sources = [(GROUP, g.id) for g in [group, *self.ancestors(group)]]
        else:
            group = self.groups[self.projects[source_id].namespace_id]
            sources = [(PROJECT, source_id), *((GROUP, g.id) for g in [group, *self.ancestors(group)])]
        best: dict[int, Membership] = {}
        for source in sources:
            for member in self.direct_members(*source):
                current = best.get(member.user_id)
                if current is None or member.access_level > current.access_level:
                    best[member.user_id] = member
        return sorted(best.values(), key=lambda m: m.id)

    def project_owners(self, project: Project) -> list[User]:
        return [self.users[m.user_id] for m in self.effective_members(PROJECT, project.id) if m.access_level == 50]

    # ---- users ---------------------------------------------------------------------------------------------

    def create_user(self, username: str, name: str | None = None, email: str | None = None,
                    is_admin: bool = False, state: str = "active") -> User:
        with self.lock:
            errors_by_field = {}
            if not valid_path(username):
                errors_by_field["username"] = [PATH_ERROR]
            elif self._top_level_taken(username):
                errors_by_field["username"] = ["has already been taken"]
            email = email or f"{username}@campus.example"
            if any(u.email.lower() == email.lower() for u in self.users.values()):
                errors_by_field["email"] = ["has already been taken"]
            if errors_by_field:
                raise errors.bad_request(errors_by_field)
            user = User(next(self._ids["user"]), username, name or username, email, state, is_admin)
            self.users[user.id] = user
            self._publish(payloads.user_event("user_create", user))
            return user

    def rename_user(self, user_id: int, username: str) -> User:
        with self.lock:
            user = self.user(user_id)
            if username == user.username:
                return user
            if not valid_path(username):
                raise errors.bad_request({"username": [PATH_ERROR]})
            if self._top_level_taken(username, ignore=user):
                raise errors.bad_request({"username": ["has already been taken"]})
            old_username, user.username = user.username, username
            self._publish(payloads.user_event("user_rename", user, old_username=old_username))
            return user

    def set_user_state(self, user_id: int, state: str) -> User:
        """Block ("blocked") or unblock ("active"). GitLab sends no system hook for either."""
        with self.lock:
            user = self.user(user_id)
            user.state = state
            return user

    def delete_user(self, user_id: int) -> None:
        """Memberships go with the user, silently, as in GitLab."""
        with self.lock:
            user = self.user(user_id)
            for members in self.memberships.values():
                members.pop(user.id, None)
            del self.users[user.id]
            self._publish(payloads.user_event("user_destroy", user))

    # ---- groups --------------------------------------------------------------------------------------------

    def create_group(self, name: str, path: str, parent_id: int | None = None, description: str = "",
                     visibility: str = "private") -> Group:
        with self.lock:
            parent = self.group(parent_id) if parent_id is not None else None
            problem = self._path_problem(path, parent.id if parent else None)
            if problem:
                raise errors.bad_request(f"Failed to save group {{:path=>[{json.dumps(problem)}]}}")
            group = Group(next(self._ids[GROUP]), name, path, parent.id if parent else None, description, visibility)
            self.groups[group.id] = group
            self._publish(payloads.group_event(self, "group_create", group))
            return group

    def update_group(self, ref, name: str | None = None, path: str | None = None,
                     description: str | None = None) -> Group:
        """A new path is a rename: `group_rename` with old_path/old_full_path. A new name alone sends no hook."""
        with self.lock:
            group = self.group(ref)
            old_path, old_full_path = group.path, self.group_full_path(group)
            if path is not None and path != group.path:
                problem = self._path_problem(path, group.parent_id, ignore=group)
                if problem:
                    raise errors.bad_request({"path": [problem]})
                group.path = path
            group.name = group.name if name is None else name
            group.description = group.description if description is None else description
            group.updated_at = now()
            if group.path != old_path:
                self._publish(payloads.group_event(self, "group_rename", group, old_path, old_full_path))
            return group

    def transfer_group(self, ref, new_parent_id: int | None) -> Group:
        """Move a group under another parent (or to the top level). GitLab sends no system hook for this."""
        with self.lock:
            group = self.group(ref)
            new_parent = self.group(new_parent_id) if new_parent_id is not None else None
            if new_parent is None and group.parent_id is None:
                raise errors.bad_request("Transfer failed: Group is already a root group.")
            if new_parent is not None and new_parent.id == group.parent_id:
                raise errors.bad_request("Transfer failed: Group is already associated to the parent group.")
            if new_parent is not None and new_parent.id in {g.id for g in [group, *self.descendants(group)]}:
                raise errors.bad_request("Transfer failed: Cannot transfer group to one of its subgroup.")
            if self._path_problem(group.path, new_parent.id if new_parent else None, ignore=group):
                raise errors.bad_request(
                    "Transfer failed: The parent group already has a subgroup or a project with the same path.")
            group.parent_id = new_parent.id if new_parent else None
            group.updated_at = now()
            return group

    def delete_group(self, ref) -> None:
        """Projects, then subgroups go first, each with its own destroy event, as Groups::DestroyService does."""
        with self.lock:
            group = self.group(ref)
            for project in self.group_projects(group):
                self.delete_project(project.id)
            for child in self.subgroups(group):
                self.delete_group(child.id)
            self._publish(payloads.group_event(self, "group_destroy", group))
            self._drop_memberships(GROUP, group.id)
            del self.groups[group.id]

    # ---- projects ------------------------------------------------------------------------------------------

    def create_project(self, name: str, namespace_id: int, path: str | None = None, description: str = "",
                       visibility: str = "private") -> Project:
        with self.lock:
            namespace = self.group(namespace_id)
            path = path or name.lower().replace(" ", "-")
            problem = self._path_problem(path, namespace.id)
            if problem:
                raise errors.bad_request({"path": [problem]})
            project = Project(next(self._ids[PROJECT]), name, path, namespace.id, description, visibility)
            self.projects[project.id] = project
            self._publish(payloads.project_event(self, "project_create", project))
            return project

    def update_project(self, ref, name: str | None = None, path: str | None = None,
                       description: str | None = None) -> Project:
        """A new path sends `project_rename` (with old_path_with_namespace); any other change `project_update`."""
        with self.lock:
            project = self.project(ref)
            old_path, old_full_path = project.path, self.project_full_path(project)
            if path is not None and path != project.path:
                problem = self._path_problem(path, project.namespace_id, ignore=project)
                if problem:
                    raise errors.bad_request({"path": [problem]})
                project.path = path
            project.name = project.name if name is None else name
            project.description = project.description if description is None else description
            project.updated_at = now()
            if project.path != old_path:
                self._publish(payloads.project_event(self, "project_rename", project, old_full_path))
            else:
                self._publish(payloads.project_event(self, "project_update", project))
            return project

    def transfer_project(self, ref, namespace_ref) -> Project:
        with self.lock:
            project = self.project(ref)
            namespace = self.group(namespace_ref)
            if namespace.id == project.namespace_id:
                raise errors.bad_request(
                    "Failed to transfer project {:namespace=>[\"Project is already in this namespace.\"]}")
            if self._path_problem(project.path, namespace.id, ignore=project):
                raise errors.bad_request("Failed to transfer project {:namespace=>[\"Project with same name or path "
                                         "in target namespace already exists\"]}")
            old_full_path = self.project_full_path(project)
            project.namespace_id = namespace.id
            project.updated_at = now()
            self._publish(payloads.project_event(self, "project_transfer", project, old_full_path))
            return project

    def delete_project(self, ref) -> None:
        with self.lock:
            project = self.project(ref)
            self._publish(payloads.project_event(self, "project_destroy", project))
            self._drop_memberships(PROJECT, project.id)
            del self.projects[project.id]

    # ---- memberships ---------------------------------------------------------------------------------------

    def source(self, kind: str, ref) -> Group | Project:
        return self.group(ref) if kind == GROUP else self.project(ref)

    def member(self, kind: str, ref, user_id) -> Membership:
        source = self.source(kind, ref)
        membership = self.memberships.get((kind, source.id), {}).get(_int(user_id))
        if membership is None:
            raise errors.record_not_found()
        return membership

    def add_member(self, kind: str, ref, user_id: int, access_level: int, expires_at=None) -> Membership:
        with self.lock:
            source = self.source(kind, ref)
            user = self.user(user_id)
            level, expiry = self._checked_level(kind, access_level), _checked_expiry(expires_at)
            members = self.memberships.setdefault((kind, source.id), {})
            if user.id in members:
                raise errors.conflict("Member already exists")
            membership = Membership(next(self._ids["membership"]), kind, source.id, user.id, level, expiry)
            members[user.id] = membership
            self._publish_member("add", source, user, membership)
            return membership

    def update_member(self, kind: str, ref, user_id: int, access_level: int, expires_at=UNCHANGED) -> Membership:
        with self.lock:
            membership = self.member(kind, ref, user_id)
            membership.access_level = self._checked_level(kind, access_level)
            if expires_at is not UNCHANGED:
                membership.expires_at = _checked_expiry(expires_at)
            membership.updated_at = now()
            self._publish_member("update", self.source(kind, ref), self.users[membership.user_id], membership)
            return membership

    def remove_member(self, kind: str, ref, user_id: int) -> None:
        with self.lock:
            membership = self.member(kind, ref, user_id)
            del self.memberships[(kind, membership.source_id)][membership.user_id]
            self._publish_member("remove", self.source(kind, ref), self.users[membership.user_id], membership)

    _MEMBER_EVENTS = {(GROUP, "add"): "user_add_to_group", (GROUP, "update"): "user_update_for_group",
                      (GROUP, "remove"): "user_remove_from_group", (PROJECT, "add"): "user_add_to_team",
                      (PROJECT, "update"): "user_update_for_team", (PROJECT, "remove"): "user_remove_from_team"}

    def _publish_member(self, change: str, source, user: User, membership: Membership) -> None:
        event_name = self._MEMBER_EVENTS[(membership.source_kind, change)]
        if membership.source_kind == GROUP:
            self._publish(payloads.group_member_event(event_name, source, user, membership))
        else:
            self._publish(payloads.project_member_event(self, event_name, source, user, membership))

    @staticmethod
    def _checked_level(kind: str, access_level) -> int:
        level = int(access_level) if str(access_level).isdigit() else None
        if level not in (GROUP_ACCESS_LEVELS if kind == GROUP else PROJECT_ACCESS_LEVELS):
            raise errors.invalid_param("access_level does not have a valid value")
        return level

    def _drop_memberships(self, kind: str, source_id: int) -> None:
        self.memberships.pop((kind, source_id), None)

    # ---- paths ---------------------------------------------------------------------------------------------

    def _path_problem(self, path: str, parent_id: int | None, ignore=None) -> str | None:
        """Why `path` cannot be used under `parent_id` (None: top level) by a new group/project or by `ignore`.

        Groups and projects share one namespace per parent; at the top level, usernames share it too."""
        if not valid_path(path):
            return PATH_ERROR
        if parent_id is None:
            return "has already been taken" if self._top_level_taken(path, ignore) else None
        siblings = [g for g in self.groups.values() if g.parent_id == parent_id]
        siblings += [p for p in self.projects.values() if p.namespace_id == parent_id]
        if any(s is not ignore and s.path.lower() == path.lower() for s in siblings):
            return "has already been taken"
        return None

    def _top_level_taken(self, path: str, ignore=None) -> bool:
        """Top-level groups share the route namespace with usernames and GitLab's reserved words."""
        lowered = path.lower()
        return (lowered in RESERVED_TOP_LEVEL
                or any(u is not ignore and u.username.lower() == lowered for u in self.users.values())
                or any(g is not ignore and g.parent_id is None and g.path.lower() == lowered
                       for g in self.groups.values()))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.record_not_found() from None


def _checked_expiry(value) -> str | None:
    try:
        return parse_expiry(value)
    except ValueError:
        raise errors.invalid_param("expires_at is invalid") from None
