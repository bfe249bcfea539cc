"""The Kubernetes stand-in, driven by the official `kubernetes` Python client: verbs, errors, patches, apply."""

import base64
import json
import threading

import pytest
from kubernetes import client, dynamic
from kubernetes.client.rest import ApiException

from tests.devstack.kube.conftest import DENIED_TOKEN, api_client


def status_of(error: ApiException) -> dict:
    return json.loads(error.body)


def raw(api: client.ApiClient, method: str, path: str, body=None, content_type: str = "application/json",
        query: list | None = None) -> tuple[int, dict]:
    """A request the typed methods would refuse to send (they validate bodies client-side)."""
    _, url, headers, body, _ = api.param_serialize(method, path, query_params=query or [], body=body,
                                                   header_params={"Content-Type": content_type,
                                                                  "Accept": "application/json"},
                                                   auth_settings=["BearerToken"])
    response = api.call_api(method, url, header_params=headers, body=body)
    response.read()
    if not 200 <= response.status < 300:
        raise ApiException(http_resp=response)
    return response.status, json.loads(response.data)


def namespace_body(name: str, **labels) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def deployment_body(name: str, replicas: int = 1, image: str = "nginx:1.27") -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web", "image": image,
                                                       "ports": [{"containerPort": 80}],
                                                       "env": [{"name": "MODE", "value": "prod"}]}]}}},
    }


@pytest.fixture(scope="module")
def core(admin):
    return client.CoreV1Api(admin)


@pytest.fixture(scope="module")
def apps(admin):
    return client.AppsV1Api(admin)


@pytest.fixture(scope="module")
def team(core):
    core.create_namespace(namespace_body("team-a", course="cs101"))
    return "team-a"


def test_version_and_discovery(admin):
    assert client.VersionApi(admin).get_code().git_version.startswith("v1.32")
    groups = {g.name for g in client.ApisApi(admin).get_api_versions().groups}
    assert {"apps", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "authorization.k8s.io"} <= groups
    core_resources = {r.name for r in client.CoreV1Api(admin).get_api_resources().resources}
    assert {"pods", "pods/status", "namespaces", "secrets", "resourcequotas", "limitranges", "events"} <= core_resources


def test_create_get_list_with_system_metadata(core, team):
    created = core.create_namespaced_config_map(team, {"metadata": {"name": "settings", "labels": {"tier": "web"}},
                                                       "data": {"a": "1"}})
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert int(created.metadata.resource_version) > 0
    fetched = core.read_namespaced_config_map("settings", team)
    assert fetched.data == {"a": "1"} and fetched.metadata.uid == created.metadata.uid
    listing = core.list_namespaced_config_map(team)
    assert [c.metadata.name for c in listing.items] == ["settings"]
    assert int(listing.metadata.resource_version) >= int(created.metadata.resource_version)


def test_create_answers_201(admin, team):
    _, status, _ = client.CoreV1Api(admin).create_namespaced_service_account_with_http_info(
        team, {"metadata": {"name": "builder"}})
    assert status == 201


def test_namespace_defaults(core):
    ns = core.read_namespace("team-a")
    assert ns.status.phase == "Active"
    assert ns.metadata.labels["kubernetes.io/metadata.name"] == "team-a"
    assert ns.spec.finalizers == ["kubernetes"]


def test_already_exists_is_409_with_status_body(core, team):
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map(team, {"metadata": {"name": "settings"}})
    assert error.value.status == 409
    assert status_of(error.value) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'configmaps "settings" already exists', "reason": "AlreadyExists",
        "details": {"name": "settings", "kind": "configmaps"}, "code": 409}


def test_not_found_is_404(apps, team):
    with pytest.raises(ApiException) as error:
        apps.read_namespaced_deployment("missing", team)
    body = status_of(error.value)
    assert error.value.status == 404 and body["reason"] == "NotFound"
    assert body["message"] == 'deployments.apps "missing" not found'
    assert body["details"] == {"name": "missing", "group": "apps", "kind": "deployments"}


