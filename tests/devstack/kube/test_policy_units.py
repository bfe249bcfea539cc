"""Policy and controllers against a small in-memory Store: quantities, quota, admission, RBAC, reviews, controllers."""

import copy
import itertools
import json
import threading
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devstack.kube import quota, resources
from devstack.kube.admission import default_admission, default_validating_admission
from devstack.kube.authn import StaticTokenAuthenticator, UnionAuthenticator, WebhookTokenAuthenticator
from devstack.kube.contracts import CLUSTER, ApiError, RequestAttributes, Resource, UserInfo
from devstack.kube.controllers import ControllerManager
from devstack.kube.quota import Quantity
from devstack.kube.rbac import (
    RBACAuthorizer,
    aggregation_controller,
    default_cluster_role_bindings,
    default_cluster_roles,
)
from devstack.kube.reviews import review_handlers


class FakeStore:
    """Just enough of the Store contract: admission before a write, controllers after it, deep copies out."""

    def __init__(self, admission=(), controllers=(), validating=()):
        self.admission, self.controllers, self.validating = list(admission), list(controllers), list(validating)
        self.objects: dict[tuple, dict] = {}
        self._versions = itertools.count(1)

    def resource_for(self, api_version: str, kind: str) -> Resource:
        return resources.by_kind(api_version, kind)

    def _key(self, resource, namespace, name):
        return resource.plural, resource.group, namespace if resource.namespaced else "", name

    def get(self, resource, namespace, name):
        try:
            return copy.deepcopy(self.objects[self._key(resource, namespace, name)])
        except KeyError:
            raise ApiError(404, "NotFound", f'{resource.plural} "{name}" not found') from None

    def list(self, resource, namespace="", label_selector=""):
        return [copy.deepcopy(obj) for (plural, group, ns, _), obj in sorted(self.objects.items())
                if (plural, group) == (resource.plural, resource.group) and (not namespace or ns == namespace)]

    def _commit(self, event, resource, obj):
        version = next(self._versions)
        obj["metadata"]["resourceVersion"] = str(version)
        self.objects[self._key(resource, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])] = obj
        for controller in self.controllers:
            controller(event, resource, copy.deepcopy(obj), self)
        return copy.deepcopy(obj)

    def create(self, resource, namespace, obj, as_controller=True, request=CLUSTER):
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            meta["name"] = meta["generateName"] + str(len(self.objects))
        if resource.namespaced:
            meta["namespace"] = namespace
        if self._key(resource, namespace, meta["name"]) in self.objects:
            raise ApiError(409, "AlreadyExists", f'{resource.plural} "{meta["name"]}" already exists')
        for plugin in self.admission:
            obj = plugin("CREATE", resource, obj, None, self, request)
        for validator in self.validating:
            validator("CREATE", resource, obj, None, self, request)
        version = next(self._versions)
        meta.update(uid=f"uid-{version}", creationTimestamp=f"2026-01-01T00:00:{version:06d}Z", generation=1)
        return self._commit("ADDED", resource, obj)

    def update(self, resource, namespace, obj, as_controller=True, request=CLUSTER):
        old = self.get(resource, namespace, obj["metadata"]["name"])
        obj = copy.deepcopy(obj)
        for plugin in self.admission:
            obj = plugin("UPDATE", resource, obj, old, self, request)
        for validator in self.validating:
            validator("UPDATE", resource, obj, old, self, request)
        if obj.get("spec") != old.get("spec"):
            obj["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
        obj["status"] = old.get("status", obj.get("status"))
        return self._commit("MODIFIED", resource, obj)

    def update_status(self, resource, namespace, obj, request=CLUSTER):
        current = self.get(resource, namespace, obj["metadata"]["name"])
        current["status"] = copy.deepcopy(obj.get("status"))
        return self._commit("MODIFIED", resource, current)

    def delete(self, resource, namespace, name, as_controller=True, request=CLUSTER):
        obj = self.get(resource, namespace, name)
        for plugin in self.admission:
            plugin("DELETE", resource, obj, obj, self, request)
        for validator in self.validating:
            validator("DELETE", resource, obj, obj, self, request)
        del self.objects[self._key(resource, namespace, name)]
        for controller in self.controllers:
            controller("DELETED", resource, copy.deepcopy(obj), self)
        return obj


def kind(api_version, name):
    return resources.by_kind(api_version, name)


POD, NAMESPACE, QUOTA = kind("v1", "Pod"), kind("v1", "Namespace"), kind("v1", "ResourceQuota")
LIMIT_RANGE, CONFIG_MAP, ACCOUNT = kind("v1", "LimitRange"), kind("v1", "ConfigMap"), kind("v1", "ServiceAccount")
DEPLOYMENT, JOB = kind("apps/v1", "Deployment"), kind("batch/v1", "Job")
RBAC = "rbac.authorization.k8s.io/v1"
CLUSTER_ROLE, BINDING = kind(RBAC, "ClusterRole"), kind(RBAC, "RoleBinding")
ROLE, CLUSTER_BINDING = kind(RBAC, "Role"), kind(RBAC, "ClusterRoleBinding")


def pod(name, *containers):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": f"c{i}", "image": "nginx", "resources": resources_}
                                    for i, resources_ in enumerate(containers)]}}


