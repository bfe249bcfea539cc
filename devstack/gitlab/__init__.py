"""A GitLab stand-in: the REST v4 subset campus and python-gitlab use, system hooks, and fault switches."""

from devstack.gitlab.faults import ApiFaults
from devstack.gitlab.hooks import DeliveryAttempt, DeliverySwitches
from devstack.gitlab.records import ACCESS_LEVEL_NAMES
from devstack.gitlab.seed import seed, university_spec
from devstack.gitlab.server import GitLabServer

__all__ = ["ACCESS_LEVEL_NAMES", "ApiFaults", "DeliveryAttempt", "DeliverySwitches", "GitLabServer", "seed",
           "university_spec"]
