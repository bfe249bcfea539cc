"""Admission webhooks that fail, time out, answer wrongly, call back into the API, are selected away, reinvoked, or
are reached through a mapped Service, on the whole stand-in cluster."""

import time

import pytest
from kubernetes import client

from devstack.kube.contracts import ApiError, WriteRequest
from devstack.kube.resources import by_kind as resources_by_kind
from devstack.kube.webhooks import WebhookAdmission
from devstack.net import free_port
from tests.devstack.kube.admission_server import SERVICE, api_for, config_map, patch, refused, registered, webhook


def https(hooks, path: str) -> dict:
    return {"url": hooks.url(path), "caBundle": hooks.ca_bundle}


def create_config_map(api, namespace, name, labels=None):
    return client.CoreV1Api(api).create_namespaced_config_map(namespace, config_map(name, labels))


# --- failurePolicy -----------------------------------------------------------------------------------------------

def test_failure_policy_when_the_webhook_is_down(webhook_admin, hooks, hook_namespace, kubectl_as):
    port = free_port()
    down = {"url": f"https://127.0.0.1:{port}/check", "caBundle": hooks.ca_bundle}
    with registered(webhook_admin, "validating", "down",
                    webhook("down.campus.test", down, namespace=hook_namespace, failurePolicy="Fail")):
        created = kubectl_as("create", "configmap", "x", "-n", hook_namespace)
        assert created.returncode == 1
        assert created.stderr.strip() == (
            'error: failed to create configmap: Internal error occurred: failed calling webhook "down.campus.test": '
            f'failed to call webhook: Post "https://127.0.0.1:{port}/check?timeout=10s": dial tcp 127.0.0.1:{port}: '
            "connect: connection refused")
    with registered(webhook_admin, "validating", "down",
                    webhook("down.campus.test", down, namespace=hook_namespace, failurePolicy="Ignore")):
        assert create_config_map(webhook_admin, hook_namespace, "y").metadata.name == "y"


def test_timeout(webhook_admin, hooks, hook_namespace):
    def slow(_review):
        time.sleep(2.5)
        return {"allowed": True}

    hooks.routes["/slow"] = slow
    hook = webhook("slow.campus.test", https(hooks, "/slow"), namespace=hook_namespace, timeoutSeconds=1)
    with registered(webhook_admin, "validating", "slow", hook):
        started = time.monotonic()
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "x"))
        took = time.monotonic() - started
    assert code == 500 and took < 2.3
    assert status["message"] == ('Internal error occurred: failed calling webhook "slow.campus.test": failed to call '
                                 f'webhook: Post "{hooks.url("/slow")}?timeout=1s": context deadline exceeded')
    assert hooks.headers("/slow")[-1]["path"] == "/slow?timeout=1s"


def test_wrong_uid_or_kind_is_a_webhook_failure(webhook_admin, hooks, hook_namespace):
    hooks.raw["/stranger"] = lambda review: {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                             "response": {"uid": "not-" + review["request"]["uid"], "allowed": True}}
    hooks.raw["/old"] = lambda review: {"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
                                        "response": {"uid": review["request"]["uid"], "allowed": True}}
    with registered(webhook_admin, "validating", "stranger",
                    webhook("stranger.campus.test", https(hooks, "/stranger"), namespace=hook_namespace)):
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "x"))
    uid = hooks.reviews("/stranger")[-1]["request"]["uid"]
    assert (code, status["message"]) == (500, 'Internal error occurred: failed calling webhook "stranger.campus.test":'
                                              f' received invalid webhook response: expected response.uid="{uid}", '
                                              f'got "not-{uid}"')
    with registered(webhook_admin, "validating", "old",
                    webhook("old.campus.test", https(hooks, "/old"), namespace=hook_namespace)):
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "x"))
    assert status["message"].endswith("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
                                      "admission.k8s.io/v1beta1, Kind=AdmissionReview")
    with registered(webhook_admin, "validating", "stranger", webhook(
            "stranger.campus.test", https(hooks, "/stranger"), namespace=hook_namespace, failurePolicy="Ignore")):
        create_config_map(webhook_admin, hook_namespace, "ignored")


def test_untrusted_certificate_is_a_failure(webhook_admin, hooks, hook_namespace):
    with registered(webhook_admin, "validating", "untrusted", webhook(
            "untrusted.campus.test", {"url": hooks.url("/x")}, namespace=hook_namespace)):
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "x"))
    assert status["message"].endswith("tls: failed to verify certificate: x509: certificate signed by unknown "
                                      "authority")


