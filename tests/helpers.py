"""Constants and small functions the tests share (fixtures live in tests/conftest.py)."""

import json
import time

from jsonschema import Draft202012Validator

from tenants.infra.kube import KubeCluster

GITLAB_TOKEN = "campus-gitlab-token"
ADMISSION_SECRET = "apiserver-admission-secret"  # what kube_cluster presents to webhooks where a test asks for it
CAMPUS_SERVICE = ("campus-system", "campus", 443)  # what the live campus stands in for in the stand-in
MANAGED = "app.kubernetes.io/managed-by=campus"
DEPLOYED_TOKEN, DEPLOYED_USER = "campus-deployed-token", "system:serviceaccount:campus-system:campus-deployed"
# A container securityContext the restricted Pod Security profile admits (tenant namespaces enforce it).
RESTRICTED = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}


def subjects(admin: KubeCluster, namespace: str) -> dict[str, list[str]]:
    """ClusterRole -> users, from campus's RoleBindings in the namespace."""
    bindings = admin.list_labelled("RoleBinding", f"{MANAGED},campus.example/tenant={namespace}")
    return {b["roleRef"]["name"]: [s["name"] for s in b["subjects"]] for b in bindings}


def managed_namespaces(admin: KubeCluster) -> set[str]:
    return {ns["metadata"]["name"] for ns in admin.list_labelled("Namespace", MANAGED)}


def wait_until_gone(admin: KubeCluster, names: set[str]) -> set[str]:
    """Namespace deletion is asynchronous; returns the managed namespaces left once `names` are gone (or 10 s)."""
    deadline = time.monotonic() + 10
    while (left := managed_namespaces(admin)) & names and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def eventually(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {check.__doc__ or check}")
        time.sleep(0.05)


# An AdmissionReview as kube-apiserver sends it to campus's protecting webhook.
CAMPUS_USER = "system:serviceaccount:campus-system:campus"
MANAGED_LABELS = {"app.kubernetes.io/managed-by": "campus"}


def admission_review(operation="UPDATE", user="s0003", kind="NetworkPolicy", new_labels=MANAGED_LABELS,
                     old_labels=MANAGED_LABELS, uid="705ab4f5-6393-11e8-b7cc-42010a800002"):
    obj = {"metadata": {"name": "campus-isolation", "namespace": "g-a", "labels": new_labels}}
    old = {"metadata": {"name": "campus-isolation", "namespace": "g-a", "labels": old_labels}}
    request = {"uid": uid, "kind": {"group": "networking.k8s.io", "version": "v1", "kind": kind},
               "operation": operation, "namespace": "g-a", "name": "campus-isolation",
               "userInfo": {"username": user, "groups": ["campus:student", "system:authenticated"]},
               "object": None if operation == "DELETE" else obj, "oldObject": None if operation == "CREATE" else old}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


class Api:
    """A test client that checks every answer against the schema and records which answers were seen."""

    def __init__(self, client, seen: set, token: str = ""):
        self.client, self.seen, self.token = client, seen, token

    def call(self, method: str, path: str, template: str, body=None, raw: str | None = None, **query):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client, method)(path, data=data if method != "get" else query,
                                                content_type="application/json", **headers)
        documented = api_schema()["paths"][template][method]["responses"]
        status = str(response.status_code)
        assert status in documented, f"{method.upper()} {template} answered {status}, which is not documented"
        content = documented[status].get("content")
        if content:
            document = {**content["application/json"]["schema"], "components": api_schema()["components"]}
            Draft202012Validator(document).validate(response.json())
        self.seen.add((template, method, status))
        return response


def api_schema() -> dict:
    """The API's OpenAPI document, read when asked: apps register their paths when Django starts."""
    from tenants.views.api_schema import schema

    return schema()
