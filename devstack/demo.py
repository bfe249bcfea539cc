"""`make demo`: campus at http://127.0.0.1:PORT on the whole development stack; Ctrl-C stops it all.

Starts a real slapd and PostgreSQL, the Kubernetes, GitLab and Vault stand-ins seeded as a small university,
and campus under gunicorn. Writes `.demo/kubeconfig` (admin) and `.demo/accounts.txt`. State lives under
.demo/ and is rebuilt on every start.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import hvac
import yaml

from devstack.directory import ADMINS_GROUP, STAFF_GROUP, STUDENTS_GROUP, Directory
from devstack.gitlab.seed import seed
from devstack.gitlab.server import GitLabServer
from devstack.kube.cluster import Cluster
from devstack.net import wait_for_port
from devstack.postgres import PostgresServer
from devstack.slapd import Slapd
from devstack.tls import make_server_certificate
from devstack.traces.server import TraceServer
from devstack.university import COURSES_ROOT, demo_directory, gitlab_spec
from devstack.vault.server import VaultServer
from devstack.wiring import campus_environment, create_database

PROTECT_SERVICE = ("campus-system", "campus", 443)  # what the demo's campus stands in for

ROOT = Path(__file__).resolve().parent.parent


def accounts_text(directory: Directory, urls: dict[str, str], secrets_: dict[str, str]) -> str:
    by_uid = {p.uid: p for p in directory.people}
    lines = ["campus demo", ""]
    lines += [f"{name:11} {url}" for name, url in urls.items()]
    lines += ["", "Accounts (password: <username>-pw)"]
    for title, group in (("admin", ADMINS_GROUP), ("staff", STAFF_GROUP), ("students", STUDENTS_GROUP)):
        uids = directory.groups[group]
        shown = uids if len(uids) <= 5 else [*uids[:5], f"... {uids[-1]} ({len(uids)} in all)"]
        lines.append(f"{title:11} " + ", ".join(f"{u} / {by_uid[u].password}" if u in by_uid else u for u in shown))
    lines.append("no role     guest.visitor / guest.visitor-pw (valid account, refused by campus)")
    lines += ["", "Local-only secrets of the stand-ins"]
    lines += [f"{name:11} {value}" for name, value in secrets_.items()]
    lines += ["", "kubectl --kubeconfig .demo/kubeconfig get namespaces"]
    return "\n".join(lines) + "\n"


def seed_vault(vault: VaultServer, postgres: PostgresServer) -> None:
    """The database engine, pointed at the tenants' PostgreSQL, with one role for the demo's first team."""
    client = hvac.Client(url=vault.url, token=vault.root_token)
    client.sys.enable_secrets_engine("database", path="database")
    client.secrets.database.configure(
        name="tenants", plugin_name="postgresql-database-plugin", allowed_roles=["*"],
        connection_url=f"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{postgres.port}/tenants",
        username=postgres.user, password=postgres.password)
    client.secrets.database.create_role(
        name="course-1-team-1", db_name="tenants", default_ttl="1h", max_ttl="24h",
        creation_statements=["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' "
                             "VALID UNTIL '{{expiration}}';"])


def run(port: int, demo_dir: Path) -> int:
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir(parents=True)
    directory = demo_directory()
    campus_url = f"http://127.0.0.1:{port}"
    webhook_secret, tokenreview_secret, admission_secret = (secrets.token_urlsafe(16) for _ in range(3))
    admin_token, gitlab_token, vault_token = (secrets.token_urlsafe(20) for _ in range(3))
    with contextlib.ExitStack() as stack:
        ldap = stack.enter_context(Slapd(directory, base_dir=str(demo_dir / "slapd")))
        postgres = stack.enter_context(PostgresServer(base_dir=str(demo_dir / "postgres")))
        create_database(postgres, "campus")
        create_database(postgres, "tenants")
        gitlab = stack.enter_context(GitLabServer(token=gitlab_token))
        seed(gitlab.model, gitlab_spec(directory))
        gitlab.add_system_hook(f"{campus_url}/gitlab/hook", webhook_secret)
        kube = stack.enter_context(Cluster(
            admin_token=admin_token, tls=make_server_certificate(demo_dir / "kube-tls"),
            webhook_url=f"{campus_url}/kubernetes/tokenreview", webhook_token=tokenreview_secret,
            state_file=demo_dir / "kube-state.json", admission_webhook_token=admission_secret,
            webhook_services={PROTECT_SERVICE: campus_url}))
        kube.write_kubeconfig(demo_dir / "kubeconfig")
        vault = stack.enter_context(VaultServer(root_token=vault_token))
        traces = stack.enter_context(TraceServer())
        seed_vault(vault, postgres)

        env = {**os.environ, **campus_environment(ldap, postgres), **{
            "CAMPUS_KUBE_PUBLIC_URL": kube.url, "CAMPUS_KUBE_PUBLIC_CA_FILE": str(kube.server.tls.ca_cert),
            "CAMPUS_TOKENREVIEW_SECRET": tokenreview_secret,
            "CAMPUS_ADMISSION_SECRET": admission_secret, "CAMPUS_KUBE_USERNAME": kube.campus_user.username,
            "CAMPUS_GITLAB_WEBHOOK_SECRET": webhook_secret,
            "CAMPUS_GITLAB_URL": gitlab.url, "CAMPUS_GITLAB_TOKEN": gitlab_token, "CAMPUS_GITLAB_ROOTS": COURSES_ROOT,
            "CAMPUS_KUBE_API_URL": kube.url, "CAMPUS_KUBE_TOKEN": admin_token,
            "CAMPUS_KUBE_CA_FILE": str(kube.server.tls.ca_cert),
            "CAMPUS_PUBLIC_URL": campus_url, "CAMPUS_ARCHIVE_DIR": str(demo_dir / "archive"),
            "CAMPUS_TRACING_QUERY_URL": traces.url, "CAMPUS_TRACING_EXPORTER": "zipkin",
            "CAMPUS_TRACING_COLLECTOR_URL": traces.spans_url,
        }}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        # The first resync turns the seeded GitLab into namespaces; later changes arrive as system hooks.
        subprocess.run([sys.executable, "manage.py", "sync"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "manage.py", "reclaim"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "campus/gunicorn.conf.py",
                                "--bind", f"127.0.0.1:{port}", "--workers", "2"], cwd=ROOT, env=env)
        stack.callback(_stop, web)
        wait_for_port(port, timeout=30, process=web)
        register_webhooks(kube)  # once campus answers: the protecting one refuses every write while it cannot be asked
        urls = {"campus": campus_url, "kubernetes": kube.url, "gitlab": gitlab.url, "vault": vault.url,
                "traces": traces.url,
                "ldap": ldap.uri, "postgres": f"127.0.0.1:{postgres.port}"}
        accounts = accounts_text(directory, urls, {
            "gitlab": f"PRIVATE-TOKEN {gitlab_token} (root); groups under {COURSES_ROOT}/",
            "vault": f"X-Vault-Token {vault_token} (root)",
            "kubernetes": "admin token in .demo/kubeconfig",
        })
        (demo_dir / "accounts.txt").write_text(accounts)
        print(f"\n{accounts}\nCtrl-C stops every process the demo started.", flush=True)
        return web.wait()


def register_webhooks(kube: Cluster) -> None:
    """deploy/'s admission webhooks, reaching the demo's campus as its Service would in the cluster."""
    namespace, name, port = PROTECT_SERVICE
    for manifest, kind, path in (("protect-webhook.yaml", "ValidatingWebhookConfiguration", "protect"),
                                 ("tracing-webhook.yaml", "MutatingWebhookConfiguration", "pods")):
        config = yaml.safe_load((ROOT / "deploy" / manifest).read_text())
        config["webhooks"][0]["clientConfig"] = {"service": {"namespace": namespace, "name": name, "port": port,
                                                             "path": f"/kubernetes/admission/{path}"}}
        kube.store.create(kube.store.resource_for("admissionregistration.k8s.io/v1", kind), "", config)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=ROOT / ".demo")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM as on Ctrl-C
    try:
        sys.exit(run(args.port, args.dir))
    except KeyboardInterrupt:
        print("\ncampus demo stopped.")


if __name__ == "__main__":
    main()
