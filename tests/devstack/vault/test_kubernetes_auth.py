"""The Kubernetes auth method through hvac, with a tiny TokenReview endpoint standing in for the cluster."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac
import pytest
from hvac import exceptions

REVIEWER_JWT = "reviewer-jwt-for-tests"


def _jwt(claims: dict, alg: str = "RS256") -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'kid': 'test'})}.{part(claims)}.c2lnbmF0dXJl"


def _legacy_jwt(namespace: str, name: str, uid: str) -> str:
    return _jwt({"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": namespace,
                 "kubernetes.io/serviceaccount/service-account.name": name,
                 "kubernetes.io/serviceaccount/service-account.uid": uid})


def _projected_jwt(namespace: str, name: str, uid: str, audience: str = "vault") -> str:
    return _jwt({"aud": [audience], "iss": "https://kubernetes.default.svc", "sub": f"system:serviceaccount:"
                 f"{namespace}:{name}", "kubernetes.io": {"namespace": namespace,
                                                          "serviceaccount": {"name": name, "uid": uid}}})


class TokenReviewer:
    """Answers TokenReviews from a table token -> (namespace, name, uid); records every review it gets."""

    def __init__(self):
        self.accounts: dict[str, tuple[str, str, str]] = {}
        self.reviews: list[tuple[str, str, dict]] = []  # (path, Authorization header, body)
        reviewer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reviewer.reviews.append((self.path, self.headers.get("Authorization", ""), body))
                account = reviewer.accounts.get(body["spec"]["token"])
                status = {"authenticated": False, "error": "invalid bearer token"} if account is None else {
                    "authenticated": True, "audiences": body["spec"].get("audiences"),
                    "user": {"username": f"system:serviceaccount:{account[0]}:{account[1]}", "uid": account[2],
                             "groups": ["system:serviceaccounts", f"system:serviceaccounts:{account[0]}"]}}
                answer = json.dumps({**body, "status": status}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def reviewer():
    with TokenReviewer() as running:
        yield running


@pytest.fixture
def kube_auth(client, reviewer):
    client.sys.enable_auth_method("kubernetes")
    client.auth.kubernetes.configure(reviewer.url, token_reviewer_jwt=REVIEWER_JWT)
    client.sys.create_or_update_acl_policy("tenant-db", 'path "database/creds/team-*" { capabilities = ["read"] }')
    client.auth.kubernetes.create_role("team-a", bound_service_account_names=["app", "worker-*"],
                                       bound_service_account_namespaces=["team-a"], policies=["tenant-db"],
                                       ttl="20m")
    return client


def _login(server, role: str, jwt: str) -> dict:
    return hvac.Client(server.url).auth.kubernetes.login(role, jwt)


def test_login_returns_a_token_with_the_role_policies(kube_auth, server, reviewer):
    jwt = _legacy_jwt("team-a", "app", "uid-1")
    reviewer.accounts[jwt] = ("team-a", "app", "uid-1")

    auth = _login(server, "team-a", jwt)["auth"]

    assert (auth["policies"], auth["lease_duration"], auth["renewable"], auth["orphan"]) == (
        ["default", "tenant-db"], 1200, True, True)
    assert auth["metadata"] == {"role": "team-a", "service_account_name": "app",
                                "service_account_namespace": "team-a", "service_account_secret_name": "",
                                "service_account_uid": "uid-1"}
    path, authorization, body = reviewer.reviews[-1]
    assert (path, authorization) == ("/apis/authentication.k8s.io/v1/tokenreviews", f"Bearer {REVIEWER_JWT}")
    assert (body["kind"], body["apiVersion"], body["spec"]["token"]) == (
        "TokenReview", "authentication.k8s.io/v1", jwt)
    token = hvac.Client(server.url, token=auth["client_token"])
    looked_up = token.auth.token.lookup_self()["data"]
    assert (looked_up["display_name"], looked_up["path"]) == ("kubernetes-team-a-app", "auth/kubernetes/login")
    assert token.sys.get_capabilities(["database/creds/team-a"])["data"]["capabilities"] == ["read"]
    with pytest.raises(exceptions.Forbidden):
        token.sys.list_mounted_secrets_engines()


def test_projected_tokens_and_globbed_names_and_audience(kube_auth, server, reviewer):
    kube_auth.auth.kubernetes.create_role("aud", bound_service_account_names=["worker-*"],
                                          bound_service_account_namespaces=["team-a"], audience="vault")
    jwt = _projected_jwt("team-a", "worker-7", "uid-7")
    reviewer.accounts[jwt] = ("team-a", "worker-7", "uid-7")

    assert _login(server, "team-a", jwt)["auth"]["metadata"]["service_account_name"] == "worker-7"
    assert reviewer.reviews[-1][2]["spec"]["audiences"] == ["vault"]
    assert _login(server, "aud", jwt)["auth"]["policies"] == ["default"]
    other_audience = _projected_jwt("team-a", "worker-7", "uid-7", audience="elsewhere")
    reviewer.accounts[other_audience] = ("team-a", "worker-7", "uid-7")
    with pytest.raises(exceptions.Forbidden, match="audience"):
        _login(server, "aud", other_audience)


@pytest.mark.parametrize(("claims", "message"), [
    (("team-b", "app", "uid-2"), "namespace not authorized"),
    (("team-a", "stranger", "uid-3"), "service account name not authorized"),
])
def test_bindings_are_checked(kube_auth, server, reviewer, claims, message):
    jwt = _legacy_jwt(*claims)
    reviewer.accounts[jwt] = claims

    with pytest.raises(exceptions.Forbidden, match=message):
        _login(server, "team-a", jwt)
    assert reviewer.reviews == []  # bindings fail before the cluster is asked


def test_the_cluster_has_the_last_word(kube_auth, server, reviewer):
    unknown = _legacy_jwt("team-a", "app", "uid-1")
    with pytest.raises(exceptions.Forbidden, match="permission denied"):
        _login(server, "team-a", unknown)

    mismatched = _legacy_jwt("team-a", "app", "uid-1")
    reviewer.accounts[mismatched] = ("team-a", "app", "uid-recreated")
    with pytest.raises(exceptions.Forbidden, match="permission denied"):
        _login(server, "team-a", mismatched)


def test_bad_requests(kube_auth, server, reviewer):
    with pytest.raises(exceptions.InvalidRequest, match='invalid role name "nope"'):
        _login(server, "nope", _legacy_jwt("team-a", "app", "u"))
    with pytest.raises(exceptions.Forbidden, match="three parts"):
        _login(server, "team-a", "opaque-token")
    with pytest.raises(exceptions.Forbidden, match="signature algorithm"):
        _login(server, "team-a", _jwt({"kubernetes.io/serviceaccount/namespace": "team-a"}, alg="none"))
    with pytest.raises(exceptions.InvalidRequest, match="can not be empty"):
        kube_auth.auth.kubernetes.create_role("empty", bound_service_account_names=["app"],
                                              bound_service_account_namespaces=[])


def test_config_and_roles_read_back(kube_auth, reviewer):
    config = kube_auth.auth.kubernetes.read_config()
    assert (config["kubernetes_host"], config["token_reviewer_jwt_set"]) == (reviewer.url, True)
    assert REVIEWER_JWT not in json.dumps(config)
    role = kube_auth.auth.kubernetes.read_role("team-a")
    assert (role["bound_service_account_names"], role["token_policies"], role["token_ttl"]) == (
        ["app", "worker-*"], ["tenant-db"], 1200)
    assert kube_auth.auth.kubernetes.list_roles()["keys"] == ["team-a"]
    kube_auth.auth.kubernetes.delete_role("team-a")
    with pytest.raises(exceptions.InvalidPath):
        kube_auth.auth.kubernetes.list_roles()


def test_a_pod_token_gets_database_credentials_that_log_in(kube_auth, db_engine, server, reviewer, psql):
    kube_auth.sys.create_or_update_acl_policy("tenant-db", 'path "database/creds/readonly" { capabilities = ["read"] }')
    jwt = _legacy_jwt("team-a", "app", "uid-1")
    reviewer.accounts[jwt] = ("team-a", "app", "uid-1")
    pod = hvac.Client(server.url, token=_login(server, "team-a", jwt)["auth"]["client_token"])

    creds = pod.secrets.database.generate_credentials("readonly")["data"]

    assert creds["username"].startswith("v-kubernet-readonly-")
    assert psql.run(creds["username"], creds["password"]).stdout.strip() == creds["username"]


def test_login_tokens_renew_only_while_their_role_stands(kube_auth, server, reviewer):
    jwt = _legacy_jwt("team-a", "app", "uid-1")
    reviewer.accounts[jwt] = ("team-a", "app", "uid-1")
    pod = hvac.Client(server.url, token=_login(server, "team-a", jwt)["auth"]["client_token"])
    assert pod.auth.token.renew_self()["auth"]["lease_duration"] == 1200

    kube_auth.auth.kubernetes.create_role("team-a", bound_service_account_names=["app"],
                                          bound_service_account_namespaces=["team-a"], policies=["other"])
    with pytest.raises(exceptions.InternalServerError, match="policies have changed, not renewing"):
        pod.auth.token.renew_self()
    kube_auth.auth.kubernetes.delete_role("team-a")
    with pytest.raises(exceptions.InternalServerError, match="role team-a does not exist during renewal"):
        pod.auth.token.renew_self()


def test_disabling_the_method_revokes_its_tokens(kube_auth, server, reviewer):
    jwt = _legacy_jwt("team-a", "app", "uid-1")
    reviewer.accounts[jwt] = ("team-a", "app", "uid-1")
    pod = hvac.Client(server.url, token=_login(server, "team-a", jwt)["auth"]["client_token"])
    assert pod.is_authenticated()

    kube_auth.sys.disable_auth_method("kubernetes")

    assert not pod.is_authenticated()
    assert kube_auth.is_authenticated()
