"""campus's GitLab adapter: reads groups, projects and effective members through python-gitlab. I/O only.

It returns what GitLab says, as plain dicts, and whether the answer is complete. A failed, timed-out or
truncated read marks the result incomplete instead of raising, so the caller can still add and update
but never delete on the strength of a partial answer.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import gitlab
import requests

from tenants.infra.telemetry import TracedSession

log = logging.getLogger(__name__)
PER_PAGE = 100
MEMBER_READS_IN_FLIGHT = 8  # members/all is one request per entity; sequential reads dominate a resync
# python-gitlab waits out a 429 up to 10 times with doubling sleeps (100 s in all); a resync rather reports the
# read incomplete after a few and tries again next time.
RATE_LIMITED = {"max_retries": 3}


@dataclass
class GitLabRead:
    groups: dict[int, dict] = field(default_factory=dict)  # id -> {id, full_path, parent_id, name}
    projects: dict[int, dict] = field(default_factory=dict)  # id -> {id, path_with_namespace, namespace_id, name}
    members: dict[tuple[str, int], list[dict]] = field(default_factory=dict)  # (kind, id) -> members/all
    missing: list[str] = field(default_factory=list)  # what could not be read completely
    absent: set[tuple[str, int]] = field(default_factory=set)  # entities GitLab says do not exist (its own 404)
    unreadable_members: set[tuple[str, int]] = field(default_factory=set)  # member lists not read whole
    requests: int = 0  # HTTP requests this read made

    @property
    def complete(self) -> bool:
        return not self.missing


def _group(g) -> dict:
    return {"id": g.id, "full_path": g.full_path, "parent_id": g.parent_id, "name": g.name}


def _project(p) -> dict:
    return {"id": p.id, "path_with_namespace": p.path_with_namespace, "namespace_id": p.namespace["id"],
            "name": p.name}


def _member(m) -> dict:
    return {"id": m.id, "username": m.username, "state": m.state, "access_level": m.access_level}


class GitLabSource:
    def __init__(self, url: str, token: str, roots: list[str], include_projects: bool = True,
                 timeout_seconds: float = 10):
        self._gl = gitlab.Gitlab(url, private_token=token, timeout=timeout_seconds, per_page=PER_PAGE,
                                 session=TracedSession())
        self._requests = 0
        self._requests_lock = threading.Lock()
        self._gl.session.hooks["response"].append(self._count)
        self.roots = roots
        self.include_projects = include_projects

    def _count(self, response, *args, **kwargs):
        with self._requests_lock:
            self._requests += 1
        return response

    def _finish(self, read: GitLabRead, started_at: int) -> GitLabRead:
        read.requests = self._requests - started_at
        return read

    def _all(self, manager, what: str, read: GitLabRead, **params) -> list | None:
        """Every page of a list; a short or failed answer is recorded as missing (and is None)."""
        try:
            listing = manager.list(iterator=True, **RATE_LIMITED, **params)
            items = list(listing)
        except (gitlab.GitlabError, requests.RequestException) as error:
            read.missing.append(f"{what}: {_describe(error)}")
            return None
        if listing.total is not None and len(items) < listing.total:
            read.missing.append(f"{what}: {len(items)} of {listing.total} items")
            return None
        return items

    def _add_members(self, read: GitLabRead, entities: list[tuple[str, int]]) -> None:
        def members(entity: tuple[str, int]) -> list[dict]:
            kind, entity_id = entity
            manager = (self._gl.groups if kind == "group" else self._gl.projects).get(entity_id, lazy=True).members_all
            listed = self._all(manager, f"{kind} {entity_id} members", read)
            if listed is None:
                # Counts as none and renders no RoleBindings: with the read incomplete nothing is deleted, so
                # nobody loses access on the strength of half a list.
                read.unreadable_members.add(entity)
                return []
            return [_member(m) for m in listed]

        with ThreadPoolExecutor(MEMBER_READS_IN_FLIGHT, thread_name_prefix="gitlab-members") as pool:
            read.members.update(zip(entities, pool.map(members, entities), strict=True))

    def _add_subtree(self, read: GitLabRead, group_id: int, include_group: bool) -> None:
        top = [self._gl.groups.get(group_id, **RATE_LIMITED)] if include_group else []  # a missing group: 404
        group = self._gl.groups.get(group_id, lazy=True)
        for g in [*top, *(self._all(group.descendant_groups, f"group {group_id} descendants", read) or [])]:
            read.groups[g.id] = _group(g)
        if self.include_projects:
            for p in self._all(group.projects, f"group {group_id} projects", read, include_subgroups=True) or []:
                read.projects[p.id] = _project(p)
        entities = [("group", g) for g in read.groups] + [("project", p) for p in read.projects]
        self._add_members(read, [entity for entity in entities if entity not in read.members])

    def read_all(self) -> GitLabRead:
        """Everything under the configured root groups (the roots themselves are containers, not tenants)."""
        read, started_at = GitLabRead(), self._requests
        for root in self.roots:
            try:
                root_id = self._gl.groups.get(root, **RATE_LIMITED).id
            except (gitlab.GitlabError, requests.RequestException) as error:
                read.missing.append(f"root group {root}: {_describe(error)}")
                continue
            self._add_subtree(read, root_id, include_group=False)
        return self._finish(read, started_at)

    def read_group(self, group_id: int) -> GitLabRead:
        """One group with its descendants and their projects: what a group or member event can change."""
        read, started_at = GitLabRead(), self._requests
        try:
            self._add_subtree(read, group_id, include_group=True)
        except (gitlab.GitlabError, requests.RequestException) as error:
            self._absent_or_missing(read, ("group", group_id), error)
        return self._finish(read, started_at)

    def read_project(self, project_id: int) -> GitLabRead:
        read, started_at = GitLabRead(), self._requests
        try:
            project = self._gl.projects.get(project_id, **RATE_LIMITED)
        except (gitlab.GitlabError, requests.RequestException) as error:
            self._absent_or_missing(read, ("project", project_id), error)
            return self._finish(read, started_at)
        read.projects[project.id] = _project(project)
        self._add_members(read, [("project", project.id)])
        return self._finish(read, started_at)

    @staticmethod
    def _absent_or_missing(read: GitLabRead, entity: tuple[str, int], error: Exception) -> None:
        if is_gitlab_not_found(error):
            read.absent.add(entity)
        else:
            read.missing.append(f"{entity[0]} {entity[1]}: {_describe(error)}")


def is_gitlab_not_found(error: Exception) -> bool:
    """GitLab's own answer that an entity does not exist: a 404 with its JSON body ({"message": "404 … Not
    Found"}). A proxy's or maintenance page's 404 says nothing about the entity."""
    if not isinstance(error, gitlab.GitlabError) or error.response_code != 404:
        return False
    try:
        body = json.loads(error.response_body or b"")
    except (ValueError, TypeError):
        return False
    message = body.get("message") if isinstance(body, dict) else None
    return isinstance(message, str) and message.startswith("404") and "Not Found" in message


def _describe(error: Exception) -> str:
    """An error kind for logs and `missing`, never a URL with a token in it."""
    code = getattr(error, "response_code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__
