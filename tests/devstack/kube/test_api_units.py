"""Pure pieces of the API machinery: selectors, patch formats, apply bookkeeping, quantities, protobuf."""

import pytest

from devstack.kube.apply import decode_fields, encode_fields, field_set, path_string, server_side_apply
from devstack.kube.contracts import ApiError
from devstack.kube.faults import Faults
from devstack.kube.patch import json_patch, merge_patch, strategic_merge_patch
from devstack.kube.protobuf import MAGIC, decode
from devstack.kube.quota import Quantity
from devstack.kube.resources import by_path
from devstack.kube.routes import parse_route
from devstack.kube.selectors import match_label_selector_object, parse_field_selector, parse_label_selector
from devstack.kube.strict import unknown_fields
from devstack.kube.validation import name_errors


@pytest.mark.parametrize(("selector", "labels", "matches"), [
    ("", {}, True),
    ("a=b", {"a": "b"}, True),
    ("a==b", {"a": "c"}, False),
    ("a!=b", {}, True),
    ("a in (b, c)", {"a": "c"}, True),
    ("a notin (b,c)", {"a": "b"}, False),
    ("a notin (b,c)", {}, True),
    ("a", {"a": ""}, True),
    ("!a", {"a": "x"}, False),
    ("campus.example/team=x,!gone", {"campus.example/team": "x"}, True),
    ("n>3", {"n": "4"}, True),
])
def test_label_selectors(selector, labels, matches):
    assert parse_label_selector(selector)(labels) is matches


def test_bad_selectors_are_400():
    with pytest.raises(ApiError) as error:
        parse_label_selector("a in b")
    assert error.value.code == 400
    with pytest.raises(ApiError) as error:
        parse_field_selector("spec.replicas=1", "Deployment")
    assert error.value.message == "field label not supported: spec.replicas"


def test_field_selector_on_kind_fields():
    pod = {"metadata": {"name": "p"}, "status": {"phase": "Running"}}
    assert parse_field_selector("status.phase=Running,metadata.name=p", "Pod")(pod)
    assert not parse_field_selector("status.phase!=Running", "Pod")(pod)


def test_structured_label_selector():
    selector = {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn",
                                                                     "values": ["db"]}]}
    assert match_label_selector_object(selector, {"app": "web"})
    assert not match_label_selector_object(selector, {"app": "web", "tier": "db"})


def test_names():
    assert name_errors("Namespace", "team-a") == []
    assert name_errors("Namespace", "team.a")  # a label, not a subdomain
    assert name_errors("ConfigMap", "team.a") == []
    assert name_errors("Service", "1web")  # DNS-1035 labels start with a letter
    assert name_errors("ClusterRole", "system:aggregate-to-edit") == []


def test_merge_patch():
    assert merge_patch({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"b": None, "c": [2]}, "e": 2}) == \
        {"a": {"c": [2]}, "d": 1, "e": 2}


def test_json_patch_operations():
    document = {"a": [1, 2], "b": {"c": 1}}
    result = json_patch(document, [{"op": "add", "path": "/a/-", "value": 3},
                                   {"op": "move", "from": "/b/c", "path": "/d"},
                                   {"op": "copy", "from": "/d", "path": "/e~1f"},
                                   {"op": "remove", "path": "/a/0"}])
    assert result == {"a": [2, 3], "b": {}, "d": 1, "e/f": 1}
    assert document == {"a": [1, 2], "b": {"c": 1}}
    with pytest.raises(ApiError) as error:
        json_patch(document, [{"op": "replace", "path": "/missing/x", "value": 1}])
    assert error.value.code == 422


POD = {"spec": {"containers": [
    {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
     "ports": [{"containerPort": 80, "protocol": "TCP"}], "args": ["--x"]},
    {"name": "b", "image": "b:1"}]}, "metadata": {"finalizers": ["f1"]}}


