"""campus settings. Everything deployment-specific comes from the environment (see README)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from campus.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO = env_bool("CAMPUS_DEMO")
DEBUG = env_bool("CAMPUS_DEBUG")
SECRET_KEY = env_str("CAMPUS_SECRET_KEY")
if not SECRET_KEY:
    if not DEMO:
        raise ImproperlyConfigured("CAMPUS_SECRET_KEY is required (set CAMPUS_DEMO=1 only for the local demo)")
    SECRET_KEY = "campus-demo-only-not-secret"  # noqa: S105 - the demo runs on loopback only

ALLOWED_HOSTS = env_list("CAMPUS_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CAMPUS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tenants",
    "tenants.tracing",
]

MIDDLEWARE = [
    "tenants.infra.telemetry.TracingMiddleware",  # outermost: the request's span covers all the rest
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "campus.urls"
WSGI_APPLICATION = "campus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default; production sets DATABASE_URL to PostgreSQL.
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'campus.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["tenants.access.backend.LDAPBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("CAMPUS_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("CAMPUS_SECURE_COOKIES", not (DEBUG or DEMO))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CAMPUS_BEHIND_TLS_PROXY") else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("CAMPUS_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("CAMPUS_STATIC_ROOT") or None  # set where `collectstatic` runs (the container image)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve from the app dirs too, so the demo needs no collectstatic

# --- LDAP sign-in -------------------------------------------------------------------------------------------------
# DNs contain commas, so DN lists are separated by semicolons.
CAMPUS_LDAP = {
    "URIS": env_list("CAMPUS_LDAP_URIS", ["ldap://127.0.0.1:389"], separator=" "),
    "START_TLS": env_bool("CAMPUS_LDAP_START_TLS"),
    "CA_FILE": env_str("CAMPUS_LDAP_CA_FILE"),
    "BIND_DN": env_str("CAMPUS_LDAP_BIND_DN"),
    "BIND_PASSWORD": env_str("CAMPUS_LDAP_BIND_PASSWORD"),
    "USER_BASE": env_str("CAMPUS_LDAP_USER_BASE", "ou=people,dc=campus,dc=example"),
    "USER_FILTER": env_str("CAMPUS_LDAP_USER_FILTER", "(&(objectClass=inetOrgPerson)(uid={username}))"),
    # Empty GROUP_BASE: read the user's memberOf attribute; otherwise search groups with GROUP_FILTER.
    "GROUP_BASE": env_str("CAMPUS_LDAP_GROUP_BASE"),
    "GROUP_FILTER": env_str("CAMPUS_LDAP_GROUP_FILTER", "(&(objectClass=groupOfNames)(member={user_dn}))"),
    "TIMEOUT_SECONDS": env_int("CAMPUS_LDAP_TIMEOUT_SECONDS", 5),
}
# Which LDAP groups grant which campus role; a user in none of them cannot sign in.
CAMPUS_ROLE_GROUPS = {
    "student": env_list("CAMPUS_LDAP_STUDENT_GROUPS", ["cn=students,ou=groups,dc=campus,dc=example"], ";"),
    "staff": env_list("CAMPUS_LDAP_STAFF_GROUPS", ["cn=staff,ou=groups,dc=campus,dc=example"], ";"),
    "admin": env_list("CAMPUS_LDAP_ADMIN_GROUPS", ["cn=campus-admins,ou=groups,dc=campus,dc=example"], ";"),
}
# Behind an ingress, the header that carries the client address (e.g. HTTP_X_REAL_IP); else REMOTE_ADDR.
CAMPUS_CLIENT_IP_HEADER = env_str("CAMPUS_CLIENT_IP_HEADER")
# Failed sign-ins allowed per window before further attempts are refused without asking LDAP.
CAMPUS_LOGIN_LIMITS = {
    "WINDOW_SECONDS": env_int("CAMPUS_LOGIN_WINDOW_SECONDS", 15 * 60),
    "PER_USERNAME": env_int("CAMPUS_LOGIN_FAILURES_PER_USERNAME", 5),
    "PER_ADDRESS": env_int("CAMPUS_LOGIN_FAILURES_PER_ADDRESS", 30),
}

# --- GitLab ---------------------------------------------------------------------------------------------------------
CAMPUS_GITLAB_URL = env_str("CAMPUS_GITLAB_URL", "https://gitlab.example.edu")
CAMPUS_GITLAB_TOKEN = env_str("CAMPUS_GITLAB_TOKEN")
CAMPUS_GITLAB_TIMEOUT_SECONDS = env_int("CAMPUS_GITLAB_TIMEOUT_SECONDS", 10)
# Groups strictly below these top-level groups (and their projects, if enabled) become namespaces.
CAMPUS_GITLAB_ROOTS = env_list("CAMPUS_GITLAB_ROOTS", ["courses", "teams"])
CAMPUS_GITLAB_PROJECTS_AS_NAMESPACES = env_bool("CAMPUS_GITLAB_PROJECTS_AS_NAMESPACES", True)
# GitLab sends this in X-Gitlab-Token with every system hook.
CAMPUS_GITLAB_WEBHOOK_SECRET = env_str("CAMPUS_GITLAB_WEBHOOK_SECRET")
CAMPUS_EVENT_MAX_ATTEMPTS = env_int("CAMPUS_EVENT_MAX_ATTEMPTS", 8)

# --- Kubernetes and the tenancy engine -------------------------------------------------------------------------------
CAMPUS_KUBE_API_URL = env_str("CAMPUS_KUBE_API_URL", "https://kubernetes.default.svc")
CAMPUS_KUBE_TOKEN = env_str("CAMPUS_KUBE_TOKEN")  # empty: the in-cluster service account token
CAMPUS_KUBE_CA_FILE = env_str("CAMPUS_KUBE_CA_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
CAMPUS_KUBE_TIMEOUT_SECONDS = env_int("CAMPUS_KUBE_TIMEOUT_SECONDS", 10)
CAMPUS_NAMESPACE_PREFIXES = {
    "personal": env_str("CAMPUS_NAMESPACE_PREFIX_PERSONAL", "u-"),
    "group": env_str("CAMPUS_NAMESPACE_PREFIX_GROUP", "g-"),
    "project": env_str("CAMPUS_NAMESPACE_PREFIX_PROJECT", "p-"),
    "requested": env_str("CAMPUS_NAMESPACE_PREFIX_REQUESTED", "r-"),
}
CAMPUS_RESERVED_NAMESPACES = env_list("CAMPUS_RESERVED_NAMESPACES")  # added to default, kube-*, campus-* ...
CAMPUS_POD_SECURITY_LEVEL = env_str("CAMPUS_POD_SECURITY_LEVEL", "restricted")
CAMPUS_INGRESS_NAMESPACES = env_list("CAMPUS_INGRESS_NAMESPACES", ["ingress-nginx"])
CAMPUS_MONITORING_NAMESPACES = env_list("CAMPUS_MONITORING_NAMESPACES", ["monitoring"])
CAMPUS_MAX_NAMESPACE_DELETIONS = env_int("CAMPUS_MAX_NAMESPACE_DELETIONS", 10)
CAMPUS_MAX_NAMESPACE_DELETION_PERCENT = env_int("CAMPUS_MAX_NAMESPACE_DELETION_PERCENT", 10)
# The access guard: a sync that would take roles from more people than either is held (up to 5 always pass).
CAMPUS_MAX_ACCESS_REMOVALS = env_int("CAMPUS_MAX_ACCESS_REMOVALS", 50)
CAMPUS_MAX_ACCESS_REMOVAL_PERCENT = env_int("CAMPUS_MAX_ACCESS_REMOVAL_PERCENT", 10)
# The protecting admission webhook: kube-apiserver presents this bearer token; only this user may change or delete
# what campus manages (campus's own service account, as the API server names it).
CAMPUS_ADMISSION_SECRET = env_str("CAMPUS_ADMISSION_SECRET")
CAMPUS_KUBE_USERNAME = env_str("CAMPUS_KUBE_USERNAME", "system:serviceaccount:campus-system:campus")

# --- campus's own traces (OpenCensus to a Zipkin v2 endpoint; empty: off) ----------------------------------------
CAMPUS_TELEMETRY_ZIPKIN_URL = env_str("CAMPUS_TELEMETRY_ZIPKIN_URL")
CAMPUS_TELEMETRY_SAMPLE_RATE = float(env_str("CAMPUS_TELEMETRY_SAMPLE_RATE", "0.1"))
CAMPUS_TELEMETRY_SYNC_EXPORT = False  # tests turn it on to read spans back at once

# --- tracing injected into tenants' pods (deploy/tracing-webhook.yaml) ------------------------------------------------
# The cluster's trace backend's Zipkin v2 API (Zipkin, Jaeger's Zipkin endpoint, Tempo): the portal's Traces view.
CAMPUS_TRACING_QUERY_URL = env_str("CAMPUS_TRACING_QUERY_URL", "http://zipkin.monitoring.svc:9411")
CAMPUS_TRACING_COLLECTOR_URL = env_str("CAMPUS_TRACING_COLLECTOR_URL", "http://otel-collector.monitoring.svc:4318")
# "otlp" (to the collector above) or "zipkin" (the URL is then a Zipkin spans endpoint: demo and tests only, since
# without the collector a span's namespace is what the pod claims).
CAMPUS_TRACING_EXPORTER = env_str("CAMPUS_TRACING_EXPORTER", "otlp")
# Sampling ratio per tier, "tier=ratio,…".
CAMPUS_TRACING_SAMPLE_RATIOS = dict(item.split("=", 1) for item in env_list(
    "CAMPUS_TRACING_SAMPLE_RATIOS", ["student=0.1", "course=0.2", "research=1", "gpu=0.5"]))
CAMPUS_TRACING_PYTHON_IMAGE = env_str(
    "CAMPUS_TRACING_PYTHON_IMAGE", "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-python:0.59b0")
CAMPUS_TRACING_NODEJS_IMAGE = env_str(
    "CAMPUS_TRACING_NODEJS_IMAGE", "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-nodejs:0.64.1")

# --- kubectl access -----------------------------------------------------------------------------------------------
CAMPUS_TOKEN_LIFETIME_HOURS = env_int("CAMPUS_TOKEN_LIFETIME_HOURS", 12)
# What goes into the kubeconfig students download: the API server URL they reach and its CA (PEM file).
CAMPUS_CLUSTER_NAME = env_str("CAMPUS_CLUSTER_NAME", "campus")
CAMPUS_KUBE_PUBLIC_URL = env_str("CAMPUS_KUBE_PUBLIC_URL", "https://kubernetes.example.edu:6443")
CAMPUS_KUBE_PUBLIC_CA_FILE = env_str("CAMPUS_KUBE_PUBLIC_CA_FILE")
# kube-apiserver presents this bearer token when it calls campus's TokenReview webhook.
CAMPUS_TOKENREVIEW_SECRET = env_str("CAMPUS_TOKENREVIEW_SECRET")

# --- requests and expiry ---------------------------------------------------------------------------------------------
# Where people reach campus: links in mails point here.
CAMPUS_PUBLIC_URL = env_str("CAMPUS_PUBLIC_URL", "http://127.0.0.1:8000")
# The term calendar "START..END,START..END" (ISO dates); empty: winter 1 Oct–31 Mar and summer 1 Apr–30 Sep.
CAMPUS_TERMS = env_str("CAMPUS_TERMS")
# A user with fewer requested project namespaces than this gets the next one approved at once.
CAMPUS_AUTO_APPROVED_NAMESPACES = env_int("CAMPUS_AUTO_APPROVED_NAMESPACES", 2)
# Expiry and reclamation (README, "Configuration": requests and expiry).
CAMPUS_IDLE_DAYS = env_int("CAMPUS_IDLE_DAYS", 60)
CAMPUS_WARNING_DAYS = [int(days) for days in env_list("CAMPUS_WARNING_DAYS", ["14", "3", "1"])]
CAMPUS_GRACE_DAYS = env_int("CAMPUS_GRACE_DAYS", 30)
CAMPUS_MAX_EXTENSIONS = env_int("CAMPUS_MAX_EXTENSIONS", 2)
CAMPUS_EXTENSION_DAYS = env_int("CAMPUS_EXTENSION_DAYS", 30)
CAMPUS_LATEST_EXTENSION_MONTHS = env_int("CAMPUS_LATEST_EXTENSION_MONTHS", 12)
CAMPUS_RECLAIM_MAX_SUSPENSIONS = env_int("CAMPUS_RECLAIM_MAX_SUSPENSIONS", 25)
CAMPUS_RECLAIM_MAX_DELETIONS = env_int("CAMPUS_RECLAIM_MAX_DELETIONS", 10)
CAMPUS_ARCHIVE_DIR = env_str("CAMPUS_ARCHIVE_DIR", "/var/lib/campus/archive")

EMAIL_BACKEND = env_str("CAMPUS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("CAMPUS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CAMPUS_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("CAMPUS_FROM_EMAIL", "campus@campus.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CAMPUS_LOG_LEVEL", "INFO")},
    "loggers": {"ldap3": {"level": "WARNING"}},
}
