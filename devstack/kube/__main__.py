"""python -m devstack.kube --port 6443 --admin-token T --webhook-url U --kubeconfig PATH [--tls-dir DIR] ..."""

import argparse
import signal
import threading
from pathlib import Path

from devstack.kube.cluster import Cluster
from devstack.tls import make_server_certificate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.kube", description="Kubernetes API stand-in")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--admin-token", required=True, help="campus's service account token (cluster-admin)")
    parser.add_argument("--webhook-url", help="TokenReview webhook for every other token (campus serves it)")
    parser.add_argument("--webhook-token", help="bearer token the API server presents to the webhook")
    parser.add_argument("--webhook-ca", help="CA file to verify an https webhook")
    parser.add_argument("--webhook-cache-ttl", type=float, default=120.0,
                        help="seconds to cache an authenticated answer")
    parser.add_argument("--kubeconfig", type=Path, help="write an admin kubeconfig here")
    parser.add_argument("--tls-dir", type=Path, help="serve https with a fresh CA and certificate made in this folder")
    parser.add_argument("--state-file", type=Path, help="keep the cluster's objects in this JSON file")
    args = parser.parse_args(argv)

    tls = make_server_certificate(args.tls_dir) if args.tls_dir else None
    cluster = Cluster(admin_token=args.admin_token, webhook_url=args.webhook_url, webhook_token=args.webhook_token,
                      webhook_ca_file=args.webhook_ca, webhook_cache_ttl=args.webhook_cache_ttl, tls=tls,
                      state_file=args.state_file, port=args.port)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    with cluster:
        if args.kubeconfig:
            cluster.write_kubeconfig(args.kubeconfig)
        print(f"Kubernetes API stand-in at {cluster.url}", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