def test_strategic_merge_patch_directives():
    patched = strategic_merge_patch("Pod", POD, {
        "metadata": {"finalizers": ["f2"]},
        "spec": {"containers": [{"name": "a", "env": [{"name": "Y", "$patch": "delete"}, {"name": "Z", "value": "3"}],
                                 "ports": [{"containerPort": 8080}], "args": ["--y"]}],
                 "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}})
    b, a = patched["spec"]["containers"]
    assert b["name"] == "b" and a["image"] == "a:1"
    assert a["env"] == [{"name": "X", "value": "1"}, {"name": "Z", "value": "3"}]
    assert [p["containerPort"] for p in a["ports"]] == [80, 8080]
    assert a["args"] == ["--y"]  # lists without a merge key are replaced
    assert patched["metadata"]["finalizers"] == ["f1", "f2"]
    assert POD["spec"]["containers"][0]["env"][1]["name"] == "Y"  # the original is untouched


def test_strategic_merge_patch_replace_and_retain_keys():
    replaced = strategic_merge_patch("Pod", POD, {"spec": {"containers": [{"name": "c", "image": "c:1"},
                                                                          {"$patch": "replace"}]}})
    assert replaced["spec"]["containers"] == [{"name": "c", "image": "c:1"}]
    deployment = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    recreated = strategic_merge_patch("Deployment", deployment, {"spec": {"strategy": {
        "type": "Recreate", "$retainKeys": ["type"]}}})
    assert recreated["spec"]["strategy"] == {"type": "Recreate"}
    removed = strategic_merge_patch("Pod", POD, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["f1"]}})
    assert removed["metadata"]["finalizers"] == []


def test_field_sets_round_trip_through_fields_v1():
    fields = field_set("Pod", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
                               "spec": POD["spec"], "status": {"phase": "Running"}})
    encoded = encode_fields(fields)
    assert encoded["f:spec"]["f:containers"]['k:{"name":"a"}']["f:ports"]['k:{"containerPort":80,"protocol":"TCP"}'] \
        == {".": {}, "f:containerPort": {}, "f:protocol": {}}
    assert "f:status" not in encoded and "f:name" not in encoded["f:metadata"]
    assert decode_fields(encoded) == fields
    image = next(p for p in fields if p[-2:] == (("k", '{"name":"a"}'), ("f", "image")))
    assert path_string(image) == '.spec.containers[name="a"].image'


def test_reapplying_keeps_the_managers_entry_and_forgets_fields_it_no_longer_applies():
    first = server_side_apply("ConfigMap", None, {"metadata": {"name": "c"}, "data": {"a": "1", "b": "1"}}, "campus",
                              False, "v1")
    again = server_side_apply("ConfigMap", first, {"metadata": {"name": "c"}, "data": {"a": "1"}}, "campus",
                              False, "v1")

    assert [(e["manager"], e["operation"], e["fieldsV1"]) for e in again["metadata"]["managedFields"]] == [
        ("campus", "Apply", {"f:data": {"f:a": {}}})]
    assert again["data"] == {"a": "1"}


def test_apply_conflict_message_for_two_fields():
    live = server_side_apply("ConfigMap", None, {"metadata": {"name": "c"}, "data": {"a": "1", "b": "1"}},
                             "first", False, "v1")
    with pytest.raises(ApiError) as error:
        server_side_apply("ConfigMap", live, {"metadata": {"name": "c"}, "data": {"a": "2", "b": "2"}}, "second",
                          False, "v1")
    assert error.value.message == ('Apply failed with 2 conflicts: conflicts with "first":\n- .data.a\n- .data.b')


def test_quantities():
    assert Quantity.parse("250m").value * 4 == 1
    assert Quantity.parse("1Gi").value == 2 ** 30
    assert Quantity.parse("1e3").value == 1000
    assert Quantity.parse("1.5Gi").value == 1536 * 2 ** 20
    with pytest.raises(ValueError):
        Quantity.parse("20 cores")


def test_fault_draws_are_per_verb():
    faults = Faults(seed=1)
    faults.set("create", error_rate=1.0, status=429, latency=0.25)
    latency, error = faults.draw("create")
    assert latency == 0.25 and error.code == 429 and error.reason == "TooManyRequests"
    assert faults.draw("get") == (0.0, None)
    faults.set(error_rate=0.0, latency=0.1)
    assert faults.draw("get") == (0.1, None)


