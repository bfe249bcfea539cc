"""/kubernetes/admission/pods: the answer kube-apiserver gets, and bad reviews refused with 400, never a 500."""

import base64
import json

import pytest

from tenants.models import ManagedNamespace
from tenants.tracing.rules import DECISION

pytestmark = pytest.mark.django_db
SECRET = "admission-secret"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


@pytest.fixture(autouse=True)
def secret(settings):
    settings.CAMPUS_ADMISSION_SECRET = SECRET


def review(namespace="g-a", operation="CREATE", kind="Pod", pod=None):
    pod = pod if pod is not None else {"metadata": {"generateName": "web-abcde12345-", "namespace": namespace},
                                       "spec": {"containers": [{"name": "web", "image": "shop:1"}]}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "b3f1c0de", "kind": {"group": "", "version": "v1", "kind": kind}, "namespace": namespace,
                        "operation": operation, "userInfo": {"username": "s0001"}, "object": pod}}


def post(client, body, headers=AUTH):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/kubernetes/admission/pods", data, content_type="application/json", **headers)


def test_a_campus_pod_is_patched(client):
    ManagedNamespace.objects.create(name="g-a", kind="group", tier="course")

    response = post(client, review()).json()["response"]

    assert response["uid"] == "b3f1c0de" and response["allowed"] is True and response["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(response["patch"]))
    env = next(op["value"] for op in patch if op["path"] == "/spec/containers/0/env")
    assert {"name": "OTEL_SERVICE_NAME", "value": "web"} in env
    assert {"name": "OTEL_TRACES_SAMPLER_ARG", "value": "0.2"} in env  # the course tier's ratio
    assert {"op": "add", "path": "/metadata/annotations", "value": {DECISION: "injected"}} in patch


def test_a_pod_outside_campus_namespaces_is_admitted_untouched(client):
    response = post(client, review(namespace="kube-system")).json()["response"]
    assert response == {"uid": "b3f1c0de", "allowed": True}


@pytest.mark.parametrize(("body", "error"), [
    ("{", "not JSON"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"operation": "CREATE"}},
     "request.uid"),
    (review(kind="Deployment"), "request.kind must be Pod"),
    (review(pod="not a pod"), "request.object must be an object"),
])
def test_bad_reviews_get_400(client, body, error):
    response = post(client, body)
    assert response.status_code == 400 and error in response.json()["error"]


def test_callers_without_the_secret_are_refused(client):
    assert post(client, review(), headers={}).status_code == 401
