"""What tracing injects, over many pod shapes: idempotent, never losing or duplicating a tenant's settings."""

from hypothesis import given
from hypothesis import strategies as st

from devstack.kube.patch import json_patch as apply_patch  # the stand-in's RFC 6902, as the API server applies it
from tenants.tracing.rules import (
    DECISION,
    INIT_RESOURCES,
    RESTRICTED,
    Agent,
    TracingSettings,
    decide,
    service_name,
)

SETTINGS = TracingSettings("http://collector:4318", {"course": "0.2"}, {
    "python": Agent("auto-python:1", "/otel-python", "PYTHONPATH", "/otel-python/auto:/otel-python", ":"),
    "nodejs": Agent("auto-node:1", "/otel-node", "NODE_OPTIONS", "--require /otel-node/auto.js", " ")})
names = st.sampled_from(["PYTHONPATH", "NODE_OPTIONS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "FOO",
                         "OTEL_EXPORTER_OTLP_ENDPOINT", "K8S_POD_NAME"])
env_lists = st.lists(st.builds(lambda n, v: {"name": n, "value": v}, names, st.sampled_from(["", "/app", "x y"])),
                     unique_by=lambda e: e["name"], max_size=4)
containers = st.lists(st.builds(lambda i, env, has_env, mounts: {
    "name": f"c{i}", "image": "app:1", **({"env": env} if has_env else {}),
    **({"volumeMounts": [{"name": "data", "mountPath": "/data"}]} if mounts else {})},
    st.integers(0, 3), env_lists, st.booleans(), st.booleans()), min_size=1, max_size=3, unique_by=lambda c: c["name"])
annotations = st.fixed_dictionaries({}, optional={"campus.example/inject-python": st.sampled_from(["true", "no"]),
                                                  "campus.example/inject-nodejs": st.just("true"),
                                                  "other": st.just("x")})


@st.composite
def pods(draw):
    spec = {"containers": draw(containers)}
    if any("volumeMounts" in c for c in spec["containers"]) or draw(st.booleans()):
        spec["volumes"] = [{"name": "data", "emptyDir": {}}]
    if draw(st.booleans()):
        spec["initContainers"] = [{"name": "setup", "image": "setup:1"}]
    meta = {"generateName": "web-7d4b9c8f6d-", "namespace": "g-a"}
    chosen = draw(annotations)
    if chosen or draw(st.booleans()):
        meta["annotations"] = chosen
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def env_of(pod, index):
    return {e["name"]: e for e in pod["spec"]["containers"][index].get("env") or []}


@given(pods())
def test_injection_keeps_what_the_tenant_set_and_adds_the_rest_once(pod):
    decision = decide(pod, "g-a", "course", True, SETTINGS)
    patched = apply_patch(pod, decision.patch)

    assert patched["metadata"]["annotations"][DECISION] == decision.annotation
    for index, _container in enumerate(pod["spec"]["containers"]):
        before, after = env_of(pod, index), env_of(patched, index)
        names = [e["name"] for e in patched["spec"]["containers"][index]["env"]]
        assert len(names) == len(set(names))  # never duplicated
        for name, item in before.items():
            if name not in ("PYTHONPATH", "NODE_OPTIONS"):
                assert after[name] == item  # the tenant's own wins
        assert {"OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_PROPAGATORS"} <= set(after)
        for language, agent in SETTINGS.agents.items():
            if "injected" in decision.annotation and language in decision.annotation:
                assert after[agent.variable]["value"].startswith(agent.value)
                if before.get(agent.variable, {}).get("value"):
                    assert after[agent.variable]["value"].endswith(before[agent.variable]["value"])  # extended


@given(pods())
def test_injection_is_idempotent(pod):
    once = apply_patch(pod, decide(pod, "g-a", "course", True, SETTINGS).patch)
    assert decide(once, "g-a", "course", True, SETTINGS).patch == []  # reinvoked: nothing more


@given(pods())
def test_agents_get_small_explicit_resources_and_the_restricted_profile(pod):
    patched = apply_patch(pod, decide(pod, "g-a", "course", True, SETTINGS).patch)
    for init in patched["spec"].get("initContainers") or []:
        if init["name"].startswith("campus-tracing-"):
            assert init["resources"] == INIT_RESOURCES and init["securityContext"] == RESTRICTED
            assert any(v["name"] == init["name"] for v in patched["spec"]["volumes"])


def test_the_switches_and_the_opt_out_are_recorded_not_silent():
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x"}]}}
    off = decide(pod, "g-a", "course", False, SETTINGS)
    assert off.annotation == "skipped: tracing is off for this namespace"
    assert off.patch == [{"op": "add", "path": "/metadata/annotations", "value": {DECISION: off.annotation}}]
    opted = {**pod, "metadata": {"name": "p", "annotations": {"campus.example/inject-tracing": "false"}}}
    assert decide(opted, "g-a", "course", True, SETTINGS).annotation == "skipped: the pod opted out"


def test_service_names_come_from_labels_then_the_owning_workload():
    def pod(**meta):
        return {"metadata": meta}
    assert service_name(pod(labels={"app.kubernetes.io/name": "shop"}, generateName="x-")) == "shop"
    assert service_name(pod(annotations={"resource.opentelemetry.io/service.name": "cart"},
                            labels={"app.kubernetes.io/name": "shop"})) == "cart"
    rs = {"kind": "ReplicaSet", "name": "web-7d4b9c8f6d", "controller": True}
    assert service_name(pod(ownerReferences=[rs])) == "web"
    job = {"kind": "Job", "name": "nightly-29012345", "controller": True}
    assert service_name(pod(ownerReferences=[job])) == "nightly"
    assert service_name(pod(generateName="worker-5f6d7c8b9a-")) == "worker"
    assert service_name(pod(name="shell")) == "shell"


def test_a_patch_that_would_make_the_pod_invalid_is_never_sent():
    broken = {"metadata": {"name": "p", "annotations": {"campus.example/inject-python": "true"}},
              "spec": {"containers": [{"name": "a", "image": "x",
                                       "volumeMounts": [{"name": "gone", "mountPath": "/g"}]}]}}

    decision = decide(broken, "g-a", "course", True, SETTINGS)

    assert decision.annotation.startswith("skipped: container a mounts a volume")
    assert [op["path"] for op in decision.patch] == ["/metadata/annotations/campus.example~1tracing"]