def test_create_in_missing_namespace_is_404(core):
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map("nowhere", {"metadata": {"name": "x"}})
    assert error.value.status == 404
    assert status_of(error.value)["message"] == 'namespaces "nowhere" not found'


def test_invalid_namespace_name_is_422_with_causes(core):
    with pytest.raises(ApiException) as error:
        core.create_namespace(namespace_body("Team_A"))
    body = status_of(error.value)
    assert error.value.status == 422 and body["reason"] == "Invalid"
    assert body["message"].startswith('Namespace "Team_A" is invalid: metadata.name: Invalid value: "Team_A": a '
                                      "lowercase RFC 1123 label must consist of lower case alphanumeric characters")
    assert body["details"]["kind"] == "Namespace"
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["causes"][0]["reason"] == "FieldValueInvalid"


def test_too_long_namespace_name_is_invalid(core):
    with pytest.raises(ApiException) as error:
        core.create_namespace(namespace_body("n" * 64))
    assert "must be no more than 63 characters" in status_of(error.value)["message"]


def test_missing_required_fields_are_422(admin, core, team):
    with pytest.raises(ApiException) as error:
        core.create_namespaced_pod(team, {"metadata": {"name": "empty"}, "spec": {"containers": []}})
    assert status_of(error.value)["message"] == 'Pod "empty" is invalid: spec.containers: Required value'
    body = deployment_body("noselector")
    del body["spec"]["selector"]
    with pytest.raises(ApiException) as error:
        raw(admin, "POST", f"/apis/apps/v1/namespaces/{team}/deployments", body)
    causes = status_of(error.value)["details"]["causes"]
    assert {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"} in causes
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map(team, {"metadata": {}})
    assert status_of(error.value)["details"]["causes"][0]["message"] == \
        "Required value: name or generateName is required"


def test_invalid_label_value_is_422(core, team):
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map(team, {"metadata": {"name": "labelled", "labels": {"x": "no spaces"}}})
    assert status_of(error.value)["details"]["causes"][0]["field"] == "metadata.labels"


def test_generate_name(core, team):
    created = core.create_namespaced_config_map(team, {"metadata": {"generateName": "job-"}})
    assert created.metadata.name.startswith("job-") and len(created.metadata.name) == 9


def test_secret_string_data_becomes_base64_data(core, team):
    secret = core.create_namespaced_secret(team, {"metadata": {"name": "db"}, "stringData": {"password": "s3cret"}})
    assert secret.type == "Opaque" and secret.string_data is None
    assert base64.b64decode(secret.data["password"]) == b"s3cret"


def test_put_with_stale_resource_version_is_409(core, team):
    current = core.read_namespaced_config_map("settings", team)
    current.data = {"a": "2"}
    updated = core.replace_namespaced_config_map("settings", team, current)
    assert int(updated.metadata.resource_version) > int(current.metadata.resource_version)
    current.data = {"a": "3"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as error:
        core.replace_namespaced_config_map("settings", team, current)
    body = status_of(error.value)
    assert error.value.status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "settings": the object has been modified; '
                               "please apply your changes to the latest version and try again")


def test_put_with_other_name_is_400(core, team):
    with pytest.raises(ApiException) as error:
        core.replace_namespaced_config_map("settings", team, {"metadata": {"name": "other"}})
    assert error.value.status == 400


def test_generation_counts_spec_changes_only(apps, team):
    created = apps.create_namespaced_deployment(team, deployment_body("gen"))
    assert created.metadata.generation == 1
    labelled = apps.patch_namespaced_deployment("gen", team, {"metadata": {"labels": {"extra": "yes"}}})
    assert labelled.metadata.generation == 1
    scaled = apps.patch_namespaced_deployment("gen", team, {"spec": {"replicas": 4}})
    assert scaled.metadata.generation == 2


def test_noop_update_keeps_resource_version(core, team):
    current = core.read_namespaced_config_map("settings", team)
    again = core.replace_namespaced_config_map("settings", team, current)
    assert again.metadata.resource_version == current.metadata.resource_version


def test_strategic_merge_patch_merges_lists_by_key(apps, team):
    apps.create_namespaced_deployment(team, deployment_body("smp"))
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "image": "nginx:1.28", "env": [{"name": "DEBUG", "value": "1"}]},
        {"name": "sidecar", "image": "busybox:1.36"}]}}}}
    patched = apps.patch_namespaced_deployment("smp", team, patch)
    containers = {c.name: c for c in patched.spec.template.spec.containers}
    assert containers["web"].image == "nginx:1.28"
    assert [e.name for e in containers["web"].env] == ["MODE", "DEBUG"]
    assert containers["web"].ports[0].container_port == 80
    assert containers["sidecar"].image == "busybox:1.36"
    removed = apps.patch_namespaced_deployment("smp", team, {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$patch": "delete"}]}}}})
    assert [c.name for c in removed.spec.template.spec.containers] == ["web"]


def test_json_patch_from_a_list_body(apps, team):
    apps.create_namespaced_deployment(team, deployment_body("jp", replicas=1))
    patched = apps.patch_namespaced_deployment("jp", team, [
        {"op": "test", "path": "/spec/replicas", "value": 1},
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "add", "path": "/metadata/labels/owner", "value": "alice"}])
    assert patched.spec.replicas == 5 and patched.metadata.labels["owner"] == "alice"
    with pytest.raises(ApiException) as error:
        apps.patch_namespaced_deployment("jp", team, [{"op": "test", "path": "/spec/replicas", "value": 1}])
    assert error.value.status == 422


def test_json_merge_patch(core, team):
    core.create_namespaced_config_map(team, {"metadata": {"name": "merge", "labels": {"a": "1", "b": "2"}}})
    patched = core.patch_namespaced_config_map("merge", team, {"metadata": {"labels": {"a": None, "c": "3"}}},
                                               _content_type="application/merge-patch+json")
    assert patched.metadata.labels == {"b": "2", "c": "3"}


def apply(admin, path: str, body: dict, manager: str, force: bool = False) -> tuple[dict, int]:
    query = [("fieldManager", manager)] + ([("force", "true")] if force else [])
    status, result = raw(admin, "PATCH", path, body, "application/apply-patch+yaml", query)
    return result, status


def test_server_side_apply_creates_records_managers_and_conflicts(admin, team):
    path = f"/apis/apps/v1/namespaces/{team}/deployments/ssa"
    body = deployment_body("ssa", replicas=2)
    created, status = apply(admin, path, body, "campus")
    assert status == 201
    assert [(m["manager"], m["operation"]) for m in created["metadata"]["managedFields"]] == [("campus", "Apply")]
    assert "f:replicas" in created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]

    # Another manager changes replicas with an ordinary patch: it now owns the field.
    client.AppsV1Api(admin).patch_namespaced_deployment("ssa", team, {"spec": {"replicas": 7}},
                                                        field_manager="scaler")
    body["spec"]["replicas"] = 3
    with pytest.raises(ApiException) as error:
        apply(admin, path, body, "campus")
    conflict = status_of(error.value)
    assert error.value.status == 409 and conflict["reason"] == "Conflict"
    assert conflict["message"].startswith('Apply failed with 1 conflict: conflict with "scaler" using apps/v1 at ')
    assert conflict["message"].endswith(": .spec.replicas")
    assert conflict["details"]["causes"][0]["field"] == ".spec.replicas"
    assert conflict["details"]["causes"][0]["reason"] == "FieldManagerConflict"

    # The same value is no conflict; force takes the field over.
    body["spec"]["replicas"] = 7
    apply(admin, path, body, "campus")
    body["spec"]["replicas"] = 3
    forced, status = apply(admin, path, body, "campus", force=True)
    assert status == 200 and forced["spec"]["replicas"] == 3
    owners = {m["manager"]: m["fieldsV1"] for m in forced["metadata"]["managedFields"]}
    assert "f:replicas" in owners["campus"]["f:spec"]
    assert "f:replicas" not in owners.get("scaler", {}).get("f:spec", {})


