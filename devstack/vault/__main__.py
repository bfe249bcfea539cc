"""`python -m devstack.vault --port N --root-token T`: the Vault stand-in until Ctrl-C."""

import argparse
import signal
import threading

from devstack.vault.server import VaultServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--root-token", required=True, help="the root token (X-Vault-Token)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with VaultServer(root_token=args.root_token, port=args.port) as server:
        print(f"Vault stand-in: {server.url} (VAULT_ADDR)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Vault stand-in stopped.", flush=True)


if __name__ == "__main__":
    main()
