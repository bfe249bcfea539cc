"""Issuing a kubeconfig: a fresh token for the user, and the file that names the cluster, its CA and the user's
default namespace."""

from pathlib import Path

from django.contrib.auth.models import User

from tenants.access.rules import render_kubeconfig
from tenants.access.tokens import mint_token
from tenants.infra.settings import cluster_for_kubeconfig
from tenants.selectors.namespaces import default_namespace_of


def issue_kubeconfig(user: User, label: str = "") -> tuple[str, str]:
    """(file name, kubeconfig YAML); the token in it is shown this once and stored only as a hash."""
    token, _ = mint_token(user, label=label)
    cluster_name, server, ca_file = cluster_for_kubeconfig()
    kubeconfig = render_kubeconfig(cluster_name, server, Path(ca_file).read_text() if ca_file else "",
                                   user.username, token, namespace=default_namespace_of(user))
    return f"{cluster_name}-kubeconfig.yaml", kubeconfig