# --- selectors -------------------------------------------------------------------------------------------------

def test_namespace_and_object_selectors(webhook_admin, hooks, hook_namespace):
    client.CoreV1Api(webhook_admin).create_namespace({"metadata": {"name": "unlabelled-ns"}})
    hook = webhook("picky.campus.test", https(hooks, "/picky"), namespace=hook_namespace,
                   operations=("CREATE", "UPDATE"), objectSelector={"matchLabels": {"check": "yes"}})
    with registered(webhook_admin, "validating", "picky", hook):
        create_config_map(webhook_admin, "unlabelled-ns", "elsewhere", {"check": "yes"})  # namespace not selected
        create_config_map(webhook_admin, hook_namespace, "unchecked")  # object not selected
        create_config_map(webhook_admin, hook_namespace, "checked", {"check": "yes"})
        client.CoreV1Api(webhook_admin).patch_namespaced_config_map(  # the old object still matches
            "checked", hook_namespace, {"metadata": {"labels": {"check": None}}})
    seen = [(r["request"]["operation"], r["request"]["name"]) for r in hooks.reviews("/picky")]
    assert seen == [("CREATE", "checked"), ("UPDATE", "checked")]


def test_namespace_selector_on_a_namespace_uses_its_own_labels(webhook_admin, hooks):
    hook = webhook("ns.campus.test", https(hooks, "/ns"), resources=("namespaces",), operations=("CREATE", "DELETE"),
                   namespaceSelector={"matchLabels": {"tenant": "yes"}})
    with registered(webhook_admin, "validating", "ns", hook):
        core = client.CoreV1Api(webhook_admin)
        core.create_namespace({"metadata": {"name": "tenant-x", "labels": {"tenant": "yes"}}})
        core.create_namespace({"metadata": {"name": "not-tenant"}})
        core.delete_namespace("tenant-x")
    seen = [(r["request"]["operation"], r["request"]["name"], r["request"]["namespace"])
            for r in hooks.reviews("/ns")]
    assert seen == [("CREATE", "tenant-x", ""), ("DELETE", "tenant-x", "tenant-x")]


# --- mutation order --------------------------------------------------------------------------------------------

def test_reinvocation_if_needed(webhook_admin, hooks, hook_namespace):
    def add_label(key):
        def answer(review):
            labels = review["request"]["object"]["metadata"].get("labels") or {}
            if key in labels:
                return {"allowed": True}
            return patch({"op": "add", "path": "/metadata/labels", "value": {**labels, key: "yes"}})(review)
        return answer

    hooks.routes["/first"], hooks.routes["/second"] = add_label("first"), add_label("second")
    with registered(webhook_admin, "mutating", "a-first", webhook("first.campus.test", https(hooks, "/first"),
                                                                  namespace=hook_namespace,
                                                                  reinvocationPolicy="IfNeeded")), \
            registered(webhook_admin, "mutating", "b-second", webhook("second.campus.test", https(hooks, "/second"),
                                                                      namespace=hook_namespace)):
        created = create_config_map(webhook_admin, hook_namespace, "x", {"own": "label"})
    assert created.metadata.labels == {"own": "label", "first": "yes", "second": "yes"}
    first = [r["request"]["object"]["metadata"]["labels"] for r in hooks.reviews("/first")]
    assert first == [{"own": "label"}, {"own": "label", "first": "yes", "second": "yes"}]  # called again, once
    assert len(hooks.reviews("/second")) == 1  # reinvocationPolicy Never (the default)


def test_a_webhook_may_read_through_the_api_while_it_is_called(webhook_cluster, webhook_admin, hooks,
                                                               hook_namespace):
    def look_around(review):
        with api_for(webhook_cluster) as api:
            names = [c.metadata.name for c in client.CoreV1Api(api).list_namespaced_config_map(hook_namespace).items]
        return {"allowed": "second" not in names or review["request"]["name"] != "second",
                "status": {"message": "only one"}}

    hooks.routes["/look"] = look_around
    with registered(webhook_admin, "validating", "look", webhook("look.campus.test", https(hooks, "/look"),
                                                                 namespace=hook_namespace, timeoutSeconds=5)):
        started = time.monotonic()
        create_config_map(webhook_admin, hook_namespace, "second")
        assert time.monotonic() - started < 2  # no deadlock, no timeout


