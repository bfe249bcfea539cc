"""Namespace names from GitLab paths and usernames. Pure.

A name is a DNS-1123 label of at most 63 characters, never reserved, never shared. Once assigned it is kept:
renames and transfers change labels, never the name (workloads survive).
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tenants.engine.config import TenancyConfig

MAX_LENGTH = 63
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue",
                                  "æ": "ae", "ø": "oe", "å": "aa", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"})
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True, order=True)
class EntityKey:
    kind: str  # "personal" (id = campus user id), "requested" (id = campus record id), "group" or "project" (GitLab id)
    id: int


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", ascii_only)).strip("-")


def _digest(key: EntityKey, length: int = 6) -> str:
    return hashlib.sha256(f"{key.kind}:{key.id}".encode()).hexdigest()[:length]


def _with_suffix(base: str, suffix: str) -> str:
    return f"{base[:MAX_LENGTH - len(suffix) - 1].rstrip('-')}-{suffix}"


def is_valid_name(name: str) -> bool:
    return len(name) <= MAX_LENGTH and bool(_LABEL.match(name))


def is_reserved(name: str, config: TenancyConfig) -> bool:
    return name in config.reserved_names or name.startswith(config.reserved_prefixes)


def _fit(key: EntityKey, base: str) -> str:
    return base if len(base) <= MAX_LENGTH else _with_suffix(base, _digest(key, 8))


def preferred_name(key: EntityKey, path: str, config: TenancyConfig) -> str:
    """The name an entity would get on its own: prefix + slug, shortened with a stable hash when too long."""
    return _fit(key, f"{config.prefixes[key.kind]}{slug(path) or 'x'}".strip("-"))


def assign_names(entities: Iterable[tuple[EntityKey, str]], existing: Mapping[EntityKey, str],
                 config: TenancyConfig, unavailable: Iterable[str] = ()) -> dict[EntityKey, str]:
    """Names for every entity: the stored one if it has one, else its preferred name, else that name with a
    suffix derived from its key. `unavailable`: names taken by namespaces campus does not own. Deterministic
    whatever the input order."""
    taken = set(existing.values()) | set(unavailable)
    names = {}
    for key, path in sorted(entities):
        if key in existing:
            names[key] = existing[key]
            continue
        name = preferred_name(key, path, config)
        if is_reserved(name, config):  # a suffix cannot cure a reserved prefix such as kube-
            name = _fit(key, f"{key.kind}-{name}")
        if name in taken or is_reserved(name, config):
            name = _with_suffix(name, _digest(key))
        n = 1
        while name in taken:  # only with adversarial paths; still deterministic
            name = _with_suffix(name, f"{_digest(key)}{n}")
            n += 1
        names[key] = name
        taken.add(name)
    return names
