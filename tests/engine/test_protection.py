"""The protecting admission webhook's decision: who may change what campus manages, and what a refused person is
told. Pure."""

import pytest

from tenants.engine.protection import decide
from tests.helpers import CAMPUS_USER as CAMPUS
from tests.helpers import MANAGED_LABELS as MANAGED
from tests.helpers import admission_review as review

PORTAL = "https://campus.example.edu"


@pytest.mark.parametrize(("operation", "user", "new", "old", "allowed"), [
    ("UPDATE", CAMPUS, MANAGED, MANAGED, True),
    ("UPDATE", "s0003", MANAGED, MANAGED, False),
    ("UPDATE", "s0003", {}, MANAGED, False),  # stripping campus's label
    ("UPDATE", "s0003", MANAGED, {}, False),  # putting it on someone else's object
    ("CREATE", "s0003", MANAGED, None, False),
    ("DELETE", "s0003", None, MANAGED, False),
    ("DELETE", "system:serviceaccount:kube-system:namespace-controller", None, MANAGED, True),
    ("UPDATE", "system:serviceaccount:kube-system:namespace-controller", MANAGED, MANAGED, False),
    ("UPDATE", "s0003", {"team": "x"}, {"team": "y"}, True),  # not campus's: not campus's business
])
def test_decisions(operation, user, new, old, allowed):
    request = review(operation, user, new_labels=new, old_labels=old)["request"]
    assert decide(request, CAMPUS, PORTAL).allowed is allowed


@pytest.mark.parametrize(("kind", "hint"), [
    ("ResourceQuota", "ask for it in the portal: https://campus.example.edu/namespaces/g-a/"),
    ("NetworkPolicy", "add a NetworkPolicy of your own beside it"),
    ("RoleBinding", "come from GitLab"),
])
def test_a_refusal_says_how_to_ask(kind, hint):
    decision = decide(review(kind=kind)["request"], CAMPUS, PORTAL)
    assert not decision.allowed and "is managed by campus" in decision.message and hint in decision.message
