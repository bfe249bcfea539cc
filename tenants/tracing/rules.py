"""What campus injects into a tenant's pod at admission so that it reports traces, as a JSONPatch. Pure.

Every container gets W3C trace-context propagation and the OpenTelemetry SDK's standard environment (service name,
resource attributes from the downward API, the collector, a sampler by tier); a pod that opts in with
`campus.example/inject-python: "true"` (or `…/inject-nodejs`) also gets an init container copying an
auto-instrumentation distribution into an `emptyDir`, with small explicit resources (never the LimitRange's
defaults, which would eat the quota) and the restricted securityContext, and `PYTHONPATH`/`NODE_OPTIONS`
extended, never replaced. Whatever a tenant set wins and is never duplicated. Every decision is written on the pod
(`campus.example/tracing`), so a pod never runs untraced without saying why. The patch is idempotent: applied
again (reinvocation) it adds nothing.
"""

import copy
import re
from dataclasses import dataclass, field

DECISION = "campus.example/tracing"  # "injected", "injected: python", "skipped: <why>"
OPT_OUT = "campus.example/inject-tracing"  # "false" on a pod turns injection off for it
LANGUAGES = {"python": "campus.example/inject-python", "nodejs": "campus.example/inject-nodejs"}
SERVICE_NAME_KEYS = ("resource.opentelemetry.io/service.name", "app.kubernetes.io/name")
INIT_RESOURCES = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}
RESTRICTED = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}
_HASH_SUFFIX = re.compile(r"-[a-z0-9]{5,10}$")
_CRONJOB_SUFFIX = re.compile(r"-\d{8,}$")


@dataclass(frozen=True)
class Agent:
    """One language's auto-instrumentation: where it is copied from and how the runtime is told to load it."""

    image: str
    mount: str  # where the emptyDir is mounted in every container
    variable: str  # PYTHONPATH or NODE_OPTIONS
    value: str  # what is put in front of the tenant's own value
    separator: str


@dataclass(frozen=True)
class TracingSettings:
    collector_url: str
    sample_ratios: dict[str, str]  # tier -> ratio
    agents: dict[str, Agent] = field(default_factory=dict)  # language -> agent
    # "otlp": to the cluster's collector, which attributes spans by pod IP; "zipkin": straight to a Zipkin spans
    # endpoint (the demo and tests, where no collector runs — spans then carry what the pod claims).
    exporter: str = "otlp"


@dataclass(frozen=True)
class Decision:
    annotation: str
    patch: list[dict]


def service_name(pod: dict) -> str:
    """resource.opentelemetry.io/service.name, app.kubernetes.io/name, the owning workload, the pod's name."""
    meta = pod.get("metadata") or {}
    for key in SERVICE_NAME_KEYS:
        value = (meta.get("annotations") or {}).get(key) or (meta.get("labels") or {}).get(key)
        if value:
            return value
    owner = next((ref for ref in meta.get("ownerReferences") or [] if ref.get("controller")), None)
    if owner and owner.get("name"):
        name = owner["name"]
        if owner.get("kind") == "ReplicaSet":
            return _HASH_SUFFIX.sub("", name)  # <deployment>-<pod-template-hash>
        if owner.get("kind") == "Job":
            return _CRONJOB_SUFFIX.sub("", name)  # a CronJob's Job: <cronjob>-<scheduled minute>
        return name
    if meta.get("generateName"):
        return _HASH_SUFFIX.sub("", meta["generateName"].rstrip("-")) or meta["generateName"].rstrip("-")
    return meta.get("name") or "unknown"


