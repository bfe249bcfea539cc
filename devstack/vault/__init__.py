"""A HashiCorp Vault stand-in (HTTP API v1, the subset hvac and campus use) backed by a real PostgreSQL."""

from devstack.vault.clock import ManualClock
from devstack.vault.server import VaultServer

__all__ = ["ManualClock", "VaultServer"]