def test_a_webhook_that_writes_through_the_api_while_called_times_out(webhook_cluster, webhook_admin, hooks,
                                                                      hook_namespace):
    """The documented deviation: webhooks are called under the store's write lock, so a write the webhook makes
    through the API waits for the request that called it; that call times out and failurePolicy decides."""
    def write_back(review):
        with api_for(webhook_cluster) as api:
            create_config_map(api, "default", "audit-" + review["request"]["name"])
        return {"allowed": True}

    hooks.routes["/write"] = write_back
    with registered(webhook_admin, "validating", "write", webhook("write.campus.test", https(hooks, "/write"),
                                                                  namespace=hook_namespace, timeoutSeconds=1)):
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "x"))
    assert code == 500 and status["message"].endswith("context deadline exceeded")
    for _ in range(50):  # the webhook's own write goes through once the lock is free
        if client.CoreV1Api(webhook_admin).list_namespaced_config_map("default", field_selector=
                                                                      "metadata.name=audit-x").items:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the webhook's write never landed")


# --- services and dry run --------------------------------------------------------------------------------------

def test_service_reference_is_mapped_to_a_local_url(webhook_admin, plain_hooks, hook_namespace):
    namespace, name, port = SERVICE
    service = {"namespace": namespace, "name": name, "port": port, "path": "/kubernetes/admission"}
    with registered(webhook_admin, "validating", "svc", webhook("svc.campus.test", {"service": service},
                                                                namespace=hook_namespace)):
        create_config_map(webhook_admin, hook_namespace, "x")
    assert plain_hooks.headers("/kubernetes/admission")[-1]["path"] == "/kubernetes/admission?timeout=10s"
    nowhere = {"namespace": "campus-system", "name": "nowhere", "path": "/x"}
    with registered(webhook_admin, "validating", "nowhere", webhook("nowhere.campus.test", {"service": nowhere},
                                                                    namespace=hook_namespace)):
        code, status = refused(lambda: create_config_map(webhook_admin, hook_namespace, "y"))
    assert status["message"] == ('Internal error occurred: failed calling webhook "nowhere.campus.test": failed to '
                                 'call webhook: Post "https://nowhere.campus-system.svc:443/x?timeout=10s": service '
                                 '"nowhere" not found')


def test_dry_run_reaches_webhooks_without_side_effects(webhook_admin, hooks, hook_namespace, kubectl_as):
    with registered(webhook_admin, "validating", "dry", webhook("dry.campus.test", https(hooks, "/dry"),
                                                                namespace=hook_namespace, sideEffects="NoneOnDryRun")):
        dry = kubectl_as("create", "configmap", "x", "-n", hook_namespace, "--dry-run=server")
    assert dry.returncode == 0, dry.stderr
    request = hooks.reviews("/dry")[-1]["request"]
    assert request["dryRun"] is True and request["options"]["dryRun"] == ["All"]


def test_dry_run_refused_for_webhooks_with_side_effects():
    """Unreachable through the v1 API (it only accepts None/NoneOnDryRun), as in the real server's dispatcher."""
    resource = resources_by_kind("v1", "ConfigMap")
    hook = webhook("effects.campus.test", {"url": "https://127.0.0.1:1/"}, sideEffects="Some")

    class Store:
        def resource_for(self, api_version, kind):
            return resources_by_kind(api_version, kind)

        def list(self, resource, namespace="", label_selector=""):
            return [{"metadata": {"name": "effects"}, "webhooks": [hook]}] if "Validating" in resource.kind else []

    with pytest.raises(ApiError) as error:
        WebhookAdmission().validate("CREATE", resource, config_map("x"), None, Store(), WriteRequest(dry_run=True))
    assert (error.value.code, error.value.message) == (400, 'admission webhook "effects.campus.test" does not '
                                                            "support dry run")


def test_a_service_may_be_mapped_after_the_cluster_started(webhook_cluster, webhook_admin, plain_hooks,
                                                           hook_namespace):
    webhook_cluster.webhook_services[("campus-system", "late", 8443)] = plain_hooks.base_url
    service = {"namespace": "campus-system", "name": "late", "port": 8443, "path": "/late"}
    with registered(webhook_admin, "validating", "late", webhook("late.campus.test", {"service": service},
                                                                 namespace=hook_namespace)):
        create_config_map(webhook_admin, hook_namespace, "x")
    assert plain_hooks.reviews("/late")[-1]["request"]["name"] == "x"


@pytest.mark.parametrize("kube_cluster", [{"nodes": [{"name": "param-node"}], "admission_webhook_token": "t"}],
                         indirect=True)
def test_the_shared_kube_cluster_fixture_takes_cluster_options(kube_cluster):
    assert [node.name for node in kube_cluster.nodes] == ["param-node"]
