"""The Kubernetes auth method: config, roles bound to service accounts, and login with a service account JWT.

Login follows vault-plugin-auth-kubernetes: read the JWT's claims (the signature is not checked without pem_keys),
check the role's name and namespace bindings, then ask the cluster with a TokenReview and compare its answer.
"""

import base64
import binascii
import json
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from devstack.vault import errors
from devstack.vault.routing import CREATE, DELETE, LIST, NAME, READ, UPDATE, Reply, Request, Route, glob_contains
from devstack.vault.routing import list_reply as keys_reply
from devstack.vault.tokens import TokenStore, sanitize_policies

_SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}


@dataclass
class KubernetesRole:
    bound_service_account_names: list[str]
    bound_service_account_namespaces: list[str]
    token_policies: list[str] = field(default_factory=list)
    token_ttl: int = 0
    token_max_ttl: int = 0
    audience: str = ""
    token_no_default_policy: bool = False

    def read_data(self) -> dict:
        return {
            "bound_service_account_names": self.bound_service_account_names,
            "bound_service_account_namespaces": self.bound_service_account_namespaces,
            "bound_service_account_namespace_selector": "", "alias_name_source": "serviceaccount_uid",
            "audience": self.audience, "token_policies": self.token_policies, "policies": self.token_policies,
            "token_ttl": self.token_ttl, "ttl": self.token_ttl, "token_max_ttl": self.token_max_ttl,
            "max_ttl": self.token_max_ttl, "token_bound_cidrs": [], "token_explicit_max_ttl": 0,
            "token_no_default_policy": self.token_no_default_policy, "token_num_uses": 0, "num_uses": 0,
            "token_period": 0, "period": 0, "token_type": "default",
        }


@dataclass
class ServiceAccount:
    name: str
    namespace: str
    uid: str
    audiences: list[str]


