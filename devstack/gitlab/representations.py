"""The JSON GitLab's API entities present for users, groups, projects, members and system hooks."""

from devstack.gitlab.hooks import SystemHook
from devstack.gitlab.records import Group, Membership, Project, User, api_time


class Presenter:
    """Builds entity JSON; `web_root` is the instance URL, for web_url fields."""

    def __init__(self, model, web_root: str):
        self.model = model
        self.web_root = web_root

    def user(self, user: User, admin_view: bool = False) -> dict:
        body = {
            "id": user.id, "username": user.username, "name": user.name, "state": user.state, "locked": False,
            "avatar_url": None, "web_url": f"{self.web_root}/{user.username}", "created_at": api_time(user.created_at),
            "bio": "", "location": "", "public_email": None, "organization": "", "job_title": "", "bot": False,
        }
        if admin_view:
            body.update(email=user.email, is_admin=user.is_admin, can_create_group=True, external=False,
                        projects_limit=100000, two_factor_enabled=False, last_sign_in_at=None)
        return body

    def group(self, group: Group) -> dict:
        full_path = self.model.group_full_path(group)
        return {
            "id": group.id, "web_url": f"{self.web_root}/groups/{full_path}", "name": group.name, "path": group.path,
            "description": group.description, "visibility": group.visibility, "share_with_group_lock": False,
            "require_two_factor_authentication": False, "two_factor_grace_period": 48,
            "project_creation_level": "developer", "auto_devops_enabled": None, "subgroup_creation_level": "owner",
            "emails_disabled": False, "emails_enabled": True, "mentions_disabled": None, "lfs_enabled": True,
            "default_branch_protection": 2, "avatar_url": None, "request_access_enabled": True,
            "full_name": self.model.group_full_name(group), "full_path": full_path,
            "created_at": api_time(group.created_at), "parent_id": group.parent_id, "organization_id": 1,
            "shared_runners_setting": "enabled", "ldap_cn": None, "ldap_access": None, "marked_for_deletion_on": None,
        }

    def namespace(self, group: Group) -> dict:
        full_path = self.model.group_full_path(group)
        return {"id": group.id, "name": group.name, "path": group.path, "kind": "group", "full_path": full_path,
                "parent_id": group.parent_id, "avatar_url": None, "web_url": f"{self.web_root}/groups/{full_path}"}

    def project(self, project: Project) -> dict:
        full_path = self.model.project_full_path(project)
        web_url = f"{self.web_root}/{full_path}"
        host = self.web_root.split("://", 1)[-1]
        return {
            "id": project.id, "description": project.description, "name": project.name,
            "name_with_namespace": self.model.project_full_name(project), "path": project.path,
            "path_with_namespace": full_path, "created_at": api_time(project.created_at),
            "updated_at": api_time(project.updated_at), "default_branch": "main", "tag_list": [], "topics": [],
            "ssh_url_to_repo": f"git@{host.split(':')[0]}:{full_path}.git", "http_url_to_repo": f"{web_url}.git",
            "web_url": web_url, "readme_url": None, "avatar_url": None, "forks_count": 0, "star_count": 0,
            "last_activity_at": api_time(project.updated_at),
            "namespace": self.namespace(self.model.groups[project.namespace_id]),
            "visibility": project.visibility, "archived": False, "empty_repo": True,
        }

    def member(self, membership: Membership) -> dict:
        user = self.model.users[membership.user_id]
        return {
            "id": user.id, "username": user.username, "name": user.name, "state": user.state, "locked": False,
            "avatar_url": None, "web_url": f"{self.web_root}/{user.username}",
            "access_level": membership.access_level, "created_at": api_time(membership.created_at),
            "created_by": None, "expires_at": membership.expires_at, "membership_state": "active",
        }

    def hook(self, hook: SystemHook) -> dict:
        return {
            "id": hook.id, "url": hook.url, "name": hook.name, "description": hook.description,
            "created_at": api_time(hook.created_at), "push_events": hook.push_events,
            "tag_push_events": hook.tag_push_events, "merge_requests_events": hook.merge_requests_events,
            "repository_update_events": hook.repository_update_events,
            "enable_ssl_verification": hook.enable_ssl_verification, "url_variables": [],
        }
