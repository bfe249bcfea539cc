"""The tracing webhook under load: AdmissionReviews of realistic pods through gunicorn, as kube-apiserver sends
them on every pod start in a campus namespace.

Prints `admission_sequential_p50_ms` and `admission_sequential_p99_ms` (one pod start at a time), then, with 8
concurrent callers, `admission_requests`, `admission_rps`, `admission_p50_ms`, `admission_p99_ms`. Target:
p99 <= 10 ms (it sits on every pod start) on a 2-core machine, which also runs the load generator here.
"""

import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.loadgen import campus_on_gunicorn, run_clients  # noqa: E402

CLIENTS, SECONDS, LOAD_PROCESSES, SECRET = 8, 10, 2, "bench-admission-secret"
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {
    "generateName": "shop-7d4b9c8f6d-", "namespace": "g-courses-c1-team-1",
    "labels": {"app": "shop", "pod-template-hash": "7d4b9c8f6d"},
    "annotations": {"campus.example/inject-python": "true"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "shop-7d4b9c8f6d",
                         "uid": "6c1e", "controller": True}]},
    "spec": {"containers": [
        {"name": "web", "image": "registry.example.edu/shop:1.4", "ports": [{"containerPort": 8000}],
         "env": [{"name": "PYTHONPATH", "value": "/app"}, {"name": "DATABASE_URL", "valueFrom": {
             "secretKeyRef": {"name": "shop-credentials", "key": "DATABASE_URL"}}}],
         "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}},
        {"name": "worker", "image": "registry.example.edu/shop:1.4", "command": ["python", "-m", "worker"]}],
        "volumes": [{"name": "cache", "emptyDir": {}}]}}


def seed() -> None:
    import django

    django.setup()
    from tenants.models import ManagedNamespace

    ManagedNamespace.objects.create(name=POD["metadata"]["namespace"], kind="group", gitlab_id=1, tier="course")


def client_loop(port: int, deadline: float, timings: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json", "Host": "127.0.0.1"}
    n = 0
    while time.monotonic() < deadline:
        n += 1
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": f"bench-{os.getpid()}-{threading.get_ident()}-{n}", "kind": {"group": "", "version": "v1",
                                                                              "kind": "Pod"},
            "namespace": POD["metadata"]["namespace"], "operation": "CREATE", "object": POD,
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"}}}
        started = time.perf_counter()
        connection.request("POST", "/kubernetes/admission/pods", body=json.dumps(review), headers=headers)
        response = connection.getresponse()
        body = json.loads(response.read())
        if response.status != 200 or body["response"].get("patchType") != "JSONPatch":
            raise SystemExit(f"the webhook answered {response.status}: {body}")
        timings.append((time.perf_counter() - started) * 1000)


def main() -> None:
    with campus_on_gunicorn("admission", [__file__, "--seed"], {"CAMPUS_ADMISSION_SECRET": SECRET}) as (port, _):
        client_loop(port, time.monotonic() + 2, [])  # warm up
        sequential: list[float] = []
        client_loop(port, time.monotonic() + 5, sequential)
        timings = run_clients(client_loop, port, [()] * CLIENTS, SECONDS, LOAD_PROCESSES)
    print(f"admission_sequential_p50_ms: {statistics.median(sequential):.1f}")
    print(f"admission_sequential_p99_ms: {statistics.quantiles(sequential, n=100)[98]:.1f}")
    print(f"admission_requests: {len(timings)}")
    print(f"admission_rps: {len(timings) / SECONDS:.1f}")
    print(f"admission_p50_ms: {statistics.median(timings):.1f}")
    print(f"admission_p99_ms: {statistics.quantiles(timings, n=100)[98]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--seed"]:
        seed()
    else:
        main()
