"""campus's Kubernetes adapter against the Kubernetes stand-in, through the official client."""

import time

import pytest

from tenants.infra.kube import KubeCluster, KubeError

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


def test_create_then_replace_updates_in_place(kube):
    kube.create(namespace("adapter-a"))
    created = kube.create(quota("adapter-a"))
    current = kube.get("ResourceQuota", "adapter-a", "campus")  # the quota controller has written its status

    updated = kube.replace({**current, "spec": {"hard": {"pods": "20"}}})

    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated["spec"]["hard"]["pods"] == "20"
    assert {"campus"} <= {entry["manager"] for entry in updated["metadata"]["managedFields"]}


def test_create_never_takes_over_an_object_of_the_same_name(kube):
    kube.create(namespace("adapter-taken", labels={"team": "x"}))

    with pytest.raises(KubeError) as raised:
        kube.create(namespace("adapter-taken"))

    assert raised.value.status == 409 and kube.sleeps == []
    assert kube.get("Namespace", "", "adapter-taken")["metadata"]["labels"].get("app.kubernetes.io/managed-by") is None


def test_a_replace_of_a_stale_read_is_refused_not_retried(kube):
    kube.create(namespace("adapter-stale"))
    kube.create(quota("adapter-stale"))
    read = kube.get("ResourceQuota", "adapter-stale", "campus")
    kube.replace({**read, "spec": {"hard": {"pods": "11"}}})

    with pytest.raises(KubeError) as raised:
        kube.replace({**read, "spec": {"hard": {"pods": "12"}}})

    assert raised.value.status == 409 and kube.sleeps == []
    assert kube.get("ResourceQuota", "adapter-stale", "campus")["spec"]["hard"]["pods"] == "11"


def test_a_delete_with_a_uid_spares_a_namesake(kube):
    first = kube.create(namespace("adapter-namesake"))
    kube.delete("Namespace", "", "adapter-namesake", uid=first["metadata"]["uid"])
    wait_gone(kube, "adapter-namesake")
    kube.create(namespace("adapter-namesake", labels={"team": "x"}))

    with pytest.raises(KubeError) as raised:
        kube.delete("Namespace", "", "adapter-namesake", uid=first["metadata"]["uid"])

    assert raised.value.status == 409 and kube.get("Namespace", "", "adapter-namesake") is not None


def wait_gone(kube, name):
    deadline = time.monotonic() + 5
    while kube.get("Namespace", "", name) is not None and time.monotonic() < deadline:
        time.sleep(0.02)


def test_labelled_list_sees_only_managed_objects_in_one_request(kube):
    kube.create(namespace("adapter-b"))
    kube.create(namespace("adapter-unmanaged", labels={"team": "x"}))
    before = kube.calls.get("list", 0)

    names = {o["metadata"]["name"] for o in kube.list_labelled("Namespace", "app.kubernetes.io/managed-by=campus")}

    assert "adapter-b" in names and "adapter-unmanaged" not in names and "default" not in names
    assert kube.calls["list"] == before + 1


def test_get_and_delete_tolerate_missing_objects(kube):
    assert kube.get("Namespace", "", "adapter-never") is None
    kube.delete("ResourceQuota", "adapter-never", "campus")


def test_transient_errors_are_retried(kube_cluster, kube):
    kube.create(namespace("adapter-c"))
    kube.create(quota("adapter-c"))
    kube_cluster.server.faults.seed(7)
    kube_cluster.server.faults.set("update", error_rate=0.3, status=503)

    for n in range(5):
        current = kube.get("ResourceQuota", "adapter-c", "campus")
        kube.replace({**current, "spec": {"hard": {"pods": str(n + 1)}}})

    assert kube.sleeps, "some attempts should have failed and been retried"
    assert kube.get("ResourceQuota", "adapter-c", "campus")["spec"]["hard"]["pods"] == "5"


def test_persistent_errors_surface_after_the_retries(kube_cluster, kube):
    kube_cluster.server.faults.set("list", error_rate=1.0, status=503)

    with pytest.raises(KubeError) as raised:
        kube.list_labelled("Namespace", "app.kubernetes.io/managed-by=campus")

    assert raised.value.status == 503 and len(kube.sleeps) == 4


def test_invalid_objects_are_not_retried_and_say_why(kube):
    with pytest.raises(KubeError) as raised:
        kube.create(namespace("Not_A_Valid_Name"))

    assert raised.value.status == 422 and raised.value.reason == "Invalid"
    assert "Not_A_Valid_Name" in raised.value.message and kube.sleeps == []


def test_a_wrong_token_is_refused(kube_cluster):
    adapter = KubeCluster(kube_cluster.url, "wrong", ca_file=str(kube_cluster.server.tls.ca_cert))
    with pytest.raises(KubeError) as raised:
        adapter.list_labelled("Namespace", "a=b")
    assert raised.value.status == 401
