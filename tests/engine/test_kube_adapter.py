"""campus's Kubernetes adapter against the Kubernetes stand-in, through the official client."""

import pytest

from tenants.kube import KubeCluster, KubeError

MANAGED = {"app.kubernetes.io/managed-by": "campus"}


@pytest.fixture
def kube(kube_cluster):
    sleeps = []
    adapter = KubeCluster(kube_cluster.url, "campus-admin-token", ca_file=str(kube_cluster.server.tls.ca_cert),
                          sleep=sleeps.append)
    adapter.sleeps = sleeps
    yield adapter
    kube_cluster.server.faults.clear()
    adapter.close()


def namespace(name, labels=MANAGED):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(labels)}}


def quota(ns, pods="10"):
    return {"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": "campus", "namespace": ns, "labels": dict(MANAGED)}, "spec": {"hard": {"pods": pods}}}


def test_apply_creates_then_updates_in_place(kube):
    kube.apply(namespace("adapter-a"))
    created = kube.apply(quota("adapter-a"))

    updated = kube.apply(quota("adapter-a", pods="20"))

    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated["spec"]["hard"]["pods"] == "20"


def test_labelled_list_sees_only_managed_objects_in_one_request(kube):
    kube.apply(namespace("adapter-b"))
    kube.apply(namespace("adapter-unmanaged", labels={"team": "x"}))
    before = kube.calls.get("list", 0)

    names = {o["metadata"]["name"] for o in kube.list_labelled("Namespace", "app.kubernetes.io/managed-by=campus")}

    assert "adapter-b" in names and "adapter-unmanaged" not in names and "default" not in names
    assert kube.calls["list"] == before + 1


def test_get_and_delete_tolerate_missing_objects(kube):
    assert kube.get("Namespace", "", "adapter-never") is None
    kube.delete("ResourceQuota", "adapter-never", "campus")


def test_transient_errors_are_retried(kube_cluster, kube):
    kube.apply(namespace("adapter-c"))
    kube_cluster.server.faults.seed(7)
    kube_cluster.server.faults.set("patch", error_rate=0.3, status=503)

    for n in range(5):
        kube.apply(quota("adapter-c", pods=str(n + 1)))

    assert kube.sleeps, "some attempts should have failed and been retried"
    assert kube.get("ResourceQuota", "adapter-c", "campus")["spec"]["hard"]["pods"] == "5"


def test_persistent_errors_surface_after_the_retries(kube_cluster, kube):
    kube_cluster.server.faults.set("list", error_rate=1.0, status=503)

    with pytest.raises(KubeError) as raised:
        kube.list_labelled("Namespace", "app.kubernetes.io/managed-by=campus")

    assert raised.value.status == 503 and len(kube.sleeps) == 4


def test_invalid_objects_are_not_retried_and_say_why(kube):
    with pytest.raises(KubeError) as raised:
        kube.apply(namespace("Not_A_Valid_Name"))

    assert raised.value.status == 422 and raised.value.reason == "Invalid"
    assert "Not_A_Valid_Name" in raised.value.message and kube.sleeps == []


def test_a_wrong_token_is_refused(kube_cluster):
    adapter = KubeCluster(kube_cluster.url, "wrong", ca_file=str(kube_cluster.server.tls.ca_cert))
    with pytest.raises(KubeError) as raised:
        adapter.list_labelled("Namespace", "a=b")
    assert raised.value.status == 401
