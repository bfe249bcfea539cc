"""Constants and small functions the tests share (fixtures live in tests/conftest.py)."""

import time

from tenants.infra.kube import KubeCluster

GITLAB_TOKEN = "campus-gitlab-token"
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