def test_server_side_apply_removes_fields_the_manager_dropped(admin, team):
    path = f"/api/v1/namespaces/{team}/configmaps/applied"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"a": "1", "b": "2"}}
    apply(admin, path, body, "campus")
    body["data"] = {"a": "1"}
    result, _ = apply(admin, path, body, "campus")
    assert result["data"] == {"a": "1"}


def test_server_side_apply_requires_field_manager(admin, team):
    with pytest.raises(ApiException) as error:
        raw(admin, "PATCH", f"/api/v1/namespaces/{team}/configmaps/x", {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, "application/apply-patch+yaml")
    assert error.value.status == 422
    assert "fieldManager: Required value" in status_of(error.value)["message"]


def test_server_side_apply_with_the_typed_client(apps, team):
    body = deployment_body("typed", replicas=2)
    applied = apps.patch_namespaced_deployment("typed", team, body, field_manager="campus", force=True,
                                               _content_type="application/apply-patch+yaml")
    assert applied.spec.replicas == 2 and applied.metadata.managed_fields[0].manager == "campus"


def test_server_side_apply_with_the_dynamic_client(admin, team):
    deployments = dynamic.DynamicClient(admin).resources.get(api_version="apps/v1", kind="Deployment")
    body = deployment_body("dyn", replicas=2)
    body["metadata"]["namespace"] = team
    result = deployments.server_side_apply(body=body, name="dyn", namespace=team, field_manager="campus")
    assert result.spec.replicas == 2 and result.metadata.managedFields[0].manager == "campus"


def test_list_selectors(core):
    for name, labels in (("sel-a", {"tier": "web", "env": "prod"}), ("sel-b", {"tier": "db", "env": "prod"}),
                         ("sel-c", {"tier": "web"})):
        core.create_namespace(namespace_body(name, **labels))

    def names(**kwargs):
        return {n.metadata.name for n in core.list_namespace(**kwargs).items} & {"sel-a", "sel-b", "sel-c"}

    assert names(label_selector="tier=web") == {"sel-a", "sel-c"}
    assert names(label_selector="tier==web,env=prod") == {"sel-a"}
    assert names(label_selector="tier!=web") == {"sel-b"}
    assert names(label_selector="tier in (db, web),env") == {"sel-a", "sel-b"}
    assert names(label_selector="tier notin (web)") == {"sel-b"}
    assert names(label_selector="!env") == {"sel-c"}
    assert names(field_selector="metadata.name=sel-b") == {"sel-b"}
    assert names(field_selector="metadata.name!=sel-b", label_selector="tier") == {"sel-a", "sel-c"}
    with pytest.raises(ApiException) as error:
        core.list_namespace(field_selector="spec.nothing=1")
    assert error.value.status == 400


def test_list_pagination(core, team):
    for index in range(5):
        core.create_namespaced_config_map(team, {"metadata": {"name": f"page-{index}", "labels": {"paged": "yes"}}})
    seen, token = [], None
    while True:
        page = core.list_namespaced_config_map(team, label_selector="paged", limit=2, _continue=token)
        seen += [c.metadata.name for c in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 5 - len(seen)
    assert seen == [f"page-{i}" for i in range(5)]


def test_delete_returns_status_or_object(core, team):
    core.create_namespaced_config_map(team, {"metadata": {"name": "doomed"}})
    status = core.delete_namespaced_config_map("doomed", team)
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"]["name"] == "doomed" and status["details"]["kind"] == "configmaps"
    core.create_namespaced_pod(team, {"metadata": {"name": "gone"}, "spec": {"containers": [
        {"name": "c", "image": "busybox:1.36"}]}})
    deleted_pod = core.delete_namespaced_pod("gone", team)
    assert deleted_pod.kind == "Pod" and deleted_pod.metadata.name == "gone"
    with pytest.raises(ApiException) as error:
        core.delete_namespaced_config_map("doomed", team)
    assert error.value.status == 404


def test_delete_propagates_to_owned_objects(admin, core, apps, team):
    owner = apps.create_namespaced_deployment(team, deployment_body("owner"))
    reference = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "owner", "uid": owner.metadata.uid}
    core.create_namespaced_config_map(team, {"metadata": {"name": "owned", "ownerReferences": [reference]}})
    core.create_namespaced_config_map(team, {"metadata": {"name": "orphaned", "ownerReferences": [reference]}})
    apps.delete_namespaced_deployment("owner", team, propagation_policy="Background")
    names = {c.metadata.name for c in core.list_namespaced_config_map(team).items}
    assert "owned" not in names and "orphaned" not in names

    owner = apps.create_namespaced_deployment(team, deployment_body("owner2"))
    reference["uid"], reference["name"] = owner.metadata.uid, "owner2"
    core.create_namespaced_config_map(team, {"metadata": {"name": "kept", "ownerReferences": [reference]}})
    apps.delete_namespaced_deployment("owner2", team, propagation_policy="Orphan")
    assert core.read_namespaced_config_map("kept", team).metadata.name == "kept"


def test_delete_collection(core, team):
    for index in range(3):
        core.create_namespaced_config_map(team, {"metadata": {"name": f"bulk-{index}", "labels": {"bulk": "1"}}})
    core.delete_collection_namespaced_config_map(team, label_selector="bulk=1")
    assert core.list_namespaced_config_map(team, label_selector="bulk").items == []


def test_status_subresource(core, apps, team):
    apps.create_namespaced_deployment(team, deployment_body("statusful"))
    ignored = apps.patch_namespaced_deployment("statusful", team, {"status": {"replicas": 9}})
    assert not (ignored.status and ignored.status.replicas)
    updated = apps.patch_namespaced_deployment_status("statusful", team, {"status": {"replicas": 9}})
    assert updated.status.replicas == 9
    assert apps.read_namespaced_deployment_status("statusful", team).status.replicas == 9


def test_pod_defaults_and_status(core, team):
    pod = core.create_namespaced_pod(team, {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "image": "busybox"}]}})
    assert pod.status.phase == "Pending" and pod.status.qos_class == "BestEffort"
    assert pod.spec.restart_policy == "Always" and pod.spec.containers[0].image_pull_policy == "Always"


