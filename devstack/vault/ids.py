"""Identifiers in Vault's shapes: `hvs.` service tokens, base62 lease suffixes and accessors, request UUIDs."""

import secrets
import string
import uuid

BASE62 = string.ascii_letters + string.digits


def base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def service_token() -> str:
    return "hvs." + base62(24)


def uuid4() -> str:
    return str(uuid.uuid4())
