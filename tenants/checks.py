"""System checks for the settings that can be wrong at start (README, "Configuration").

`manage.py check` runs them, and so does every other management command (`migrate`, `sync`, `reclaim`): a
wrong value stops the command with the setting named and how to fix it, instead of failing later in a sync or
a mail. Pure reads of `django.conf.settings`: no network, no database.

Ids are stable (silence one with SILENCED_SYSTEM_CHECKS only if you know why):
E001–E003 CAMPUS_TERMS · E004–E006 expiry numbers and guard percentages · E007–E010 CAMPUS_NAMESPACE_PREFIXES ·
E011–E013 URLs · E014 CAMPUS_GITLAB_ROOTS.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from tenants.engine.config import TenancyConfig
from tenants.lifecycle.rules import parse_terms

TAG = "campus"
TERMS_FORMAT = "START..END,START..END with ISO dates, e.g. 2026-10-01..2027-03-31,2027-04-01..2027-09-30"
# A prefix is the start of a DNS-1123 label: lowercase letters, digits and '-', beginning with a letter or digit;
# it must leave room in the 63 characters for the name itself and the 9-character hash campus may append.
PREFIX = re.compile(r"^[a-z0-9][-a-z0-9]*$")
MAX_PREFIX_LENGTH = 63 - 9 - 1
URL_SETTINGS = ("CAMPUS_PUBLIC_URL", "CAMPUS_GITLAB_URL", "CAMPUS_KUBE_API_URL", "CAMPUS_KUBE_PUBLIC_URL")
# Links are built as URL + path, so a trailing '/' doubles the slash (python-gitlab strips it, kubectl cleans it).
NO_TRAILING_SLASH = ("CAMPUS_PUBLIC_URL", "CAMPUS_KUBE_API_URL")
HTTPS_ONLY = ("CAMPUS_KUBE_API_URL", "CAMPUS_KUBE_PUBLIC_URL")  # bearer tokens travel there


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register(TAG)
def check_terms(app_configs=None, **kwargs) -> list[Error]:
    spec = settings.CAMPUS_TERMS
    if not spec:
        return []  # the default semesters
    hint = f"Set CAMPUS_TERMS to {TERMS_FORMAT}, or leave it empty for winter 1 Oct–31 Mar and summer 1 Apr–30 Sep."
    if not isinstance(spec, str):
        return [Error(f"CAMPUS_TERMS must be a string, not {type(spec).__name__}.", hint=hint, id="campus.E001")]
    errors, terms = [], []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            terms += parse_terms(part)
        except ValueError as error:
            # A term whose dates parse when swapped only has them in the wrong order.
            try:
                parse_terms("..".join(reversed(part.split(".."))))
            except ValueError:
                errors.append(Error(f"CAMPUS_TERMS: {error}.", hint=hint, id="campus.E001"))
            else:
                errors.append(Error(f"CAMPUS_TERMS: {error}.", hint="Put each term's first day before its last "
                                    "day (START..END, both days included).", id="campus.E002"))
    if not errors and not terms:
        errors.append(Error(f"CAMPUS_TERMS is {spec!r}, which has no term in it.", hint=hint, id="campus.E001"))
    terms.sort(key=lambda term: term.start)
    for earlier, later in zip(terms, terms[1:], strict=False):
        if later.start <= earlier.end:
            errors.append(Error(
                f"CAMPUS_TERMS: the terms {earlier.start}..{earlier.end} and {later.start}..{later.end} overlap.",
                hint="Each day belongs to at most one term: start a term after the previous one's last day "
                     "(both days of START..END are included).", id="campus.E003"))
    return errors


@register(TAG)
def check_expiry_numbers(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    warning_days = settings.CAMPUS_WARNING_DAYS
    if isinstance(warning_days, str) or not all(_is_whole(d) and d > 0 for d in _iterable(warning_days)):
        errors.append(Error(
            f"CAMPUS_WARNING_DAYS must be positive whole numbers of days, not {warning_days!r}.",
            hint="Set CAMPUS_WARNING_DAYS to comma-separated days before suspension, e.g. 14,3,1.",
            id="campus.E004"))
    for name, meaning in (("CAMPUS_GRACE_DAYS", "days a namespace stays suspended before it is archived"),
                          ("CAMPUS_IDLE_DAYS", "days without activity before a personal namespace expires"),
                          ("CAMPUS_EXTENSION_DAYS", "days one extension adds")):
        value = getattr(settings, name)
        if not (_is_whole(value) and value > 0):
            errors.append(Error(f"{name} must be a positive whole number of days, not {value!r}.",
                                hint=f"Set {name} to the {meaning} (1 or more), or unset it for the default.",
                                id="campus.E005"))
    for name in ("CAMPUS_MAX_ACCESS_REMOVAL_PERCENT", "CAMPUS_MAX_NAMESPACE_DELETION_PERCENT"):
        value = getattr(settings, name)
        if not (isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100):
            errors.append(Error(f"{name} must be a percentage from 0 to 100, not {value!r}.",
                                hint=f"Set {name} to a number from 0 to 100 (default 10).", id="campus.E006"))
    return errors


def _iterable(value):
    try:
        return list(value)
    except TypeError:
        return [None]  # not a list at all: reported as not whole numbers


@register(TAG)
def check_namespace_prefixes(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    prefixes = settings.CAMPUS_NAMESPACE_PREFIXES
    reserved = TenancyConfig().reserved_prefixes
    seen: dict[str, str] = {}
    for kind, prefix in prefixes.items():
        variable = f"CAMPUS_NAMESPACE_PREFIX_{kind.upper()}"
        if not prefix:
            errors.append(Error(
                f"{variable} (CAMPUS_NAMESPACE_PREFIXES[{kind!r}]) is empty: {kind} namespaces would be named "
                "like the cluster's own and other kinds'.",
                hint=f"Set {variable} to a short prefix such as {TenancyConfig().prefixes.get(kind, 'x-')!r}, or "
                     "unset it for the default.", id="campus.E007"))
            continue
        if not isinstance(prefix, str) or not PREFIX.match(prefix) or len(prefix) > MAX_PREFIX_LENGTH:
            errors.append(Error(
                f"{variable} (CAMPUS_NAMESPACE_PREFIXES[{kind!r}]) is {prefix!r}, which cannot start a namespace "
                "name (a DNS-1123 label).",
                hint=f"Use lowercase letters, digits and '-', starting with a letter or digit, at most "
                     f"{MAX_PREFIX_LENGTH} characters, e.g. 'u-'.", id="campus.E008"))
            continue
        if prefix in seen:
            errors.append(Error(
                f"{variable} is {prefix!r}, the same prefix as CAMPUS_NAMESPACE_PREFIX_{seen[prefix].upper()}.",
                hint="Give each kind of namespace (personal, group, project, requested) its own prefix.",
                id="campus.E009"))
        seen.setdefault(prefix, kind)
        if prefix.startswith(reserved):
            errors.append(Error(
                f"{variable} is {prefix!r}, which starts with a reserved prefix ({', '.join(reserved)}): every "
                f"{kind} namespace name would be reserved.",
                hint=f"Choose a prefix that does not start with {', '.join(reserved)}.", id="campus.E010"))
    return errors


def _url_problem(value) -> str | None:
    """What keeps `value` from being an absolute http(s) URL (None when it is one)."""
    if not isinstance(value, str) or not value:
        return "is empty" if not value else f"is a {type(value).__name__}, not a URL"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return f"is {value!r}, which is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"is {value!r}, not an absolute http:// or https:// URL with a host"
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return f"is {value!r}, which has a query or fragment (campus appends paths to it)"
    return None


@register(TAG)
def check_urls(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    demo = settings.DEMO or settings.DEBUG  # as campus/settings.py relaxes secure cookies
    for name in URL_SETTINGS:
        value = getattr(settings, name)
        problem = _url_problem(value)
        if problem:
            errors.append(Error(f"{name} {problem}.", hint=f"Set {name} to an absolute URL such as "
                                f"{_example(name)!r}.", id="campus.E011"))
            continue
        if name in NO_TRAILING_SLASH and value.endswith("/"):
            errors.append(Error(f"{name} is {value!r}: it must not end with '/' (campus appends paths to it).",
                                hint=f"Set {name} to {value.rstrip('/')!r}.", id="campus.E012"))
        if name in HTTPS_ONLY and urlsplit(value).scheme != "https" and not demo:
            errors.append(Error(
                f"{name} is {value!r}: the Kubernetes API server must be reached over https (tokens are sent to it).",
                hint=f"Use the API server's https:// URL (e.g. {_example(name)!r}); plain http is allowed only with "
                     "CAMPUS_DEMO=1 or CAMPUS_DEBUG=1.", id="campus.E013"))
    return errors


def _example(name: str) -> str:
    return {"CAMPUS_PUBLIC_URL": "https://campus.example.edu", "CAMPUS_GITLAB_URL": "https://gitlab.example.edu",
            "CAMPUS_KUBE_API_URL": "https://kubernetes.default.svc",
            "CAMPUS_KUBE_PUBLIC_URL": "https://kubernetes.example.edu:6443"}[name]


@register(TAG)
def check_gitlab_roots(app_configs=None, **kwargs) -> list[Error]:
    if settings.CAMPUS_GITLAB_URL and not settings.CAMPUS_GITLAB_ROOTS:
        return [Error(
            "CAMPUS_GITLAB_ROOTS is empty while CAMPUS_GITLAB_URL is set: no GitLab group would become a namespace, "
            "and a resync would want to delete every group and project namespace.",
            hint="Set CAMPUS_GITLAB_ROOTS to the comma-separated top-level GitLab groups, e.g. courses,teams.",
            id="campus.E014")]
    return []
