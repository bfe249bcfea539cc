"""A whole stand-in cluster: K1's API server with the real policy plugged in and the bootstrap objects in place.

    with Cluster(admin_token="...", webhook_url="http://127.0.0.1:8000/kubernetes/tokenreview") as cluster:
        cluster.write_kubeconfig(path)                 # campus's own service account, cluster-admin
        cluster.write_kubeconfig(path, token=student)  # what a student's kubectl uses

The admin token is campus's own service account token (system:serviceaccount:kube-system:campus), bound to
cluster-admin. Every other token is checked by the TokenReview webhook campus serves.
"""

from collections.abc import Iterable
from pathlib import Path

import yaml

from devstack.kube import identities, quota
from devstack.kube.admission import default_admission, default_validating_admission
from devstack.kube.authn import StaticTokenAuthenticator, UnionAuthenticator, WebhookTokenAuthenticator
from devstack.kube.contracts import ApiError, Policy, UserInfo
from devstack.kube.controllers import ControllerManager
from devstack.kube.escalation import escalation_guard
from devstack.kube.nodes import DEFAULT_NODES, NodeSpec, as_spec, node_object, node_status
from devstack.kube.rbac import (
    RBAC_API_VERSION,
    RBACAuthorizer,
    aggregation_controller,
    cluster_role_binding,
    default_cluster_role_bindings,
    default_cluster_roles,
    service_account_user,
)
from devstack.kube.reviews import review_handlers
from devstack.kube.server import KubeApiServer
from devstack.kube.webhook_client import WebhookClient
from devstack.kube.webhooks import WebhookAdmission
from devstack.tls import TlsFiles

CAMPUS_NAMESPACE = "kube-system"
CAMPUS_SERVICE_ACCOUNT = "campus"


class Cluster:
    def __init__(self, admin_token: str, webhook_url: str | None = None, webhook_token: str | None = None,
                 webhook_ca_file: str | None = None, webhook_cache_ttl: float = 120.0,
                 webhook_failure_ttl: float = 30.0, tls: TlsFiles | None = None, state_file: Path | None = None,
                 port: int = 0, static_tokens: dict[str, UserInfo] | None = None,
                 nodes: Iterable[NodeSpec | dict] = DEFAULT_NODES,
                 webhook_services: dict[tuple[str, str, int], str] | None = None,
                 admission_webhook_token: str | None = None):
        """`webhook_token` is what the API server presents to the webhook (campus's CAMPUS_TOKENREVIEW_SECRET).

        `nodes`: NodeSpecs or dicts of their fields (name, cpu, memory, gpus, labels, pods); pods are placed on the
        first that fits (nodeSelector, GPUs), else on the first. Default: one node, campus-node-1.

        Admission webhooks: `webhook_services` maps a `clientConfig.service` (namespace, name, port) to the base URL
        that serves it here (http or https on loopback); `cluster.webhook_services` is that mapping, live, for entries
        known only later. `admission_webhook_token` is sent to every admission webhook as `Authorization: Bearer`
        (what the admission kubeconfig would give kube-apiserver).
        """
        self.nodes = [as_spec(node) for node in nodes]
        if not self.nodes:
            raise ValueError("a cluster needs at least one node")
        self.campus_user = service_account_user(CAMPUS_NAMESPACE, CAMPUS_SERVICE_ACCOUNT)
        authenticators = [StaticTokenAuthenticator({**(static_tokens or {}), admin_token: self.campus_user})]
        if webhook_url:
            authenticators.append(WebhookTokenAuthenticator(
                webhook_url, success_ttl=webhook_cache_ttl, failure_ttl=webhook_failure_ttl,
                ca_file=webhook_ca_file, bearer_token=webhook_token))
        self.admin_token = admin_token
        self.authenticator = UnionAuthenticator(authenticators)
        self.authorizer = RBACAuthorizer()
        self.webhook_services: dict[tuple[str, str, int], str] = dict(webhook_services or {})
        webhooks = WebhookAdmission(WebhookClient(self.webhook_services, admission_webhook_token))
        self.policy = Policy(
            authenticator=self.authenticator, authorizer=self.authorizer,
            admission=[*default_admission(), webhooks.mutate], guards=[escalation_guard(self.authorizer)],
            validating_admission=default_validating_admission(webhooks.validate),
            controllers=[aggregation_controller, *ControllerManager(self.nodes[0].name).controllers,
                         quota.quota_controller],
            reviews=review_handlers(self.authenticator, self.authorizer))
        self.server = KubeApiServer(self.policy, tls=tls, state_file=state_file, port=port)
        self.authorizer.store = self.server.store

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def store(self):
        return self.server.store

    def start(self) -> "Cluster":
        self.server.start()
        self.bootstrap()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def bootstrap(self) -> None:
        """Default ClusterRoles and bindings, and campus's service account bound to cluster-admin (kept if present)."""
        store = self.store
        roles = store.resource_for(RBAC_API_VERSION, "ClusterRole")
        bindings = store.resource_for(RBAC_API_VERSION, "ClusterRoleBinding")
        campus_binding = cluster_role_binding("campus:cluster-admin", "cluster-admin", [
            {"kind": "ServiceAccount", "name": CAMPUS_SERVICE_ACCOUNT, "namespace": CAMPUS_NAMESPACE}])
        wanted = [(roles, "", role) for role in default_cluster_roles()]
        wanted += [(bindings, "", binding) for binding in [*default_cluster_role_bindings(), campus_binding]]
        wanted.append((store.resource_for("v1", "ServiceAccount"), CAMPUS_NAMESPACE,
                       {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": CAMPUS_SERVICE_ACCOUNT}}))
        for resource, namespace, obj in wanted:
            try:
                store.create(resource, namespace, obj)
            except ApiError as error:
                if error.code != 409:
                    raise
        self.register_nodes()

    def register_nodes(self) -> None:
        """What each kubelet does at start: create its Node if missing, then post its status."""
        nodes = self.store.resource_for("v1", "Node")
        for index, spec in enumerate(self.nodes):
            try:
                node = self.store.create(nodes, "", node_object(spec, index), request=identities.kubelet(spec.name))
            except ApiError as error:
                if error.code != 409:
                    raise
                node = self.store.get(nodes, "", spec.name)
            self.store.update_status(nodes, "", {**node, "status": node_status(spec, index)},
                                     request=identities.kubelet(spec.name))

    def write_kubeconfig(self, path: Path, token: str | None = None, namespace: str | None = None,
                         user: str = "campus") -> Path:
        """A kubeconfig for campus's admin token, or for `token` (e.g. a student's), optionally defaulting -n."""
        ca_file = self.server.tls.ca_cert if self.server.tls else None
        return write_kubeconfig(path, self.url, token or self.admin_token, ca_file=ca_file, namespace=namespace,
                                user=user)


def write_kubeconfig(path: Path, server_url: str, token: str, ca_file: Path | None = None,
                     namespace: str | None = None, user: str = "campus", cluster: str = "campus") -> Path:
    cluster_entry: dict = {"server": server_url}
    if ca_file:
        cluster_entry["certificate-authority"] = str(ca_file)
    context: dict = {"cluster": cluster, "user": user}
    if namespace:
        context["namespace"] = namespace
    config = {"apiVersion": "v1", "kind": "Config", "current-context": f"{user}@{cluster}",
              "clusters": [{"name": cluster, "cluster": cluster_entry}],
              "users": [{"name": user, "user": {"token": token}}],
              "contexts": [{"name": f"{user}@{cluster}", "context": context}], "preferences": {}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)  # it holds a bearer token
    return path