def test_service_gets_a_cluster_ip(core, team):
    service = core.create_namespaced_service(team, {"metadata": {"name": "web"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert service.spec.cluster_ip.startswith("10.96.") and service.spec.ports[0].target_port == 80
    other = core.create_namespaced_service(team, {"metadata": {"name": "web2"}, "spec": {"ports": [{"port": 80}]}})
    assert other.spec.cluster_ip != service.spec.cluster_ip


def test_unauthenticated_is_401(kube):
    with api_client(kube, token="wrong") as anonymous, pytest.raises(ApiException) as error:
        client.CoreV1Api(anonymous).list_namespace()
    assert error.value.status == 401
    assert status_of(error.value) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                      "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test_forbidden_message_shape(kube, team):
    with api_client(kube, token=DENIED_TOKEN) as alice:
        with pytest.raises(ApiException) as error:
            client.CoreV1Api(alice).list_namespaced_pod("team-b")
        assert error.value.status == 403
        assert status_of(error.value)["message"] == ('pods is forbidden: User "alice" cannot list resource "pods" in '
                                                     'API group "" in the namespace "team-b"')
        with pytest.raises(ApiException) as error:
            client.AppsV1Api(alice).read_namespaced_deployment("web", team)
        assert status_of(error.value)["message"] == (
            'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" '
            'in the namespace "team-a"')
        with pytest.raises(ApiException) as error:
            client.CoreV1Api(alice).list_namespace()
        assert status_of(error.value)["message"].endswith('cannot list resource "namespaces" in API group "" at the '
                                                          "cluster scope")


def test_authorizer_sees_request_attributes(kube, core, team):
    seen = kube.policy.authorizer.seen
    seen.clear()
    core.patch_namespaced_config_map("settings", team, {"data": {"b": "2"}})
    (attributes,) = seen
    assert (attributes.verb, attributes.api_group, attributes.resource, attributes.namespace, attributes.name) == (
        "patch", "", "configmaps", team, "settings")
    assert "system:authenticated" in attributes.user.groups


def test_fault_injection(kube, core):
    kube.faults.set("list", error_rate=1.0, status=503)
    try:
        with pytest.raises(ApiException) as error:
            core.list_namespace()
        assert error.value.status == 503 and status_of(error.value)["reason"] == "ServiceUnavailable"
        assert core.read_namespace("default").metadata.name == "default"  # other verbs unaffected
    finally:
        kube.faults.clear()
    assert core.list_namespace().items


def test_malformed_quantities_are_400_and_requests_above_limits_422(admin, team):
    def pod(resources: dict) -> dict:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sized"}, "spec": {"containers": [
            {"name": "c", "image": "busybox:1.36", "resources": resources}]}}

    with pytest.raises(ApiException) as error:
        raw(admin, "POST", f"/api/v1/namespaces/{team}/pods", pod({"requests": {"cpu": "20 cores"}}))
    assert error.value.status == 400
    assert status_of(error.value)["message"] == (
        "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    with pytest.raises(ApiException) as error:
        raw(admin, "POST", f"/api/v1/namespaces/{team}/pods", pod({"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}))
    cause = status_of(error.value)["details"]["causes"][0]
    assert error.value.status == 422 and cause["field"] == "spec.containers[0].resources.requests"
    assert cause["message"] == 'Invalid value: "2": must be less than or equal to cpu limit of 1'


def test_concurrent_writes_get_distinct_resource_versions(kube, team):
    def create_many(worker: int, versions: list):
        with api_client(kube) as api:
            core = client.CoreV1Api(api)
            for index in range(10):
                created = core.create_namespaced_config_map(team, {"metadata": {"name": f"race-{worker}-{index}"}})
                versions.append(int(created.metadata.resource_version))

    versions: list[int] = []
    threads = [threading.Thread(target=create_many, args=(worker, versions)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(versions) == 60 and len(set(versions)) == 60


def test_immutable_fields(admin, core, team):
    rbac = client.RbacAuthorizationV1Api(admin)
    rbac.create_namespaced_role_binding(team, {
        "metadata": {"name": "readers"}, "subjects": [{"kind": "User", "name": "bob"}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}})
    with pytest.raises(ApiException) as error:
        rbac.patch_namespaced_role_binding("readers", team, {"roleRef": {"name": "edit"}})
    assert status_of(error.value)["message"] == (
        'RoleBinding.rbac.authorization.k8s.io "readers" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
        '"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef')
    core.create_namespaced_config_map(team, {"metadata": {"name": "frozen"}, "data": {"a": "1"}, "immutable": True})
    with pytest.raises(ApiException) as error:
        core.patch_namespaced_config_map("frozen", team, {"data": {"a": "2"}})
    assert status_of(error.value)["details"]["causes"] == [
        {"reason": "FieldValueForbidden", "message": "Forbidden: field is immutable when `immutable` is set",
         "field": "data"}]


def test_dry_run_persists_nothing(core, team):
    answer = core.create_namespaced_config_map(team, {"metadata": {"name": "dry"}}, dry_run="All")
    assert answer.metadata.name == "dry"
    with pytest.raises(ApiException) as error:
        core.read_namespaced_config_map("dry", team)
    assert error.value.status == 404


def test_create_with_a_resource_version_is_400(core, team):
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map(team, {"metadata": {"name": "versioned", "resourceVersion": "5"}})
    assert error.value.status == 400
    assert status_of(error.value)["message"] == "resourceVersion should not be set on objects to be created"
