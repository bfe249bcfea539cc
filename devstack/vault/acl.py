"""ACL policies as Vault evaluates them: HCL (or JSON) path rules, globs, merging and priority matching.

Rules for the same path string in several policies merge (capabilities union, `deny` wins). For a request path an
exact rule wins; otherwise, of all glob (`*` suffix) and segment-wildcard (`+`) rules that match, the one with the
highest priority decides, by Vault's documented order: the first wildcard later in the path, then no trailing `*`,
then fewer `+` segments, then the longer pattern, then the lexicographically larger one.
"""

import json
import re
from dataclasses import dataclass

from devstack.vault import errors
from devstack.vault.hcl import HclError, parse

CAPABILITIES = ("create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe")
# The pre-0.9 `policy = "..."` shorthand, still accepted by Vault.
_LEGACY_POLICY = {
    "deny": {"deny"},
    "read": {"read", "list"},
    "write": {"create", "read", "update", "delete", "list"},
    "sudo": {"create", "read", "update", "delete", "list", "sudo"},
}

DEFAULT_POLICY_HCL = '''# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to renew a lease via lease_id in the request body; old path for
# old clients, new path for newer
path "sys/renew" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}

# Allow looking up lease properties. This requires knowing the lease ID ahead
# of time and does not divulge any sensitive information.
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
'''


@dataclass(frozen=True)
class PathRule:
    pattern: str
    capabilities: frozenset[str]


@dataclass(frozen=True)
class Policy:
    name: str
    text: str
    rules: tuple[PathRule, ...]


def parse_policy(name: str, text: str) -> Policy:
    """A 400 "failed to parse policy: ..." for anything Vault would refuse."""
    try:
        blocks = _path_blocks(text)
        rules = tuple(_rule(pattern, body) for pattern, body in blocks)
    except (HclError, ValueError) as problem:
        raise errors.bad_request(f"failed to parse policy: {problem}") from None
    return Policy(name, text, rules)


def _path_blocks(text: str) -> list[tuple[str, dict]]:
    if text.lstrip().startswith("{"):
        document = json.loads(text)
        paths = document.get("path", {})
        return list(paths.items()) if isinstance(paths, dict) else []
    blocks = []
    for key, labels, body in parse(text):
        if key != "path":
            continue
        if len(labels) == 1 and isinstance(body, dict):
            blocks.append((labels[0], body))
        elif not labels and isinstance(body, dict):
            blocks.extend(body.items())
        else:
            raise ValueError("path blocks need exactly one path")
    return blocks


def _rule(pattern: str, body: dict) -> PathRule:
    capabilities = set(body.get("capabilities") or [])
    unknown = sorted(capabilities - set(CAPABILITIES))
    if unknown:
        raise ValueError(f'path "{pattern}": invalid capability "{unknown[0]}"')
    legacy = body.get("policy")
    if legacy is not None:
        if legacy not in _LEGACY_POLICY:
            raise ValueError(f'path "{pattern}": invalid policy "{legacy}"')
        capabilities |= _LEGACY_POLICY[legacy]
    if "deny" in capabilities:
        capabilities = {"deny"}
    return PathRule(pattern.lstrip("/"), frozenset(capabilities))


def _matcher(pattern: str) -> re.Pattern:
    glob = pattern.endswith("*")
    stem = pattern[:-1] if glob else pattern
    parts = ["[^/]*" if segment == "+" else re.escape(segment) for segment in stem.split("/")]
    return re.compile("/".join(parts) + (".*" if glob else ""), re.DOTALL)


def _priority(pattern: str) -> tuple:
    """Bigger is more specific, following Vault's "priority matching" rules in order."""
    positions = [i for i, char in enumerate(pattern) if char == "*"]
    positions += [i for i, segment in _segment_offsets(pattern) if segment == "+"]
    first_wildcard = min(positions) if positions else len(pattern)
    plus_segments = sum(1 for segment in pattern.split("/") if segment == "+")
    return (first_wildcard, not pattern.endswith("*"), -plus_segments, len(pattern), pattern)


def _segment_offsets(pattern: str):
    offset = 0
    for segment in pattern.split("/"):
        yield offset, segment
        offset += len(segment) + 1


class ACL:
    """The merged rules of a token's policies. `root` allows everything, sudo included."""

    def __init__(self, policies: list[Policy]):
        self.root = any(policy.name == "root" for policy in policies)
        merged: dict[str, set[str]] = {}
        for policy in policies:
            for rule in policy.rules:
                capabilities = merged.setdefault(rule.pattern, set())
                capabilities |= rule.capabilities
        for capabilities in merged.values():
            if "deny" in capabilities:
                capabilities.intersection_update({"deny"})
        self._exact = {p: frozenset(c) for p, c in merged.items() if not _is_wildcard(p)}
        self._wildcards = [(_matcher(p), _priority(p), frozenset(c)) for p, c in merged.items() if _is_wildcard(p)]

    def capabilities(self, path: str) -> frozenset[str]:
        """What the rules grant on `path`; empty means no rule matched (an implicit deny)."""
        if self.root:
            return frozenset({"root"})
        if path in self._exact:
            return self._exact[path]
        if path.endswith("/") and path[:-1] in self._exact:
            return self._exact[path[:-1]]
        best = max((m for m in self._wildcards if m[0].fullmatch(path)), key=lambda m: m[1], default=None)
        return best[2] if best else frozenset()

    def allows(self, path: str, capability: str, sudo: bool = False) -> bool:
        granted = self.capabilities(path)
        if "root" in granted:
            return True
        if "deny" in granted or capability not in granted:
            return False
        return not sudo or "sudo" in granted


def _is_wildcard(pattern: str) -> bool:
    return pattern.endswith("*") or "+" in pattern.split("/")
