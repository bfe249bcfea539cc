"""Admission webhooks on the whole stand-in cluster, called over real HTTPS: what they are sent, what their answers
do, and the configurations themselves, through kubectl and the official Python client."""

import json
import time

from kubernetes import client

from tests.devstack.kube.admission_server import (
    HOOK_TOKEN,
    api_for,
    config_map,
    deny,
    patch,
    refused,
    registered,
    webhook,
)


def https(hooks, path: str) -> dict:
    return {"url": hooks.url(path), "caBundle": hooks.ca_bundle}


# --- what a webhook is sent ------------------------------------------------------------------------------------

def test_review_contents(webhook_cluster, webhook_admin, hooks, hook_namespace):
    ns = hook_namespace
    hook = webhook("record.campus.test", https(hooks, "/record"), namespace=ns, operations=("*",))
    with registered(webhook_admin, "validating", "record", hook), api_for(webhook_cluster, "t-wendy") as wendy:
        core = client.CoreV1Api(wendy)
        core.create_namespaced_config_map(ns, config_map("settings"))
        core.patch_namespaced_config_map("settings", ns, {"data": {"k": "w"}})
        core.delete_namespaced_config_map("settings", ns)
    created, updated, deleted = hooks.reviews("/record")[-3:]
    assert (created["apiVersion"], created["kind"]) == ("admission.k8s.io/v1", "AdmissionReview")
    request = created["request"]
    assert request["kind"] == request["requestKind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
    assert request["resource"] == request["requestResource"] == {"group": "", "version": "v1",
                                                                 "resource": "configmaps"}
    assert (request["name"], request["namespace"], request["operation"]) == ("settings", ns, "CREATE")
    assert request["userInfo"] == {"username": "wendy", "uid": "u-wendy",
                                   "groups": ["students", "system:authenticated"]}
    assert request["object"]["data"] == {"k": "v"} and request["object"]["metadata"]["uid"]
    assert request["oldObject"] is None and request["dryRun"] is False and request["uid"]
    assert request["options"] == {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1",
                                  "fieldManager": "OpenAPI-Generator"}
    assert updated["request"]["operation"] == "UPDATE" and updated["request"]["oldObject"]["data"] == {"k": "v"}
    assert updated["request"]["object"]["data"] == {"k": "w"}
    assert deleted["request"]["operation"] == "DELETE" and deleted["request"]["object"] is None
    assert deleted["request"]["oldObject"]["data"] == {"k": "w"}
    assert deleted["request"]["options"]["kind"] == "DeleteOptions"
    headers = hooks.headers("/record")[-1]
    assert headers["Authorization"] == f"Bearer {HOOK_TOKEN}" and headers["path"] == "/record?timeout=10s"
    assert headers["Content-Type"] == "application/json"


def test_subresources_and_status_updates(webhook_admin, hooks, hook_namespace):
    rule = {"operations": ["UPDATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments/status"]}
    hook = webhook("status.campus.test", https(hooks, "/status"), namespace=hook_namespace) | {"rules": [rule]}
    with registered(webhook_admin, "validating", "status", hook):
        client.AppsV1Api(webhook_admin).create_namespaced_deployment(hook_namespace, {
            "metadata": {"name": "web"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                                  "template": {"metadata": {"labels": {"app": "web"}},
                                                               "spec": {"containers": [{"name": "w", "image": "x"}]}}}})
    sent = [r["request"] for r in hooks.reviews("/status")]
    assert sent and all(r["subResource"] == "status" and r["kind"]["kind"] == "Deployment" for r in sent)
    assert sent[0]["userInfo"]["username"] == "system:serviceaccount:kube-system:deployment-controller"


def test_controller_writes_reach_webhooks_as_their_controllers(webhook_cluster, webhook_admin, hooks,
                                                                    hook_namespace):
    rule = {"operations": ["CREATE"], "apiGroups": ["", "apps"], "apiVersions": ["v1"],
            "resources": ["pods", "deployments"]}
    hook = webhook("pods.campus.test", https(hooks, "/pods"), namespace=hook_namespace) | {"rules": [rule]}
    with registered(webhook_admin, "validating", "pods", hook), api_for(webhook_cluster, "t-wendy") as wendy:
        client.AppsV1Api(wendy).create_namespaced_deployment(hook_namespace, {"metadata": {"name": "web"}, "spec": {
            "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    users = [(r["request"]["kind"]["kind"], r["request"]["userInfo"]["username"]) for r in hooks.reviews("/pods")]
    assert users == [("Deployment", "wendy"), ("Pod", "system:serviceaccount:kube-system:replicaset-controller")]


def test_namespace_controller_and_garbage_collector_deletes_carry_their_identities(webhook_admin, hooks,
                                                                                   hook_namespace):
    ns = hook_namespace
    hook = webhook("deletes.campus.test", https(hooks, "/deletes"), resources=("configmaps", "pods"),
                   operations=("DELETE",), namespace=ns)
    apps, core = client.AppsV1Api(webhook_admin), client.CoreV1Api(webhook_admin)
    with registered(webhook_admin, "validating", "deletes", hook):
        apps.create_namespaced_deployment(ns, {"metadata": {"name": "web"}, "spec": {
            "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "w", "image": "x"}]}}}})
        apps.delete_namespaced_deployment("web", ns)
        core.create_namespaced_config_map(ns, config_map("left-behind"))
        core.delete_namespace(ns)
        for _ in range(100):
            if not [n for n in core.list_namespace().items if n.metadata.name == ns]:
                break
            time.sleep(0.02)
    deletes = [(r["request"]["kind"]["kind"], r["request"]["userInfo"]["username"]) for r in hooks.reviews("/deletes")]
    assert deletes == [("Pod", "system:serviceaccount:kube-system:generic-garbage-collector"),
                       ("ConfigMap", "system:serviceaccount:kube-system:namespace-controller")]


def test_webhook_configurations_are_never_sent_to_webhooks(webhook_admin, hooks):
    everything = {"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"], "scope": "*"}
    hook = webhook("all.campus.test", https(hooks, "/all"), objectSelector={"matchLabels": {"hook-all": "yes"}})
    with registered(webhook_admin, "validating", "all", hook | {"rules": [everything]}):
        with registered(webhook_admin, "mutating", "labelled", hook | {"rules": [everything], "name": "m.c.test"}):
            pass
        client.AdmissionregistrationV1Api(webhook_admin).patch_validating_webhook_configuration(
            "all", {"metadata": {"labels": {"hook-all": "yes"}}})
        client.CoreV1Api(webhook_admin).create_namespace({"metadata": {"name": "all-hooked",
                                                                       "labels": {"hook-all": "yes"}}})
    assert [r["request"]["kind"]["kind"] for r in hooks.reviews("/all")] == ["Namespace"]


# --- answers ---------------------------------------------------------------------------------------------------

def test_denial_shows_the_webhook_message(webhook_admin, hooks, hook_namespace, kubectl_as):
    ns = hook_namespace
    hooks.routes["/deny"] = deny("configmaps are not welcome here")
    hooks.routes["/deny-403"] = deny("nor secrets", code=403)
    with registered(webhook_admin, "validating", "deny",
                    webhook("deny.campus.test", https(hooks, "/deny"), namespace=ns),
                    webhook("deny403.campus.test", https(hooks, "/deny-403"), resources=("secrets",), namespace=ns)):
        created = kubectl_as("create", "configmap", "x", "-n", ns, "--from-literal=a=b", token="t-wendy")
        assert created.returncode == 1
        assert created.stderr.strip() == ('error: failed to create configmap: admission webhook "deny.campus.test" '
                                          'denied the request: configmaps are not welcome here')
        applied = kubectl_as("apply", "-n", ns, "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\n"
                                                                  "metadata: {name: applied}\n")
        assert applied.stderr.strip() == ('Error from server: error when creating "STDIN": admission webhook '
                                          '"deny.campus.test" denied the request: configmaps are not welcome here')
        code, status = refused(lambda: client.CoreV1Api(webhook_admin).create_namespaced_config_map(
            ns, config_map("y")))
        assert code == 400 and "reason" not in status  # the webhook gave no code: 400, as the real server does
        code, status = refused(lambda: client.CoreV1Api(webhook_admin).create_namespaced_secret(ns, {
            "metadata": {"name": "s"}}))
        assert (code, status["message"]) == (403, 'admission webhook "deny403.campus.test" denied the request: '
                                                  'nor secrets')


def test_mutating_patch_is_applied_after_limit_ranger(webhook_admin, hooks, hook_namespace, kubectl_as):
    ns = hook_namespace
    client.CoreV1Api(webhook_admin).create_namespaced_limit_range(ns, {"metadata": {"name": "defaults"}, "spec": {
        "limits": [{"type": "Container", "defaultRequest": {"cpu": "100m"}, "default": {"cpu": "200m"}}]}})
    hooks.routes["/label"] = patch({"op": "add", "path": "/metadata/labels/stamped", "value": "yes"})
    hook = webhook("label.campus.test", https(hooks, "/label"), resources=("pods",), namespace=ns)
    with registered(webhook_admin, "mutating", "label", hook):
        ran = kubectl_as("run", "web", "-n", ns, "--image=nginx", "--labels=app=web")
        assert ran.returncode == 0, ran.stderr
        labels = kubectl_as("get", "pod", "web", "-n", ns, "-o", "jsonpath={.metadata.labels}")
    assert json.loads(labels.stdout) == {"app": "web", "stamped": "yes"}
    sent = hooks.reviews("/label")[-1]["request"]["object"]
    assert sent["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "200m"}, "requests": {"cpu": "100m"}}


def test_warnings_reach_kubectl(webhook_admin, hooks, hook_namespace, kubectl_as):
    hooks.routes["/warn"] = lambda _review: {"allowed": True, "warnings": ["configmap names are public"]}
    with registered(webhook_admin, "validating", "warn", webhook("warn.campus.test", https(hooks, "/warn"),
                                                                 namespace=hook_namespace)):
        created = kubectl_as("create", "configmap", "x", "-n", hook_namespace)
    assert created.returncode == 0 and "Warning: configmap names are public" in created.stderr


def test_patch_from_a_validating_webhook_is_a_failure(webhook_admin, hooks, hook_namespace):
    hooks.routes["/sneaky"] = patch({"op": "add", "path": "/data/x", "value": "y"})
    with registered(webhook_admin, "validating", "sneaky", webhook("sneaky.campus.test", https(hooks, "/sneaky"),
                                                                   namespace=hook_namespace)):
        code, status = refused(lambda: client.CoreV1Api(webhook_admin).create_namespaced_config_map(
            hook_namespace, config_map("x")))
    assert (code, status["reason"]) == (500, "InternalError")
    assert status["message"] == ('Internal error occurred: failed calling webhook "sneaky.campus.test": received '
                                 'invalid webhook response: validating webhook may not return response.patch')


def test_webhooks_run_before_resource_quota(webhook_admin, hooks, hook_namespace):
    client.CoreV1Api(webhook_admin).create_namespaced_resource_quota(hook_namespace, {
        "metadata": {"name": "none"}, "spec": {"hard": {"count/configmaps": "0"}}})
    hooks.routes["/first"] = deny("the webhook speaks first")
    with registered(webhook_admin, "validating", "first", webhook("first.campus.test", https(hooks, "/first"),
                                                                  namespace=hook_namespace)):
        code, status = refused(lambda: client.CoreV1Api(webhook_admin).create_namespaced_config_map(
            hook_namespace, config_map("x")))
    assert status["message"].endswith("the webhook speaks first")


# --- the configurations --------------------------------------------------------------------------------------

def test_kubectl_applies_and_deletes_a_configuration(hooks, hook_namespace, kubectl_as):
    hooks.routes["/kubectl"] = deny("applied with kubectl")
    manifest = f"""
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {{name: from-kubectl}}
webhooks:
- name: kubectl.campus.test
  clientConfig: {{url: "{hooks.url('/kubectl')}", caBundle: {hooks.ca_bundle}}}
  rules: [{{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps], scope: Namespaced}}]
  namespaceSelector: {{matchLabels: {{hooks-test: {hook_namespace}}}}}
  sideEffects: None
  admissionReviewVersions: [v1]
"""
    applied = kubectl_as("apply", "-f", "-", stdin=manifest)
    assert applied.stdout.strip() == ("validatingwebhookconfiguration.admissionregistration.k8s.io/from-kubectl "
                                      "created"), applied.stderr
    assert "applied with kubectl" in kubectl_as("create", "configmap", "x", "-n", hook_namespace).stderr
    assert kubectl_as("apply", "-f", "-", stdin=manifest).stdout.strip().endswith("unchanged")
    deleted = kubectl_as("delete", "validatingwebhookconfiguration", "from-kubectl")
    assert deleted.returncode == 0, deleted.stderr
    assert kubectl_as("create", "configmap", "x", "-n", hook_namespace).returncode == 0


def test_configurations_are_validated_and_printed(webhook_admin, hooks, kubectl_as):
    api = client.AdmissionregistrationV1Api(webhook_admin)

    def invalid(**changes):
        hook = webhook("bad.campus.test", https(hooks, "/bad")) | changes
        code, status = refused(lambda: api.create_validating_webhook_configuration(
            {"metadata": {"name": "bad"}, "webhooks": [hook]}))
        assert code == 422
        return status["message"]

    assert invalid(clientConfig={"url": "http://127.0.0.1:1/x"}) == (
        'ValidatingWebhookConfiguration.admissionregistration.k8s.io "bad" is invalid: webhooks[0].clientConfig.url: '
        "Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]")
    assert invalid(sideEffects="Some").endswith('webhooks[0].sideEffects: Unsupported value: "Some": supported '
                                                'values: "None", "NoneOnDryRun"')
    assert invalid(timeoutSeconds=31).endswith("webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value "
                                               "must be between 1 and 30 seconds")
    assert invalid(name="short.name").endswith('webhooks[0].name: Invalid value: "short.name": should be a domain '
                                               "with at least three segments separated by dots")
    with registered(webhook_admin, "validating", "printed", webhook("a.campus.test", https(hooks, "/a")),
                    webhook("b.campus.test", https(hooks, "/b"))):
        stored = api.read_validating_webhook_configuration("printed").webhooks[0]
        assert (stored.failure_policy, stored.match_policy, stored.timeout_seconds) == ("Fail", "Equivalent", 10)
        assert stored.namespace_selector.to_dict() == {"match_expressions": None, "match_labels": None}
        table = kubectl_as("get", "validatingwebhookconfiguration", "printed").stdout.split()
        assert table[:5] == ["NAME", "WEBHOOKS", "AGE", "printed", "2"]
    listed = kubectl_as("api-resources", "--api-group=admissionregistration.k8s.io", "-o", "name").stdout.split()
    assert listed == ["mutatingwebhookconfigurations.admissionregistration.k8s.io",
                      "validatingwebhookconfigurations.admissionregistration.k8s.io"]