class KubernetesAuth:
    mount_type = "kubernetes"

    def __init__(self, mount_path: str, tokens: TokenStore, clock: Callable[[], float], timeout: float = 5.0):
        self.mount_path = mount_path  # "auth/kubernetes/"
        self._tokens, self._clock, self._timeout = tokens, clock, timeout
        self._config: dict | None = None
        self._roles: dict[str, KubernetesRole] = {}
        self._lock = threading.RLock()
        self.routes = [
            Route(r"config", {CREATE: self._write_config, UPDATE: self._write_config, READ: self._read_config},
                  exists=lambda r: self._config is not None),
            Route(rf"role/{NAME}", {CREATE: self._write_role, UPDATE: self._write_role, READ: self._read_role,
                                    DELETE: self._delete_role},
                  exists=lambda r: r.params["name"] in self._roles),
            Route(r"role/?", {LIST: lambda r: keys_reply(sorted(self._roles))}),
            Route(r"login", {UPDATE: self._login, CREATE: self._login}, unauthenticated=True),
        ]

    # ---- configuration -------------------------------------------------------------------------------------

    def _write_config(self, request: Request) -> None:
        host = request.string("kubernetes_host", (self._config or {}).get("kubernetes_host", ""))
        if not host:
            raise errors.bad_request("no host provided")
        config = dict(self._config or {})
        config["kubernetes_host"] = host.rstrip("/")
        for key in ("kubernetes_ca_cert", "token_reviewer_jwt", "issuer"):
            if request.has(key):
                config[key] = request.string(key)
        if request.has("pem_keys"):
            config["pem_keys"] = request.strings("pem_keys")
        config["disable_local_ca_jwt"] = request.boolean("disable_local_ca_jwt",
                                                         config.get("disable_local_ca_jwt", False))
        with self._lock:
            self._config = config

    def _read_config(self, request: Request) -> Reply:
        if self._config is None:
            raise errors.not_found()
        config = self._config
        return Reply(data={
            "kubernetes_host": config["kubernetes_host"], "kubernetes_ca_cert": config.get("kubernetes_ca_cert", ""),
            "pem_keys": config.get("pem_keys", []), "issuer": config.get("issuer", ""),
            "disable_iss_validation": True, "disable_local_ca_jwt": config["disable_local_ca_jwt"],
            "token_reviewer_jwt_set": bool(config.get("token_reviewer_jwt")),
            "use_annotations_as_alias_metadata": False,
        })

    # ---- roles ---------------------------------------------------------------------------------------------

    def _write_role(self, request: Request) -> None:
        name = request.params["name"]
        role = self._roles.get(name) if request.operation == UPDATE else None
        names = request.strings("bound_service_account_names") if request.has("bound_service_account_names") \
            else (role.bound_service_account_names if role else [])
        namespaces = request.strings("bound_service_account_namespaces") \
            if request.has("bound_service_account_namespaces") \
            else (role.bound_service_account_namespaces if role else [])
        if not names:
            raise errors.bad_request('"bound_service_account_names" can not be empty')
        if not namespaces:
            raise errors.bad_request('"bound_service_account_namespaces" can not be empty')
        if len(names) > 1 and "*" in names:
            raise errors.bad_request('can not mix "*" with values')
        if len(namespaces) > 1 and "*" in namespaces:
            raise errors.bad_request('can not mix "*" with values')
        updated = role or KubernetesRole(names, namespaces)
        updated.bound_service_account_names, updated.bound_service_account_namespaces = names, namespaces
        if request.has("token_policies") or request.has("policies"):
            given = request.strings("token_policies" if request.has("token_policies") else "policies")
            updated.token_policies = sanitize_policies(given, add_default=False)
        for field_name, alias in (("token_ttl", "ttl"), ("token_max_ttl", "max_ttl")):
            if request.has(field_name) or request.has(alias):
                setattr(updated, field_name, request.seconds(field_name if request.has(field_name) else alias))
        if request.has("audience"):
            updated.audience = request.string("audience")
        if request.has("token_no_default_policy"):
            updated.token_no_default_policy = request.boolean("token_no_default_policy", False)
        with self._lock:
            self._roles[name] = updated

    def _read_role(self, request: Request) -> Reply:
        role = self._roles.get(request.params["name"])
        if role is None:
            raise errors.not_found()
        return Reply(data=role.read_data())

    def _delete_role(self, request: Request) -> None:
        with self._lock:
            self._roles.pop(request.params["name"], None)

    # ---- login ---------------------------------------------------------------------------------------------

    def _login(self, request: Request) -> Reply:
        role_name, jwt = request.string("role"), request.string("jwt")
        if not role_name:
            raise errors.bad_request("missing role")
        if not jwt:
            raise errors.bad_request("missing jwt")
        role = self._roles.get(role_name)
        if role is None:
            raise errors.bad_request(f'invalid role name "{role_name}"')
        if self._config is None:
            raise errors.internal("could not load backend configuration")
        account = self._account_from_jwt(jwt, role)
        self._review(jwt, account, role)
        policies = sanitize_policies(role.token_policies, add_default=not role.token_no_default_policy)
        metadata = {"role": role_name, "service_account_name": account.name,
                    "service_account_namespace": account.namespace, "service_account_secret_name": "",
                    "service_account_uid": account.uid}
        display = self._tokens.display_name(f"{account.namespace}-{account.name}", prefix="kubernetes")
        token = self._tokens.create(policies=policies, path=f"{self.mount_path}login", display_name=display,
                                    ttl=role.token_ttl, max_ttl=role.token_max_ttl, meta=metadata,
                                    internal={"role": role_name}, renew_check=self._check_renewal)
        auth = token.auth_block(self._clock())
        return Reply(auth=auth)

    def _check_renewal(self, token) -> None:
        """pathLoginRenew: the role must still exist and still grant the token's policies."""
        role_name = token.internal["role"]
        role = self._roles.get(role_name)
        if role is None:
            raise errors.internal(f"role {role_name} does not exist during renewal")
        current = sanitize_policies(role.token_policies, add_default=not role.token_no_default_policy)
        if current != token.policies:
            raise errors.internal("policies have changed, not renewing")

    def _account_from_jwt(self, jwt: str, role: KubernetesRole) -> ServiceAccount:
        claims = _unverified_claims(jwt)
        projected = claims.get("kubernetes.io") if isinstance(claims.get("kubernetes.io"), dict) else None
        if projected:
            service_account = projected.get("serviceaccount") or {}
            name, uid = service_account.get("name", ""), service_account.get("uid", "")
            namespace = projected.get("namespace", "")
        else:
            name = claims.get("kubernetes.io/serviceaccount/service-account.name", "")
            uid = claims.get("kubernetes.io/serviceaccount/service-account.uid", "")
            namespace = claims.get("kubernetes.io/serviceaccount/namespace", "")
        audiences = claims.get("aud") or []
        audiences = [audiences] if isinstance(audiences, str) else list(audiences)
        expires = claims.get("exp")
        if isinstance(expires, int | float) and expires + 150 < self._clock():  # go-jose's default leeway
            raise errors.VaultError(403, "validation failed, invalid expiration time (exp): token is expired")
        issuer = (self._config or {}).get("issuer")
        if issuer and claims.get("iss") != issuer:
            raise errors.VaultError(403, "validation failed, invalid issuer (iss) claim")
        if role.audience and role.audience not in audiences:
            raise errors.VaultError(403, "invalid audience (aud) claim: audience claim does not match any "
                                         "expected audience")
        if not (role.bound_service_account_names == ["*"] or glob_contains(role.bound_service_account_names, name)):
            raise errors.VaultError(403, "service account name not authorized")
        namespaces = role.bound_service_account_namespaces
        if not (namespaces == ["*"] or glob_contains(namespaces, namespace)):
            raise errors.VaultError(403, "namespace not authorized")
        if not uid:
            raise errors.internal("could not parse UID from claims")
        return ServiceAccount(name, namespace, uid, audiences)

    def _review(self, jwt: str, account: ServiceAccount, role: KubernetesRole) -> None:
        """POST a TokenReview; any failure or mismatch is a plain 403, as the plugin logs the reason only."""
        config = self._config or {}
        spec: dict = {"token": jwt}
        audiences = [role.audience] if role.audience else account.audiences
        if audiences:
            spec["audiences"] = audiences
        body = json.dumps({"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1",
                           "metadata": {"creationTimestamp": None}, "spec": spec, "status": {"user": {}}}).encode()
        bearer = config.get("token_reviewer_jwt") or jwt
        request = urllib.request.Request(
            f"{config['kubernetes_host']}/apis/authentication.k8s.io/v1/tokenreviews", data=body, method="POST",
            headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json",
                     "Accept": "application/json"})
        context = None
        if config.get("kubernetes_ca_cert"):
            context = ssl.create_default_context(cadata=config["kubernetes_ca_cert"])
        try:
            with urllib.request.urlopen(request, timeout=self._timeout, context=context) as response:
                review = json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            raise errors.permission_denied() from None
        status = review.get("status") or {}
        if status.get("error") or not status.get("authenticated"):
            raise errors.permission_denied()
        user = status.get("user") or {}
        parts = str(user.get("username", "")).split(":")
        if len(parts) != 4 or (parts[3], parts[2], user.get("uid")) != (account.name, account.namespace, account.uid):
            raise errors.permission_denied()


def _unverified_claims(jwt: str) -> dict:
    parts = jwt.split(".")
    if len(parts) != 3:
        raise errors.VaultError(403, "error validating token: go-jose/go-jose: compact JWS format must have "
                                     "three parts")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
    except (ValueError, binascii.Error):
        raise errors.VaultError(403, "error validating token: malformed JWT") from None
    if header.get("alg") not in _SIGNING_ALGORITHMS:
        raise errors.VaultError(403, "error validating token: unexpected signature algorithm "
                                     f"\"{header.get('alg')}\"")
    if not isinstance(claims, dict):
        raise errors.VaultError(403, "error validating token: malformed JWT")
    return claims


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