@pytest.fixture
def store():
    manager = ControllerManager()
    store = FakeStore(default_admission(), [quota.quota_controller, aggregation_controller, *manager.controllers],
                      default_validating_admission())
    store.create(NAMESPACE, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    return store


# --- quantities -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value", "canonical"), [
    ("500m", Fraction(1, 2), "500m"), ("20", Fraction(20), "20"), ("20m", Fraction(1, 50), "20m"),
    ("2000m", Fraction(2), "2"), ("1.5", Fraction(3, 2), "1500m"), ("1Gi", Fraction(2**30), "1Gi"),
    ("1024Mi", Fraction(2**30), "1Gi"), ("0.5Gi", Fraction(2**29), "512Mi"), ("1G", Fraction(10**9), "1G"),
    ("1k", Fraction(1000), "1k"), ("1e3", Fraction(1000), "1e3"), ("100Ki", Fraction(102400), "100Ki"),
    ("1n", Fraction(1, 10**9), "1n"), ("0.1", Fraction(1, 10), "100m"), ("0", Fraction(0), "0"),
])
def test_quantities_have_units(text, value, canonical):
    quantity = Quantity.parse(text)
    assert quantity.value == value
    assert str(quantity) == canonical


def test_quantity_rejects_garbage_and_sums_keep_the_first_format():
    with pytest.raises(ValueError):
        Quantity.parse("2 cores")
    assert str(Quantity.parse("1Gi") + Quantity.parse("512Mi")) == "1536Mi"
    assert str(Quantity.parse("500m") + Quantity.parse("1")) == "1500m"
    assert Quantity.parse("20m") < Quantity.parse("1") < Quantity.parse("20")


def test_pod_usage_sums_containers_and_counts_extended_resources():
    usage = quota.pod_usage(pod("p", {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "1"}},
                                {"requests": {"cpu": "250m", "nvidia.com/gpu": "1"}}))
    assert {name: str(value) for name, value in usage.items()} == {
        "count/pods": "1", "pods": "1", "cpu": "500m", "requests.cpu": "500m", "limits.cpu": "1",
        "memory": "64Mi", "requests.memory": "64Mi", "requests.nvidia.com/gpu": "1"}
    finished = pod("done", {"requests": {"cpu": "1"}})
    finished["status"] = {"phase": "Succeeded"}
    assert set(quota.pod_usage(finished)) == {"count/pods"}


# --- quota status and admission -------------------------------------------------------------------

def make_quota(store, hard, name="compute"):
    return store.create(QUOTA, "team", {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
                                        "spec": {"hard": hard}})