def _varint(value: int) -> bytes:
    out = b""
    while True:
        byte, value = value & 0x7F, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def test_protobuf_self_subject_access_review():
    attributes = _field(1, b"team-a") + _field(2, b"create") + _field(3, b"apps") + _field(5, b"deployments")
    review = _field(1, b"") + _field(2, _field(1, attributes))
    envelope = _field(1, _field(1, b"authorization.k8s.io/v1") + _field(2, b"SelfSubjectAccessReview")) + \
        _field(2, review)
    assert decode(MAGIC + envelope) == {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "team-a", "verb": "create", "group": "apps",
                                        "resource": "deployments"}}}


def test_protobuf_maps_bytes_and_meaningful_zeroes():
    label = _field(11, _field(1, b"app") + _field(2, b"web"))
    secret = _field(1, _field(1, b"s") + label) + _field(2, _field(1, b"pw") + _field(2, b"s3cret")) + \
        _field(3, b"Opaque") + _field(5, 0)
    envelope = _field(1, _field(1, b"v1") + _field(2, b"Secret")) + _field(2, secret)
    assert decode(MAGIC + envelope) == {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": False,
                                        "metadata": {"name": "s", "labels": {"app": "web"}}, "data": {"pw": "czNjcmV0"}}
    with pytest.raises(ApiError):
        decode(b"not protobuf")


@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("GET", "/api/v1/namespaces/a/pods", {}, ("list", "pods", "a", "", "")),
    ("GET", "/api/v1/namespaces/a/pods", {"watch": "true"}, ("watch", "pods", "a", "", "")),
    ("GET", "/api/v1/watch/namespaces/a/pods/p", {}, ("watch", "pods", "a", "p", "")),
    ("GET", "/api/v1/pods", {}, ("list", "pods", "", "", "")),
    ("PUT", "/api/v1/namespaces/a/status", {}, ("update", "namespaces", "", "a", "status")),
    ("DELETE", "/api/v1/namespaces/a", {}, ("delete", "namespaces", "", "a", "")),
    ("DELETE", "/apis/apps/v1/namespaces/a/deployments", {}, ("deletecollection", "deployments", "a", "", "")),
    ("PATCH", "/apis/apps/v1/namespaces/a/deployments/d/scale", {}, ("patch", "deployments", "a", "d", "scale")),
    ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {},
     ("create", "selfsubjectaccessreviews", "", "", "")),
])
def test_routes(method, path, query, expected):
    route = parse_route(method, path, query)
    assert (route.verb, route.resource.plural, route.namespace, route.name, route.subresource) == expected


@pytest.mark.parametrize(("method", "path", "code"), [
    ("GET", "/api/v1/namespaces/a/nothings", 404),
    ("GET", "/api/v1/namespaces/a/clusterroles", 404),
    ("GET", "/api/v1/namespaces/a/configmaps/c/status", 404),
    ("POST", "/api/v1/namespaces/a/configmaps/c", 405),
    ("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 405),
])
def test_bad_routes(method, path, code):
    with pytest.raises(ApiError) as error:
        parse_route(method, path, {})
    assert error.value.code == code


def test_discovery_documents_are_non_resource_routes():
    route = parse_route("GET", "/apis/apps/v1", {})
    assert route.resource is None and route.path == "/apis/apps/v1"
    names = {r["name"] for r in route.document()["resources"]}
    assert {"deployments", "deployments/status", "deployments/scale", "replicasets"} <= names


def test_unknown_fields():
    deployments = by_path("apps", "v1", "deployments")
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labelz": {}},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "imagee": "x", "restartPolicy": "Always",
                                                           "resources": {"limits": {"cpu": "1"}}}]}},
                     "$setElementOrder/x": []}}
    assert unknown_fields(deployments, body) == ["metadata.labelz", "spec.template.spec.containers[0].imagee"]
