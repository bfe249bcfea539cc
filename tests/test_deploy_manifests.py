"""The manifests in deploy/ run what exists, with the settings campus reads, as the restricted profile requires."""

from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SETTINGS = (Path(__file__).resolve().parent.parent / "campus" / "settings.py").read_text()


def manifests() -> list[dict]:
    return [doc for path in sorted(DEPLOY.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def pod_specs() -> list[tuple[str, dict]]:
    specs = []
    for doc in manifests():
        if doc["kind"] == "Deployment":
            specs.append((doc["metadata"]["name"], doc["spec"]["template"]["spec"]))
        elif doc["kind"] == "CronJob":
            specs.append((doc["metadata"]["name"], doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]))
    return specs


@pytest.mark.parametrize(("name", "spec"), pod_specs())
def test_every_container_runs_restricted_and_calls_a_real_command(name, spec):
    assert spec["securityContext"]["runAsNonRoot"] is True
    for container in spec.get("initContainers", []) + spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["capabilities"]["drop"] == ["ALL"]
        command = container["command"]
        if command[:2] == ["python", "manage.py"]:
            assert command[2] in get_commands(), f"{name}: no management command {command[2]!r}"
        else:
            assert command[0] == "gunicorn"


def test_the_configmap_only_sets_settings_campus_reads():
    config = next(doc for doc in manifests() if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "campus")
    unknown = [key for key in config["data"] if f'"{key}"' not in SETTINGS]
    assert unknown == []
