"""`python -m devstack.gitlab --port N --token T [--seed spec.json] [--system-hook URL]`: runs until Ctrl-C."""

import argparse
import json
import signal
import threading

from devstack.gitlab.seed import seed, university_spec
from devstack.gitlab.server import GitLabServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", required=True, help="the admin user's personal access token")
    parser.add_argument("--seed", help="JSON file in the devstack.gitlab.seed spec format")
    parser.add_argument("--university", action="store_true", help="seed the default small university")
    parser.add_argument("--system-hook", help="register a system hook posting to this URL")
    parser.add_argument("--system-hook-token", help="secret sent as X-Gitlab-Token with every system hook")
    args = parser.parse_args()
    server = GitLabServer(token=args.token, port=args.port)
    if args.seed:
        with open(args.seed) as spec:
            seed(server.model, json.load(spec))
    if args.university:
        seed(server.model, university_spec())
    if args.system_hook:
        server.add_system_hook(args.system_hook, args.system_hook_token)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with server:
        print(f"GitLab stand-in: {server.url}/api/v4 (admin user root)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("GitLab stand-in stopped.", flush=True)


if __name__ == "__main__":
    main()