def _common_env(pod: dict, namespace: str, tier: str, settings: TracingSettings) -> list[dict]:
    ratio = settings.sample_ratios.get(tier, "0.1")
    return [
        {"name": "K8S_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "K8S_NAMESPACE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "OTEL_SERVICE_NAME", "value": service_name(pod)},
        {"name": "OTEL_RESOURCE_ATTRIBUTES", "value": "k8s.namespace.name=$(K8S_NAMESPACE_NAME),"
                                                      f"k8s.pod.name=$(K8S_POD_NAME),service.namespace={namespace}"},
        {"name": "OTEL_PROPAGATORS", "value": "tracecontext,baggage"},
        *([{"name": "OTEL_TRACES_EXPORTER", "value": "zipkin_json"},
           {"name": "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "value": settings.collector_url}] if settings.exporter == "zipkin"
          else [{"name": "OTEL_TRACES_EXPORTER", "value": "otlp"},
                {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": settings.collector_url}]),
        {"name": "OTEL_TRACES_SAMPLER", "value": "parentbased_traceidratio"},
        {"name": "OTEL_TRACES_SAMPLER_ARG", "value": ratio},
    ]


def _languages(pod: dict, settings: TracingSettings) -> list[str]:
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    return [lang for lang, key in LANGUAGES.items() if annotations.get(key) == "true" and lang in settings.agents]


def decide(pod: dict, namespace: str, tier: str, enabled: bool, settings: TracingSettings) -> Decision:
    """The annotation that records what happened to this pod, and the JSONPatch that does it."""
    meta = pod.get("metadata") or {}
    if (meta.get("annotations") or {}).get(OPT_OUT) == "false":
        return Decision("skipped: the pod opted out", _annotate(pod, "skipped: the pod opted out"))
    if not enabled:
        return Decision("skipped: tracing is off for this namespace",
                        _annotate(pod, "skipped: tracing is off for this namespace"))
    languages = _languages(pod, settings)
    spec = copy.deepcopy(pod.get("spec") or {})
    common = _common_env(pod, namespace, tier, settings)
    for container in spec.get("containers") or []:
        _inject_container(container, common, [(lang, settings.agents[lang]) for lang in languages])
    for language in languages:
        _add_agent(spec, language, settings.agents[language])
    what = "injected" + (f": {', '.join(languages)}" if languages else "")
    problem = invalid({**pod, "spec": spec})
    if problem:  # never send a patch that would make the pod invalid
        return Decision(f"skipped: {problem}", _annotate(pod, f"skipped: {problem}"))
    return Decision(what, _spec_patch(pod.get("spec") or {}, spec) + _annotate(pod, what))


def _inject_container(container: dict, common: list[dict], agents: list[tuple[str, Agent]]) -> None:
    env = list(container.get("env") or [])
    names = {item.get("name") for item in env}
    env += [item for item in common if item["name"] not in names]  # the tenant's own wins, never duplicated
    mounts = list(container.get("volumeMounts") or [])
    for language, agent in agents:
        current = next((item for item in env if item.get("name") == agent.variable), None)
        if current is None:
            env.append({"name": agent.variable, "value": agent.value})
        elif "value" in current and agent.value not in current["value"]:  # extended, never replaced
            current.update(value=agent.value + (agent.separator + current["value"] if current["value"] else ""))
        if not any(m.get("name") == _volume(language) for m in mounts):
            mounts.append({"name": _volume(language), "mountPath": agent.mount})
    container["env"] = env
    if mounts:
        container["volumeMounts"] = mounts


def _volume(language: str) -> str:
    return f"campus-tracing-{language}"


def _add_agent(spec: dict, language: str, agent: Agent) -> None:
    """The init container that copies the agent into its emptyDir, once."""
    volumes = spec["volumes"] = list(spec.get("volumes") or [])
    if not any(v.get("name") == _volume(language) for v in volumes):
        volumes.append({"name": _volume(language), "emptyDir": {"sizeLimit": "200Mi"}})
    inits = spec["initContainers"] = list(spec.get("initContainers") or [])
    if not any(c.get("name") == _volume(language) for c in inits):
        inits.append({"name": _volume(language), "image": agent.image,
                      "command": ["cp", "-r", "/autoinstrumentation/.", agent.mount],
                      "resources": INIT_RESOURCES, "securityContext": RESTRICTED,
                      "volumeMounts": [{"name": _volume(language), "mountPath": agent.mount}]})


def _spec_patch(before: dict, after: dict) -> list[dict]:
    """Whole-field `add`s (which replace) for what changed: each container's env and mounts, volumes, inits."""
    ops = []
    for index, (old, new) in enumerate(zip(before.get("containers") or [], after.get("containers") or [],
                                           strict=True)):
        for key in ("env", "volumeMounts"):
            if key in new and old.get(key) != new[key]:
                ops.append({"op": "add", "path": f"/spec/containers/{index}/{key}", "value": new[key]})
    for key in ("volumes", "initContainers"):
        if after.get(key) and before.get(key) != after[key]:
            ops.append({"op": "add", "path": f"/spec/{key}", "value": after[key]})
    return ops


def _annotate(pod: dict, decision: str) -> list[dict]:
    annotations = (pod.get("metadata") or {}).get("annotations")
    if annotations is None:
        return [{"op": "add", "path": "/metadata/annotations", "value": {DECISION: decision}}]
    if annotations.get(DECISION) == decision:
        return []
    return [{"op": "add", "path": "/metadata/annotations/" + DECISION.replace("~", "~0").replace("/", "~1"),
             "value": decision}]


def invalid(pod: dict) -> str:
    """Why the pod would be refused by the API server's validation on the fields injection touches, or ""."""
    spec = pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    names = [c.get("name") for c in containers]
    if len(names) != len(set(names)):
        return "two containers would share a name"
    volumes = [v.get("name") for v in spec.get("volumes") or []]
    if len(volumes) != len(set(volumes)):
        return "two volumes would share a name"
    for container in containers:
        mounts = {m.get("name") for m in container.get("volumeMounts") or []}
        if not mounts <= set(volumes):
            return f"container {container.get('name')} mounts a volume the pod does not have"
    return ""
