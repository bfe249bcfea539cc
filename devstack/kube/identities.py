"""Who the cluster's own components are when they write, as admission webhooks see them: kube-controller-manager
with --use-service-account-credentials (kubeadm's default: one service account per controller), the scheduler,
the kubelets, and kube-apiserver's own loopback client. Their writes are trusted (RBAC's escalation checks skip
them) but go through admission like anyone's.
"""

from devstack.kube.contracts import CLUSTER, UserInfo, WriteRequest

AUTHENTICATED = "system:authenticated"


def controller(name: str) -> WriteRequest:
    """A kube-controller-manager controller, e.g. controller("namespace-controller")."""
    user = UserInfo(f"system:serviceaccount:kube-system:{name}", "",
                    ("system:serviceaccounts", "system:serviceaccounts:kube-system", AUTHENTICATED))
    return WriteRequest(user=user, trusted=True)


def kubelet(node: str) -> WriteRequest:
    return WriteRequest(user=UserInfo(f"system:node:{node}", "", ("system:nodes", AUTHENTICATED)), trusted=True)


SCHEDULER = WriteRequest(user=UserInfo("system:kube-scheduler", "", (AUTHENTICATED,)), trusted=True)
APISERVER = CLUSTER  # bootstrap and the store's own bookkeeping
GARBAGE_COLLECTOR = controller("generic-garbage-collector")
NAMESPACE_CONTROLLER = controller("namespace-controller")
