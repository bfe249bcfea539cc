"""Vault's error replies: `{"errors": [...]}` with the status code the real server picks."""


class VaultError(Exception):
    def __init__(self, status: int, *messages: str):
        super().__init__(messages[0] if messages else str(status))
        self.status = status
        self.messages = list(messages)


def _multierror(*messages: str) -> str:
    """go-multierror's text, which Vault sends as one string when several errors are joined."""
    items = "".join(f"\t* {message}\n" for message in messages)
    noun = "error" if len(messages) == 1 else "errors"
    return f"{len(messages)} {noun} occurred:\n{items}\n"


def bad_request(message: str) -> VaultError:
    return VaultError(400, message)


def permission_denied() -> VaultError:
    return VaultError(403, "permission denied")


def invalid_token() -> VaultError:
    """A revoked, expired or unknown token (documented since Vault 1.16: both messages, one 403)."""
    return VaultError(403, _multierror("permission denied", "invalid token"))


def not_found() -> VaultError:
    """A read of nothing, or a LIST with no keys: 404 and an empty error list."""
    return VaultError(404)


def no_handler(path: str) -> VaultError:
    return VaultError(404, f'no handler for route "{path}". route entry not found.')


def unsupported_operation() -> VaultError:
    return VaultError(405, _multierror("unsupported operation"))


def internal(message: str) -> VaultError:
    return VaultError(500, message)


def sealed() -> VaultError:
    return VaultError(503, "Vault is sealed")
