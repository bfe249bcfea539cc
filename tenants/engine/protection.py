"""Whether a change to an object campus manages may pass admission, and what a refused person is told. Pure.

Only campus's own service account writes what campus manages; the namespace controller and the garbage collector
may delete it while campus deletes a namespace. Anyone else is refused with a message that says how to get the
change they wanted. The same holds for putting campus's label on an object (it would become campus's).
"""

from dataclasses import dataclass

from tenants.engine.config import MANAGED_BY

# kube-controller-manager's own users, which empty a namespace campus deletes.
CLEANERS = frozenset({"system:serviceaccount:kube-system:namespace-controller",
                      "system:serviceaccount:kube-system:generic-garbage-collector"})
_VERB = {"CREATE": "created", "UPDATE": "changed", "DELETE": "deleted"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str = ""


def _managed(obj) -> bool:
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return isinstance(labels, dict) and labels.get(MANAGED_BY[0]) == MANAGED_BY[1]


def _how_to_ask(kind: str, namespace: str, portal_url: str) -> str:
    page = f"{portal_url}/namespaces/{namespace}/" if namespace else f"{portal_url}/"
    return {
        "ResourceQuota": f"to get more quota, ask for it in the portal: {page}",
        "LimitRange": f"to get other default limits, ask for a quota change in the portal: {page}",
        "NetworkPolicy": "to allow more traffic, add a NetworkPolicy of your own beside it",
        "RoleBinding": "members and their roles come from GitLab (or, for a personal or requested namespace, "
                       f"its owner); change them there, or bind others with a RoleBinding of your own: {page}",
        "Namespace": f"campus creates, extends and reclaims its namespaces; see {page}",
    }.get(kind, f"see {page}")


def decide(request: dict, campus_user: str, portal_url: str) -> Decision:
    """`request`: an AdmissionReview's `request`."""
    operation = request.get("operation", "")
    new, old = request.get("object"), request.get("oldObject")
    if not (_managed(new) or _managed(old)):
        return Decision(True)
    username = (request.get("userInfo") or {}).get("username", "")
    if username == campus_user or (operation == "DELETE" and username in CLEANERS):
        return Decision(True)
    kind = (request.get("kind") or {}).get("kind", "object")
    namespace, name = request.get("namespace") or "", request.get("name") or ""
    where = f"{namespace}/{name}" if namespace else name
    if not _managed(old) and operation != "DELETE":
        return Decision(False, f"the label {MANAGED_BY[0]}={MANAGED_BY[1]} is campus's own and cannot be set by "
                               f"{username or 'an unknown user'}")
    return Decision(False, f"{kind} {where} is managed by campus and cannot be {_VERB.get(operation, 'changed')} "
                           f"by {username or 'an unknown user'}; {_how_to_ask(kind, namespace, portal_url)}")
