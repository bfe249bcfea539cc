"""Django authentication backend: LDAP checks the password, campus keeps a user record and its roles in step.

Wired by AUTHENTICATION_BACKENDS. Roles are recomputed on every sign-in, so losing an LDAP group loses the role.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, User
from django.db import transaction

from tenants.access.rules import ROLES, roles_for
from tenants.infra.ldap import DirectoryUser, LdapDirectory
from tenants.infra.settings import ldap_directory_settings, role_groups


class NoCampusRole(Exception):
    """The password was right, but the person is in none of the groups that may use campus."""


class LDAPBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        directory_user = LdapDirectory(ldap_directory_settings()).authenticate(username or "", password or "")
        if directory_user is None:
            return None
        roles = roles_for(directory_user.groups, role_groups())
        if not roles:
            raise NoCampusRole(directory_user.uid)
        return sync_user(directory_user, roles)


@transaction.atomic
def sync_user(directory_user: DirectoryUser, roles: set[str]) -> User:
    """Create or update the Django user from the directory; the admin role alone opens the Django admin."""
    user, _ = User.objects.select_for_update().get_or_create(username=directory_user.uid)
    user.first_name = directory_user.first_name[:150]
    user.last_name = directory_user.last_name[:150]
    user.email = directory_user.email
    user.is_staff = user.is_superuser = "admin" in roles
    user.set_unusable_password()  # the password lives in LDAP only
    user.save()
    role_groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    for role in ROLES:
        if role not in role_groups:
            role_groups[role], _ = Group.objects.get_or_create(name=role)
    user.groups.remove(*[role_groups[r] for r in ROLES if r not in roles])
    user.groups.add(*[role_groups[r] for r in roles])
    return user
