"""Watches with kubernetes.watch.Watch, namespace termination, and the state file."""

import json
import threading

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from devstack.kube.server import KubeApiServer
from tests.devstack.kube.conftest import api_client, make_test_policy


@pytest.fixture(scope="module")
def core(admin):
    return client.CoreV1Api(admin)


def first(count: int, events):
    """The first `count` events of a watch stream (then the stream is closed)."""
    taken = []
    for event in events:
        taken.append(event)
        if len(taken) == count:
            events.close()
    return taken


def wait_until(predicate, what: str):
    """Poll without a wall-clock assertion: a bounded number of short waits."""
    pause = threading.Event()
    for _ in range(500):
        if predicate():
            return
        pause.wait(0.01)
    raise AssertionError(f"never happened: {what}")


def test_watch_from_resource_version_sees_changes_in_order(core):
    core.create_namespace({"metadata": {"name": "watched"}})
    start = core.list_namespaced_config_map("watched").metadata.resource_version
    core.create_namespaced_config_map("watched", {"metadata": {"name": "w", "labels": {"app": "x"}}})
    core.patch_namespaced_config_map("w", "watched", {"data": {"k": "v"}})
    core.delete_namespaced_config_map("w", "watched")
    events = [(e["type"], e["object"].metadata.name, e["object"].data) for e in first(3, watch.Watch().stream(
        core.list_namespaced_config_map, "watched", resource_version=start, timeout_seconds=10))]
    assert events == [("ADDED", "w", None), ("MODIFIED", "w", {"k": "v"}), ("DELETED", "w", {"k": "v"})]


def test_watch_without_resource_version_starts_with_current_objects(core):
    core.create_namespace({"metadata": {"name": "listed"}})
    core.create_namespaced_config_map("listed", {"metadata": {"name": "present"}})
    stream = watch.Watch()
    seen = []
    for event in stream.stream(core.list_namespaced_config_map, "listed", timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "present":
            core.create_namespaced_config_map("listed", {"metadata": {"name": "later"}})
        if event["object"].metadata.name == "later":
            stream.stop()
    assert seen == [("ADDED", "present"), ("ADDED", "later")]


def test_watch_label_selector_reports_objects_leaving_the_selection(core):
    core.create_namespace({"metadata": {"name": "selected"}})
    core.create_namespaced_config_map("selected", {"metadata": {"name": "s", "labels": {"keep": "yes"}}})
    start = core.read_namespaced_config_map("s", "selected").metadata.resource_version
    core.create_namespaced_config_map("selected", {"metadata": {"name": "other"}})
    core.patch_namespaced_config_map("s", "selected", {"metadata": {"labels": {"keep": "no"}}})
    events = [(e["type"], e["object"].metadata.name, e["object"].metadata.labels) for e in first(1, watch.Watch(
        ).stream(core.list_namespaced_config_map, "selected", label_selector="keep=yes", resource_version=start,
                 timeout_seconds=10))]
    assert events == [("DELETED", "s", {"keep": "yes"})]  # the last state that matched


def test_watch_with_a_compacted_resource_version_is_410_gone(kube, core):
    core.create_namespace({"metadata": {"name": "compacted"}})
    old = core.list_namespaced_config_map("compacted").metadata.resource_version
    core.create_namespaced_config_map("compacted", {"metadata": {"name": "c"}})
    kube.store.compact()
    with pytest.raises(ApiException) as error:
        list(watch.Watch().stream(core.list_namespaced_config_map, "compacted", resource_version=old,
                                  timeout_seconds=1))
    assert error.value.status == 410
    assert "Expired: too old resource version" in error.value.reason


def test_namespace_deletion_terminates_then_removes_contents(core, admin):
    core.create_namespace({"metadata": {"name": "doomed"}})
    core.create_namespaced_config_map("doomed", {"metadata": {"name": "inside"}})
    deleted = core.delete_namespace("doomed")
    assert deleted["status"]["phase"] == "Terminating" and deleted["metadata"]["deletionTimestamp"]
    with pytest.raises(ApiException) as refused:  # Terminating refuses content (or the namespace is already gone)
        core.create_namespaced_config_map("doomed", {"metadata": {"name": "late"}})
    assert refused.value.status in (403, 404)

    def gone() -> bool:
        try:
            core.read_namespace("doomed")
        except ApiException as error:
            return error.status == 404
        return False

    wait_until(gone, "namespace doomed removed")
    assert client.CoreV1Api(admin).list_config_map_for_all_namespaces(
        field_selector="metadata.namespace=doomed").items == []


def test_terminating_namespace_refuses_content_with_the_real_message(kube):
    namespaces = kube.store.resource_for("v1", "Namespace")
    kube.store.create(namespaces, "", {"metadata": {"name": "closing"}})
    holder = kube.store.get(namespaces, "", "closing")
    holder["status"]["phase"] = "Terminating"
    kube.store.update_status(namespaces, "", holder)  # as if deletion had begun; no finalizer runs
    with api_client(kube) as api, pytest.raises(ApiException) as error:
        client.CoreV1Api(api).create_namespaced_config_map("closing", {"metadata": {"name": "late"}})
    assert error.value.status == 403
    body = json.loads(error.value.body)
    assert body["message"] == ('configmaps "late" is forbidden: unable to create new content in namespace closing '
                               "because it is being terminated")
    assert body["details"]["causes"] == [{"reason": "NamespaceTerminating", "field": "metadata.namespace",
                                          "message": "namespace closing is being terminated"}]


def test_system_namespace_cannot_be_deleted(core):
    with pytest.raises(ApiException) as error:
        core.delete_namespace("default")
    assert error.value.status == 403


def test_state_file_survives_a_restart(tmp_path):
    state = tmp_path / "kube.json"
    with KubeApiServer(make_test_policy(), state_file=state) as first, api_client(first) as api:
        core = client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": "kept"}})
        core.create_namespaced_secret("kept", {"metadata": {"name": "s"}, "stringData": {"k": "v"}})
        version = core.read_namespaced_secret("s", "kept").metadata.resource_version
    with KubeApiServer(make_test_policy(), state_file=state) as second, api_client(second) as api:
        secret = client.CoreV1Api(api).read_namespaced_secret("s", "kept")
        assert secret.data == {"k": "dg=="} and secret.metadata.resource_version == version
        later = client.CoreV1Api(api).create_namespaced_config_map("kept", {"metadata": {"name": "c"}})
        assert int(later.metadata.resource_version) > int(version)


def test_plain_http_without_tls():
    with KubeApiServer(make_test_policy()) as server, api_client(server) as api:
        assert server.url.startswith("http://127.0.0.1:")
        assert "default" in {n.metadata.name for n in client.CoreV1Api(api).list_namespace().items}


def test_a_watch_ends_when_its_client_hangs_up(kube, core):
    wait_until(lambda: kube.store.changes.watchers == 0, "the earlier tests' watches ended")
    stream = watch.Watch()
    for _ in stream.stream(core.list_namespace, timeout_seconds=600):
        assert kube.store.changes.watchers == 1
        stream.stop()
    wait_until(lambda: kube.store.changes.watchers == 0, "the server dropped the abandoned watch")
