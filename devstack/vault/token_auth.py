"""The token auth method at auth/token/: create child and orphan tokens, look them up, renew and revoke them."""

from collections.abc import Callable

from devstack.vault import errors
from devstack.vault.acl import ACL
from devstack.vault.routing import READ, UPDATE, Reply, Request, Route
from devstack.vault.tokens import Token, TokenStore, sanitize_policies


class TokenAuth:
    mount_type = "token"
    mount_path = "auth/token/"

    def __init__(self, tokens: TokenStore, clock: Callable[[], float], acl_for: Callable[[Token], ACL]):
        self._tokens, self._clock, self._acl_for = tokens, clock, acl_for
        self.routes = [
            Route(r"create", {UPDATE: lambda r: self._create(r, orphan=r.boolean("no_parent", False))}),
            Route(r"create-orphan", {UPDATE: lambda r: self._create(r, orphan=True)}),
            Route(r"lookup-self", {READ: lambda r: self._lookup(r.token), UPDATE: lambda r: self._lookup(r.token)}),
            Route(r"lookup", {UPDATE: lambda r: self._lookup(self._named(r))}),
            Route(r"lookup-accessor", {UPDATE: lambda r: self._lookup(self._by_accessor(r), hide_id=True)}),
            Route(r"renew-self", {UPDATE: lambda r: self._renew(r.token, r)}),
            Route(r"renew", {UPDATE: lambda r: self._renew(self._named(r), r)}),
            Route(r"revoke-self", {UPDATE: lambda r: self._tokens.revoke(r.token)}),
            Route(r"revoke", {UPDATE: lambda r: self._revoke(self._tokens.get(r.string("token")))}),
            Route(r"revoke-accessor", {UPDATE: lambda r: self._revoke(self._tokens.by_accessor(r.string("accessor")))}),
        ]

    def _create(self, request: Request, orphan: bool) -> Reply:
        parent: Token = request.token
        parent_is_root = "root" in parent.policies
        sudo = parent_is_root or self._acl_for(parent).allows(request.path, UPDATE, sudo=True)
        if orphan and request.path.endswith("/create") and not sudo:
            raise errors.bad_request("root or sudo privileges required to create orphan token")
        if request.has("id") and not sudo:
            raise errors.bad_request("root or sudo privileges required to specify token id")
        requested = request.strings("policies") if request.has("policies") else None
        no_default = request.boolean("no_default_policy", False)
        if requested is None:
            policies = [p for p in parent.policies if not (no_default and p == "default")]
        else:
            policies = sanitize_policies(requested, add_default=not no_default)
            if not parent_is_root:
                wanted = set(policies) - {"default"}
                if not wanted <= set(parent.policies):
                    raise errors.bad_request("child policies must be subset of parent")
        if "root" in policies and not parent_is_root:
            raise errors.bad_request("root tokens may not be created from non-root tokens")
        token = self._tokens.create(
            policies=sorted(policies), path=request.path, ttl=request.seconds("ttl"),
            display_name=self._tokens.display_name(request.string("display_name")),
            renewable=request.boolean("renewable", True), parent=None if orphan else parent,
            meta=request.data.get("meta") or None, explicit_max_ttl=request.seconds("explicit_max_ttl"),
            token_id=request.string("id") or None)
        return Reply(auth=token.auth_block(self._clock()))

    def _named(self, request: Request) -> Token:
        if not request.string("token"):
            raise errors.bad_request("missing token")
        token = self._tokens.get(request.string("token"))
        if token is None:
            raise errors.bad_request("bad token")
        return token

    def _by_accessor(self, request: Request) -> Token:
        token = self._tokens.by_accessor(request.string("accessor"))
        if token is None or self._tokens.get(token.id) is None:
            raise errors.bad_request("invalid accessor")
        return token

    def _lookup(self, token: Token, hide_id: bool = False) -> Reply:
        data = token.lookup_data(self._clock())
        if hide_id:
            data["id"] = ""
        return Reply(data=data)

    def _renew(self, token: Token, request: Request) -> Reply:
        warnings = self._tokens.renew(token, request.seconds("increment"))
        return Reply(auth=token.auth_block(self._clock()), warnings=warnings or None)

    def _revoke(self, token: Token | None) -> None:
        if token is not None:
            self._tokens.revoke(token)
