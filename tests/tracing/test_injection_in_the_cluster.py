"""Tracing injected by the Kubernetes stand-in calling campus's mutating webhook (deploy/tracing-webhook.yaml) as
kube-apiserver calls webhooks: Deployments', Jobs' and bare pods alike, through kubectl with a tenant's token."""

import json

import pytest

from devstack.net import free_port
from tenants.tracing.services import set_tracing
from tests.helpers import ADMISSION_SECRET, CAMPUS_SERVICE, RESTRICTED

ROBOT = "p-courses-cs101-team-1-robot"  # s0003 is a namespace admin there
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.parametrize("kube_cluster", [{"admission_webhook_token": ADMISSION_SECRET}], indirect=True)]
CONTAINER = {"name": "app", "image": "registry.example.edu/shop:1", "securityContext": RESTRICTED,
             "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}}


@pytest.fixture
def injecting(campus_webhook, kubectl_as):
    campus_webhook("tracing-webhook.yaml", "/kubernetes/admission/pods")
    return kubectl_as


def pods(kubectl, namespace=ROBOT, selector=""):
    listed = kubectl("s0003", "get", "pods", "-n", namespace, "-o", "json", *(["-l", selector] if selector else []))
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)["items"]


def env(pod, container=0):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in pod["spec"]["containers"][container]["env"]}


def apply(kubectl, obj):
    applied = kubectl("s0003", "apply", "-f", "-", stdin=json.dumps(obj))
    assert applied.returncode == 0, applied.stderr


def test_a_deployment_a_job_and_a_bare_pod_get_the_same_injection(injecting):
    template = {"metadata": {"labels": {"app": "shop"}}, "spec": {"containers": [CONTAINER]}}
    apply(injecting, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop", "namespace": ROBOT},
                      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "shop"}}, "template": template}})
    apply(injecting, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "report", "namespace": ROBOT},
                      "spec": {"template": {"metadata": {"labels": {"app": "report"}},
                                            "spec": {"restartPolicy": "Never", "containers": [CONTAINER]}}}})
    apply(injecting, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shell", "namespace": ROBOT,
                                                                      "labels": {"app": "shell"}},
                      "spec": {"containers": [CONTAINER]}})

    for app, service in (("shop", "shop"), ("report", "report"), ("shell", "shell")):
        [pod] = pods(injecting, selector=f"app={app}")
        assert pod["metadata"]["annotations"]["campus.example/tracing"] == "injected"
        assert env(pod)["OTEL_SERVICE_NAME"] == service
        assert "service.namespace=" + ROBOT in env(pod)["OTEL_RESOURCE_ATTRIBUTES"]


def test_python_opt_in_extends_pythonpath_with_an_agent_that_fits_the_quota(injecting):
    container = {**CONTAINER, "env": [{"name": "PYTHONPATH", "value": "/app/lib"},
                                      {"name": "OTEL_SERVICE_NAME", "value": "my-own-name"}]}
    apply(injecting, {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "py", "namespace": ROBOT, "labels": {"app": "py"},
        "annotations": {"campus.example/inject-python": "true"}}, "spec": {"containers": [container]}})

    [pod] = pods(injecting, selector="app=py")
    assert env(pod)["PYTHONPATH"].endswith(":/app/lib") and env(pod)["OTEL_SERVICE_NAME"] == "my-own-name"
    [agent] = pod["spec"]["initContainers"]
    assert agent["resources"]["limits"] == {"cpu": "200m", "memory": "128Mi"}  # not the LimitRange's defaults
    assert pod["status"]["phase"] == "Running"


def test_opt_out_and_the_namespace_switch_are_honoured_and_recorded(injecting):
    apply(injecting, {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "quiet", "namespace": ROBOT, "labels": {"app": "quiet"},
        "annotations": {"campus.example/inject-tracing": "false"}}, "spec": {"containers": [CONTAINER]}})
    from django.contrib.auth.models import User

    from tenants.models import ManagedNamespace

    set_tracing(ManagedNamespace.objects.get(name=ROBOT), False, User.objects.create(username="s0003"))
    apply(injecting, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "later", "namespace": ROBOT,
                                                                      "labels": {"app": "later"}},
                      "spec": {"containers": [CONTAINER]}})

    [quiet], [later] = pods(injecting, selector="app=quiet"), pods(injecting, selector="app=later")
    assert quiet["metadata"]["annotations"]["campus.example/tracing"] == "skipped: the pod opted out"
    assert later["metadata"]["annotations"]["campus.example/tracing"] == "skipped: tracing is off for this namespace"
    assert "env" not in later["spec"]["containers"][0]


def test_a_webhook_that_is_down_never_blocks_a_pod(injecting, kube_cluster):
    kube_cluster.webhook_services[CAMPUS_SERVICE] = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    apply(injecting, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "anyway", "namespace": ROBOT,
                                                                      "labels": {"app": "anyway"}},
                      "spec": {"containers": [CONTAINER]}})

    [pod] = pods(injecting, selector="app=anyway")
    assert "campus.example/tracing" not in (pod["metadata"].get("annotations") or {})


def test_pods_outside_campus_namespaces_are_untouched(injecting, engine, kube_admin_api):
    engine.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops-tools"}})
    engine.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe", "namespace": "ops-tools"},
                   "spec": {"containers": [CONTAINER]}})

    probe = engine.get("Pod", "ops-tools", "probe")

    assert "campus.example/tracing" not in (probe["metadata"].get("annotations") or {})
    assert "env" not in probe["spec"]["containers"][0]
    engine.delete("Namespace", "", "ops-tools")
