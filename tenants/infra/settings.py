"""The engine's adapters and configuration, built from Django settings (the only place that reads them)."""

from datetime import date
from pathlib import Path

from django.conf import settings

from tenants.engine.config import TenancyConfig
from tenants.infra.gitlab import GitLabSource
from tenants.infra.kube import FIELD_MANAGER, KubeCluster
from tenants.lifecycle.rules import ExpiryPolicy, Limits, Term, default_terms, parse_terms

IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


def tenancy_config() -> TenancyConfig:
    defaults = TenancyConfig()
    return TenancyConfig(
        prefixes=settings.CAMPUS_NAMESPACE_PREFIXES,
        reserved_names=defaults.reserved_names | frozenset(settings.CAMPUS_RESERVED_NAMESPACES),
        pod_security_level=settings.CAMPUS_POD_SECURITY_LEVEL,
        ingress_namespaces=tuple(settings.CAMPUS_INGRESS_NAMESPACES),
        monitoring_namespaces=tuple(settings.CAMPUS_MONITORING_NAMESPACES),
        include_projects=settings.CAMPUS_GITLAB_PROJECTS_AS_NAMESPACES,
        max_namespace_deletions=settings.CAMPUS_MAX_NAMESPACE_DELETIONS,
        max_namespace_deletion_share=settings.CAMPUS_MAX_NAMESPACE_DELETION_PERCENT / 100,
        max_access_removals=settings.CAMPUS_MAX_ACCESS_REMOVALS,
        max_access_removal_share=settings.CAMPUS_MAX_ACCESS_REMOVAL_PERCENT / 100,
    )


def kube_cluster(field_manager: str = FIELD_MANAGER) -> KubeCluster:
    """campus's Kubernetes client; a component writes as its own field manager."""
    token = settings.CAMPUS_KUBE_TOKEN or IN_CLUSTER_TOKEN.read_text().strip()
    return KubeCluster(settings.CAMPUS_KUBE_API_URL, token, ca_file=settings.CAMPUS_KUBE_CA_FILE,
                       timeout_seconds=settings.CAMPUS_KUBE_TIMEOUT_SECONDS, field_manager=field_manager)


def gitlab_source() -> GitLabSource:
    return GitLabSource(settings.CAMPUS_GITLAB_URL, settings.CAMPUS_GITLAB_TOKEN, roots=settings.CAMPUS_GITLAB_ROOTS,
                        include_projects=settings.CAMPUS_GITLAB_PROJECTS_AS_NAMESPACES,
                        timeout_seconds=settings.CAMPUS_GITLAB_TIMEOUT_SECONDS)


def terms(today: date) -> list[Term]:
    """The term calendar from CAMPUS_TERMS, or the default semesters around `today`."""
    return parse_terms(settings.CAMPUS_TERMS) if settings.CAMPUS_TERMS else default_terms(today)


def expiry_policy(today: date) -> ExpiryPolicy:
    return ExpiryPolicy(terms=terms(today), idle_days=settings.CAMPUS_IDLE_DAYS,
                        warning_days=tuple(settings.CAMPUS_WARNING_DAYS), grace_days=settings.CAMPUS_GRACE_DAYS,
                        max_extensions=settings.CAMPUS_MAX_EXTENSIONS, extension_days=settings.CAMPUS_EXTENSION_DAYS,
                        latest_extension_months=settings.CAMPUS_LATEST_EXTENSION_MONTHS)


def reclaim_limits() -> Limits:
    return Limits(max_suspensions=settings.CAMPUS_RECLAIM_MAX_SUSPENSIONS,
                  max_deletions=settings.CAMPUS_RECLAIM_MAX_DELETIONS)
