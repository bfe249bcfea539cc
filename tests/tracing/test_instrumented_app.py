"""A small app instrumented with the OpenTelemetry SDK, run with exactly the environment the webhook injected into
its pod (resolved as the kubelet would), reports spans that the namespace's Traces page then shows."""

import json
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from devstack.traces.server import TraceServer
from tests.helpers import ADMISSION_SECRET, RESTRICTED

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.parametrize("kube_cluster", [{"admission_webhook_token": ADMISSION_SECRET}], indirect=True)]
ROBOT = "p-courses-cs101-team-1-robot"  # s0003 is a namespace admin there
APP = """
from opentelemetry import trace
from opentelemetry.sdk._configuration import _OTelSDKConfigurator

_OTelSDKConfigurator().configure()  # everything from the environment, as auto-instrumentation does
tracer = trace.get_tracer("shop")
with tracer.start_as_current_span("checkout"):
    with tracer.start_as_current_span("charge card"):
        pass
trace.get_tracer_provider().shutdown()  # flush
"""


def kubelet_env(pod: dict) -> dict[str, str]:
    """The container's environment as the kubelet builds it: downward API fields, then $(VAR) references."""
    fields = {"metadata.name": pod["metadata"]["name"], "metadata.namespace": pod["metadata"]["namespace"]}
    env: dict[str, str] = {}
    for item in pod["spec"]["containers"][0]["env"]:
        value = item["value"] if "value" in item else fields[item["valueFrom"]["fieldRef"]["fieldPath"]]
        env[item["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), value)
    return env


@pytest.fixture
def traces(settings):
    with TraceServer() as server:
        settings.CAMPUS_TRACING_EXPORTER, settings.CAMPUS_TRACING_COLLECTOR_URL = "zipkin", server.spans_url
        settings.CAMPUS_TRACING_SAMPLE_RATIOS = {"student": "1"}
        settings.CAMPUS_TRACING_QUERY_URL = server.url
        yield server


def test_spans_of_an_injected_pod_reach_its_namespaces_traces(traces, campus_webhook, kubectl_as, client):
    campus_webhook("tracing-webhook.yaml", "/kubernetes/admission/pods")
    container = {"name": "app", "image": "registry.example.edu/shop:1", "securityContext": RESTRICTED,
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                               "limits": {"cpu": "20m", "memory": "32Mi"}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shop", "namespace": ROBOT,
                                                           "labels": {"app.kubernetes.io/name": "shop"}},
           "spec": {"containers": [container]}}
    assert kubectl_as("s0003", "apply", "-f", "-", stdin=json.dumps(pod)).returncode == 0
    injected = json.loads(kubectl_as("s0003", "get", "pod", "shop", "-n", ROBOT, "-o", "json").stdout)

    ran = subprocess.run([sys.executable, "-c", APP], env=kubelet_env(injected), capture_output=True, text=True,
                         timeout=60)

    assert ran.returncode == 0, ran.stderr
    [trace] = traces.traces()
    assert {span["name"] for span in trace} == {"checkout", "charge card"}
    assert all(span["localEndpoint"]["serviceName"] == "shop" and span["tags"]["k8s.namespace.name"] == ROBOT
               and span["tags"]["k8s.pod.name"] == "shop" for span in trace)
    client.force_login(User.objects.create(username="s0003"))
    page = client.get(f"/namespaces/{ROBOT}/traces").content.decode()
    assert "shop checkout" in page
