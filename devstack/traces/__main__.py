"""`python -m devstack.traces --port N [--max-spans N]`: a Zipkin v2 trace backend on loopback until Ctrl-C."""

import argparse
import signal
import threading

from devstack.traces.server import TraceServer
from devstack.traces.store import DEFAULT_MAX_SPANS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (Zipkin's own is 9411)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--max-spans", type=int, default=DEFAULT_MAX_SPANS,
                        help="spans kept before the oldest traces are dropped")
    args = parser.parse_args()
    server = TraceServer(port=args.port, host=args.host, max_spans=args.max_spans)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with server:
        print(f"Trace backend stand-in (Zipkin v2): {server.url}/api/v2, reporters POST to {server.spans_url}",
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Trace backend stand-in stopped.", flush=True)


if __name__ == "__main__":
    main()
