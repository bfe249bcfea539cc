"""campus's settings as typed values, and the adapters built from them: the one place that reads `CAMPUS_*`
(system checks in `tenants.checks` validate the same settings at start)."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from tenants.engine.config import TenancyConfig
from tenants.infra.gitlab import GitLabSource
from tenants.infra.kube import FIELD_MANAGER, KubeCluster
from tenants.infra.traces import TraceBackend
from tenants.lifecycle.rules import ExpiryPolicy, Limits, Term, default_terms, parse_terms
from tenants.tracing.rules import Agent, TracingSettings

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


# --- plain values --------------------------------------------------------------------------------------------------

def public_url() -> str:
    """Where people reach campus, without a trailing slash: links in mails and messages start here."""
    return settings.CAMPUS_PUBLIC_URL.rstrip("/")


def gitlab_roots() -> list[str]:
    return list(settings.CAMPUS_GITLAB_ROOTS)


def token_lifetime_hours() -> int:
    return settings.CAMPUS_TOKEN_LIFETIME_HOURS


def login_limits() -> dict:
    return settings.CAMPUS_LOGIN_LIMITS


def ldap_directory_settings() -> dict:
    return settings.CAMPUS_LDAP


def role_groups() -> dict[str, list[str]]:
    return settings.CAMPUS_ROLE_GROUPS


def client_ip_header() -> str:
    return settings.CAMPUS_CLIENT_IP_HEADER


def cluster_for_kubeconfig() -> tuple[str, str, str]:
    """What a student's kubeconfig names: the cluster's name, its public API URL and CA file."""
    return settings.CAMPUS_CLUSTER_NAME, settings.CAMPUS_KUBE_PUBLIC_URL, settings.CAMPUS_KUBE_PUBLIC_CA_FILE


def shared_secret(caller: str) -> str:
    """The secret a caller of campus's machine endpoints presents: "tokenreview" and "admission" (the API
    server), "gitlab" (system hooks). Empty: that endpoint refuses everyone."""
    return {"tokenreview": settings.CAMPUS_TOKENREVIEW_SECRET, "admission": settings.CAMPUS_ADMISSION_SECRET,
            "gitlab": settings.CAMPUS_GITLAB_WEBHOOK_SECRET}[caller]


def campus_kube_username() -> str:
    return settings.CAMPUS_KUBE_USERNAME


def extension_limits() -> tuple[int, int]:
    """(days one extension adds, how many a namespace may have)."""
    return settings.CAMPUS_EXTENSION_DAYS, settings.CAMPUS_MAX_EXTENSIONS


def auto_approved_namespaces() -> int:
    return settings.CAMPUS_AUTO_APPROVED_NAMESPACES


def grace_days() -> int:
    return settings.CAMPUS_GRACE_DAYS


def archive_dir() -> Path:
    return Path(settings.CAMPUS_ARCHIVE_DIR)


def max_attempts() -> int:
    """How often durable work (hook events, jobs) is tried before it is given up."""
    return settings.CAMPUS_EVENT_MAX_ATTEMPTS


def tracing_settings() -> TracingSettings:
    python, nodejs = "/otel-auto-instrumentation-python", "/otel-auto-instrumentation-nodejs"
    return TracingSettings(
        collector_url=settings.CAMPUS_TRACING_COLLECTOR_URL, sample_ratios=dict(settings.CAMPUS_TRACING_SAMPLE_RATIOS),
        exporter=settings.CAMPUS_TRACING_EXPORTER,
        agents={"python": Agent(settings.CAMPUS_TRACING_PYTHON_IMAGE, python, "PYTHONPATH",
                                f"{python}/opentelemetry/instrumentation/auto_instrumentation:{python}", ":"),
                "nodejs": Agent(settings.CAMPUS_TRACING_NODEJS_IMAGE, nodejs, "NODE_OPTIONS",
                                f"--require {nodejs}/autoinstrumentation.js", " ")})


def trace_backend() -> TraceBackend:
    return TraceBackend(settings.CAMPUS_TRACING_QUERY_URL)


@dataclass(frozen=True)
class Telemetry:
    zipkin_url: str  # empty: campus is not traced
    sample_rate: float
    sync_export: bool  # tests export each span as it ends; production batches on a thread


def telemetry() -> Telemetry:
    return Telemetry(settings.CAMPUS_TELEMETRY_ZIPKIN_URL, settings.CAMPUS_TELEMETRY_SAMPLE_RATE,
                     settings.CAMPUS_TELEMETRY_SYNC_EXPORT)
