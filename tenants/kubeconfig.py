"""A kubeconfig for a student: the cluster's public URL and CA, and a campus token. Pure."""

import base64

import yaml


def render_kubeconfig(cluster_name: str, server: str, ca_pem: str, username: str, token: str,
                      namespace: str = "") -> str:
    cluster = {"server": server}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem.encode()).decode()
    context = {"cluster": cluster_name, "user": username}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": username, "user": {"token": token}}],
        "contexts": [{"name": cluster_name, "context": context}],
        "current-context": cluster_name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)