def test_quota_status_follows_pods_and_object_counts(store):
    make_quota(store, {"requests.cpu": "2", "limits.memory": "1Gi", "pods": "5", "configmaps": "3",
                       "count/deployments.apps": "2"})
    assert store.get(QUOTA, "team", "compute")["status"] == {
        "hard": {"configmaps": "3", "count/deployments.apps": "2", "limits.memory": "1Gi", "pods": "5",
                 "requests.cpu": "2"},
        "used": {"configmaps": "0", "count/deployments.apps": "0", "limits.memory": "0", "pods": "0",
                 "requests.cpu": "0"}}
    store.create(POD, "team", pod("a", {"requests": {"cpu": "500m"}, "limits": {"cpu": "1", "memory": "256Mi"}}))
    store.create(CONFIG_MAP, "team", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}})
    used = store.get(QUOTA, "team", "compute")["status"]["used"]
    assert used == {"configmaps": "1", "count/deployments.apps": "0", "limits.memory": "256Mi", "pods": "1",
                    "requests.cpu": "500m"}
    store.delete(POD, "team", "a")
    assert store.get(QUOTA, "team", "compute")["status"]["used"]["requests.cpu"] == "0"


def test_pod_over_quota_gets_the_real_message(store):
    make_quota(store, {"requests.cpu": "1", "limits.cpu": "2", "requests.memory": "1Gi", "limits.memory": "1Gi"})
    small = {"requests": {"cpu": "600m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
    store.create(POD, "team", pod("first", small))
    with pytest.raises(ApiError) as refused:
        store.create(POD, "team", pod("second", small))
    assert refused.value.code == 403 and refused.value.reason == "Forbidden"
    assert refused.value.message == (
        'pods "second" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, '
        "used: requests.cpu=600m, limited: requests.cpu=1")


def test_pod_without_requests_for_a_constrained_resource_is_refused(store):
    make_quota(store, {"requests.cpu": "1", "limits.memory": "1Gi"})
    with pytest.raises(ApiError) as refused:
        store.create(POD, "team", pod("bare", {}, {"requests": {"cpu": "100m"}}))
    assert refused.value.message == ('pods "bare" is forbidden: failed quota: compute: must specify '
                                     "limits.memory for: c0,c1; requests.cpu for: c0")


def test_gpu_quota_counts_extended_requests(store):
    make_quota(store, {"requests.nvidia.com/gpu": "1"}, name="gpu")
    store.create(POD, "team", pod("trainer", {"limits": {"nvidia.com/gpu": "1"}}))
    with pytest.raises(ApiError) as refused:
        store.create(POD, "team", pod("second", {"limits": {"nvidia.com/gpu": "1"}}))
    assert "exceeded quota: gpu, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=1" \
        in refused.value.message


def test_object_count_quota(store):
    make_quota(store, {"configmaps": "1"}, name="objects")
    store.create(CONFIG_MAP, "team", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}})
    with pytest.raises(ApiError) as refused:
        store.create(CONFIG_MAP, "team", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two"}})
    assert refused.value.message == ('configmaps "two" is forbidden: exceeded quota: objects, requested: '
                                     "configmaps=1, used: configmaps=1, limited: configmaps=1")


# --- LimitRange and namespace lifecycle -----------------------------------------------------------

def test_limit_range_fills_defaults_in_their_units(store):
    store.create(LIMIT_RANGE, "team", {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "defaults"},
                                       "spec": {"limits": [{"type": "Container",
                                                            "default": {"cpu": "500m", "memory": "256Mi"},
                                                            "defaultRequest": {"cpu": "20m"}}]}})
    created = store.create(POD, "team", pod("app", {}, {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}))
    first, second = (c["resources"] for c in created["spec"]["containers"])
    assert first == {"requests": {"cpu": "20m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    assert second == {"requests": {"cpu": "1", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "256Mi"}}
    assert Quantity.parse(first["requests"]["cpu"]).value == Fraction(2, 100)  # 20 millicores, not 20 cores
    assert created["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container c0; cpu, memory limit for container c0; "
        "memory request for container c1; memory limit for container c1")
    assert store.get(LIMIT_RANGE, "team", "defaults")["spec"]["limits"][0]["defaultRequest"] == \
        {"cpu": "20m", "memory": "256Mi"}


def test_limit_range_maximum(store):
    store.create(LIMIT_RANGE, "team", {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "caps"},
                                       "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}}]}})
    with pytest.raises(ApiError) as refused:
        store.create(POD, "team", pod("greedy", {"limits": {"cpu": "3"}}))
    assert refused.value.message == 'pods "greedy" is forbidden: maximum cpu usage per Container is 2, but limit is 3'
    assert store.create(POD, "team", pod("defaulted", {}))["spec"]["containers"][0]["resources"]["limits"] == \
        {"cpu": "2"}


# --- controllers ----------------------------------------------------------------------------------

def deployment(replicas, image="nginx:1.27"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": image}]}}}}


def owned_pods(store, uid):
    return [p for p in store.list(POD, "team") if p["metadata"]["ownerReferences"][0]["uid"] == uid]


def test_namespace_gets_default_service_account(store):
    assert store.get(ACCOUNT, "team", "default")["metadata"]["name"] == "default"


def test_deployment_creates_scales_rolls_and_replaces_pods(store):
    created = store.create(DEPLOYMENT, "team", deployment(3))
    uid = created["metadata"]["uid"]
    pods = owned_pods(store, uid)
    assert len(pods) == 3
    assert all(p["metadata"]["labels"]["app"] == "web" and p["status"]["phase"] == "Running"
               and p["spec"]["nodeName"] for p in pods)
    assert pods[0]["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    status = store.get(DEPLOYMENT, "team", "web")["status"]
    assert {k: status[k] for k in ("replicas", "readyReplicas", "availableReplicas", "updatedReplicas",
                                   "observedGeneration")} == {"replicas": 3, "readyReplicas": 3,
                                                              "availableReplicas": 3, "updatedReplicas": 3,
                                                              "observedGeneration": 1}
    scaled = store.get(DEPLOYMENT, "team", "web")
    scaled["spec"]["replicas"] = 1
    store.update(DEPLOYMENT, "team", scaled)
    assert len(owned_pods(store, uid)) == 1
    assert store.get(DEPLOYMENT, "team", "web")["status"]["replicas"] == 1
    assert store.get(DEPLOYMENT, "team", "web")["status"]["observedGeneration"] == 2
    rolled = store.get(DEPLOYMENT, "team", "web")
    rolled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    store.update(DEPLOYMENT, "team", rolled)
    assert [p["spec"]["containers"][0]["image"] for p in owned_pods(store, uid)] == ["nginx:1.28"]
    store.delete(POD, "team", owned_pods(store, uid)[0]["metadata"]["name"])
    assert len(owned_pods(store, uid)) == 1  # replaced


def test_deployment_over_quota_reports_replica_failure(store):
    make_quota(store, {"pods": "2"})
    store.create(DEPLOYMENT, "team", deployment(3))
    status = store.get(DEPLOYMENT, "team", "web")["status"]
    assert status["replicas"] == 2
    failure = next(c for c in status["conditions"] if c["type"] == "ReplicaFailure")
    assert failure["reason"] == "FailedCreate"
    assert failure["message"].startswith(f'pods "web-{status_hash(store)}-')
    assert failure["message"].endswith("is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, "
                                       "limited: pods=2")


def status_hash(store):
    return store.list(POD, "team")[0]["metadata"]["labels"]["pod-template-hash"]


def test_job_runs_to_completion(store):
    store.create(JOB, "team", {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
                               "spec": {"template": {"spec": {"restartPolicy": "Never",
                                                              "containers": [{"name": "run", "image": "busybox"}]}}}})
    job = store.get(JOB, "team", "once")
    assert job["status"]["succeeded"] == 1
    assert any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"]["conditions"])
    (job_pod,) = owned_pods(store, job["metadata"]["uid"])
    assert job_pod["status"]["phase"] == "Succeeded"
    assert job_pod["metadata"]["labels"]["job-name"] == "once"


# --- RBAC, aggregation and reviews ----------------------------------------------------------------

@pytest.fixture
def policy_store(store):
    for role in default_cluster_roles():
        store.create(CLUSTER_ROLE, "", role)
    for binding in default_cluster_role_bindings():
        store.create(CLUSTER_BINDING, "", binding)
    store.create(BINDING, "team", {
        "apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": "alice-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "User", "name": "alice"}, {"kind": "ServiceAccount", "name": "ci"}]})
    return store


ALICE = UserInfo("alice", groups=("students", "system:authenticated"))


def ask(user, verb, resource, namespace="team", group="", subresource="", name=""):
    return RequestAttributes(user=user, verb=verb, api_group=group, resource=resource, namespace=namespace,
                             subresource=subresource, name=name)


def test_aggregated_roles_collect_their_parts(policy_store):
    rules = {json.dumps(rule, sort_keys=True) for rule in policy_store.get(CLUSTER_ROLE, "", "admin")["rules"]}
    edit = {json.dumps(rule, sort_keys=True) for rule in policy_store.get(CLUSTER_ROLE, "", "edit")["rules"]}
    view = {json.dumps(rule, sort_keys=True) for rule in policy_store.get(CLUSTER_ROLE, "", "view")["rules"]}
    assert view < edit < rules
    policy_store.create(CLUSTER_ROLE, "", {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {
        "name": "widgets-view", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}]})
    authorizer = RBACAuthorizer(policy_store)
    assert authorizer.authorize(ask(ALICE, "get", "widgets", group="example.com"))[0]


def test_rbac_decisions(policy_store):
    authorizer = RBACAuthorizer(policy_store)
    allowed, reason = authorizer.authorize(ask(ALICE, "create", "deployments", group="apps"))
    assert allowed and reason == 'RBAC: allowed by RoleBinding "alice-edit/team" of ClusterRole "edit" to User "alice"'
    assert authorizer.authorize(ask(ALICE, "get", "pods", subresource="log"))[0]
    assert not authorizer.authorize(ask(ALICE, "create", "roles", group="rbac.authorization.k8s.io"))[0]
    assert not authorizer.authorize(ask(ALICE, "list", "pods", namespace="other")) [0]
    assert not authorizer.authorize(ask(ALICE, "list", "namespaces", namespace=""))[0]
    robot = UserInfo("system:serviceaccount:team:ci", groups=("system:serviceaccounts",))
    assert authorizer.authorize(ask(robot, "delete", "secrets"))[0]
    assert authorizer.authorize(RequestAttributes(user=ALICE, verb="get", non_resource_path="/apis/apps/v1"))[0]
    assert not authorizer.authorize(RequestAttributes(user=ALICE, verb="get", non_resource_path="/metrics"))[0]
    assert authorizer.authorize(ask(UserInfo("root", groups=("system:masters",)), "delete", "nodes", ""))[0]


def test_rbac_resource_names_and_missing_roles(policy_store):
    policy_store.create(ROLE, "team", {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "one-secret"},
                                       "rules": [{"apiGroups": [""], "resources": ["secrets"],
                                                  "resourceNames": ["db"], "verbs": ["get"]}]})
    for role_kind, role_name in (("Role", "one-secret"), ("Role", "gone")):
        policy_store.create(BINDING, "team", {
            "apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": f"bob-{role_name}"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": [{"kind": "User", "name": "bob"}]})
    authorizer, bob = RBACAuthorizer(policy_store), UserInfo("bob")
    assert authorizer.authorize(ask(bob, "get", "secrets", name="db"))[0]
    allowed, reason = authorizer.authorize(ask(bob, "get", "secrets", name="other"))
    assert not allowed and reason == 'RBAC: role.rbac.authorization.k8s.io "gone" not found'


def test_access_reviews(policy_store):
    handlers = review_handlers(StaticTokenAuthenticator({}), RBACAuthorizer(policy_store))
    self_review = handlers[("authorization.k8s.io", "selfsubjectaccessreviews")]
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"namespace": "team", "verb": "create", "resource": "pods"}}}
    assert self_review(body, ALICE)["status"]["allowed"] is True
    body["spec"]["resourceAttributes"]["namespace"] = "other"
    assert self_review(body, ALICE)["status"] == {"allowed": False}
    review = handlers[("authorization.k8s.io", "subjectaccessreviews")]
    answer = review({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                     "spec": {"user": "alice", "resourceAttributes": {"namespace": "team", "verb": "list",
                                                                      "resource": "pods"}}}, ALICE)
    assert answer["status"]["allowed"] is True and answer["kind"] == "SubjectAccessReview"
    with pytest.raises(ApiError) as invalid:
        review({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": {"user": "alice"}}, ALICE)
    assert invalid.value.code == 422


# --- authentication -------------------------------------------------------------------------------

class FakeWebhook:
    """A TokenReview webhook: knows `tokens`, counts calls, can be told to fail."""

    def __init__(self, tokens):
        self.tokens, self.calls, self.failing = tokens, 0, False
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                webhook.calls += 1
                review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if webhook.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                user = webhook.tokens.get(review["spec"]["token"])
                status = {"authenticated": True, "user": user} if user else {"authenticated": False}
                payload = json.dumps({"apiVersion": review["apiVersion"], "kind": "TokenReview", "status": status})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/tokenreview"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def webhook():
    hook = FakeWebhook({"t-alice": {"username": "alice", "uid": "42", "groups": ["students"]}})
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def test_webhook_authentication_caches_and_fails_closed(webhook):
    clock = [0.0]
    authenticator = UnionAuthenticator([
        StaticTokenAuthenticator({"admin-token": UserInfo("system:serviceaccount:kube-system:campus")}),
        WebhookTokenAuthenticator(webhook.url, success_ttl=60, failure_ttl=10, clock=lambda: clock[0])])
    assert authenticator.authenticate("admin-token").groups == ("system:authenticated",)
    assert webhook.calls == 0
    assert authenticator.authenticate("t-alice") == UserInfo("alice", "42", ("students", "system:authenticated"))
    assert authenticator.authenticate("t-alice").username == "alice"
    assert webhook.calls == 1  # cached
    assert authenticator.authenticate("t-nobody") is None
    assert authenticator.authenticate("t-nobody") is None
    assert webhook.calls == 2  # negative answers are cached too
    clock[0] = 61
    webhook.failing = True
    assert authenticator.authenticate("t-alice") is None  # expired, and a broken webhook never lets anyone in
    webhook.failing = False
    assert authenticator.authenticate("t-alice").username == "alice"  # errors are not cached
    assert authenticator.authenticate("") is None


def test_webhook_down_means_unauthenticated():
    authenticator = WebhookTokenAuthenticator("http://127.0.0.1:9/nothing-listens", timeout=1)
    assert authenticator.authenticate("anything") is None


def test_token_review_handler(webhook):
    authenticator = UnionAuthenticator([WebhookTokenAuthenticator(webhook.url)])
    handle = review_handlers(authenticator, RBACAuthorizer())[("authentication.k8s.io", "tokenreviews")]
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "t-alice"}}
    assert handle(body, ALICE)["status"] == {
        "authenticated": True, "user": {"username": "alice", "uid": "42",
                                        "groups": ["students", "system:authenticated"]}}
    body["spec"]["token"] = "wrong"
    assert handle(body, ALICE)["status"] == {"user": {}}
