"""The whole lifecycle against the stand-ins with an injected clock: warnings, extension, suspension and
reactivation, archive, deletion, the guard, and a crash between steps."""

from datetime import datetime, time, timedelta

import pytest
import yaml
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from kubernetes import client

from tenants.infra.kube import KubeCluster
from tenants.lifecycle.extension import extension_link_token
from tenants.lifecycle.reclaim import reclaim
from tenants.models import AuditEntry, ExpiryWarning, HeldPlan, ManagedNamespace
from tenants.signals import namespace_reclaimed
from tenants.tenancy.reconcile import full_sync, sync_owned_namespaces
from tests.helpers import RESTRICTED, subjects

pytestmark = pytest.mark.django_db


@pytest.fixture
def apps(kube_admin_api):
    return client.AppsV1Api(kube_admin_api), client.CoreV1Api(kube_admin_api)


@pytest.fixture
def project(engine, apps, settings, tmp_path):
    """A student's requested namespace ending in 20 days, with a Deployment of 3, a Secret and a ConfigMap."""
    settings.CAMPUS_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.CAMPUS_TERMS = "2026-10-01..2027-03-31,2027-04-01..2027-09-30"
    owner = User.objects.create(username="s0003", email="s0003@students.example.edu")
    ends = timezone.localdate() + timedelta(days=20)
    ns = ManagedNamespace.objects.create(name="r-robots", kind="requested", owner=owner, tier="student",
                                         requested_end=ends, expires_on=ends)
    sync_owned_namespaces({ns.name}, "test")
    deployments, core = apps
    deployments.create_namespaced_deployment(ns.name, {"metadata": {"name": "web"}, "spec": {
        "replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "securityContext": RESTRICTED}]}}}})
    core.create_namespaced_secret(ns.name, {"metadata": {"name": "db"}, "stringData": {"password": "hunter2"}})
    core.create_namespaced_config_map(ns.name, {"metadata": {"name": "settings"}, "data": {"mode": "demo"}})
    return ns


def at(day, hour: int = 3) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def replicas(apps, name="web", namespace="r-robots") -> int:
    return apps[0].read_namespaced_deployment(name, namespace).spec.replicas


def test_warnings_go_out_once_each_on_their_days(project, engine):
    ends = project.expires_on
    reclaim(at(ends - timedelta(days=15)))
    assert mail.outbox == []
    for _ in range(3):  # the job may run many times a day
        reclaim(at(ends - timedelta(days=14)))
    reclaim(at(ends - timedelta(days=3)))
    reclaim(at(ends - timedelta(days=3), hour=20))
    reclaim(at(ends - timedelta(days=1)))

    assert [m.subject for m in mail.outbox] == [f"campus: r-robots expires on {ends:%Y-%m-%d}"] * 3
    assert mail.outbox[0].to == ["s0003@students.example.edu"] and "/extend/" in mail.outbox[0].body
    assert sorted(ExpiryWarning.objects.values_list("days_before", flat=True)) == [1, 3, 14]
    project.refresh_from_db()
    assert project.stage == "warned"
    events = engine.list_labelled("Event", "", namespace="r-robots")
    assert {e["reason"] for e in events} == {"CampusExpiryWarning"} and len(events) == 3


def test_the_mail_link_extends_once_and_within_the_limits(project, client, settings):
    settings.CAMPUS_MAX_EXTENSIONS = 1
    ends = project.expires_on
    reclaim(at(ends - timedelta(days=3)))
    link = "/extend/" + extension_link_token(ManagedNamespace.objects.get(pk=project.pk))

    shown = client.get(link)
    assert shown.status_code == 200 and b"Extend r-robots" in shown.content
    project.refresh_from_db()
    assert project.expires_on == ends  # looking changes nothing
    assert client.post(link).status_code == 200
    project.refresh_from_db()
    assert project.expires_on == ends + timedelta(days=30) and project.stage == "active"
    assert not ExpiryWarning.objects.filter(namespace=project).exists()
    assert client.post(link).status_code == 400  # used
    assert client.get("/extend/forged").status_code == 400
    again = client.post("/extend/" + extension_link_token(project))
    assert again.status_code == 400 and b"already been extended 1 times" in again.content


def test_suspension_holds_through_resync_and_extension_restores_everything(project, engine, apps, client):
    ends = project.expires_on
    reclaim(at(ends + timedelta(days=1)))

    project.refresh_from_db()
    assert project.stage == "suspended" and project.suspended_state["replicas"] == {"web": 3}
    assert replicas(apps) == 0
    assert engine.get("ResourceQuota", "r-robots", "campus-quota")["spec"]["hard"]["pods"] == "0"
    assert subjects(engine, "r-robots") == {"view": ["s0003"]}
    full_sync()  # the periodic resync keeps the suspension
    assert subjects(engine, "r-robots") == {"view": ["s0003"]} and replicas(apps) == 0

    client.force_login(project.owner)
    client.post("/namespaces/r-robots/extend")
    project.refresh_from_db()
    assert project.stage == "active" and project.suspended_state == {}
    assert replicas(apps) == 3
    assert engine.get("ResourceQuota", "r-robots", "campus-quota")["spec"]["hard"]["pods"] == "20"
    assert subjects(engine, "r-robots") == {"admin": ["s0003"]}


def test_archive_then_delete_keeps_manifests_without_secret_values(project, engine, settings, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    released = []
    namespace_reclaimed.connect(lambda sender, **kw: released.append(kw), weak=False, dispatch_uid="test-release")
    ends = project.expires_on
    reclaim(at(ends + timedelta(days=1)))
    reclaim(at(ends + timedelta(days=40)))
    project.refresh_from_db()
    assert project.stage == "archived"

    archive = tmp_path / "archive" / "r-robots"
    files = sorted(p.name for p in archive.glob("*.yaml"))
    assert files == ["configmap-settings.yaml", "deployment-web.yaml", "secret-db.yaml"]
    secret = yaml.safe_load((archive / "secret-db.yaml").read_text())
    assert secret["data"] == {"password": ""} and "hunter2" not in (archive / "secret-db.yaml").read_text()
    deployment = yaml.safe_load((archive / "deployment-web.yaml").read_text())
    assert "uid" not in deployment["metadata"] and "status" not in deployment
    assert deployment["spec"]["replicas"] == 3  # the scale it had before suspension
    assert not list((tmp_path / "archive").glob(".r-robots-*"))  # no half-written archive left

    with django_capture_on_commit_callbacks(execute=True):  # other capabilities hear of it after the commit
        reclaim(at(ends + timedelta(days=41)))
    assert not ManagedNamespace.objects.filter(name="r-robots").exists()
    assert released == [{"signal": namespace_reclaimed, "name": "r-robots", "kind": "requested", "owner": "s0003"}]
    assert set(AuditEntry.objects.filter(namespace="r-robots", kind="Namespace", trigger="reclaim")
               .values_list("action", flat=True)) == {"suspend", "archive", "delete"}
    namespace_reclaimed.disconnect(dispatch_uid="test-release")


def test_a_namespace_campus_does_not_own_is_never_touched(project, engine, kube_cluster):
    admin = KubeCluster(kube_cluster.url, "campus-admin-token", ca_file=str(kube_cluster.server.tls.ca_cert))
    admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "r-lookalike"}})
    record = ManagedNamespace.objects.create(name="r-lookalike", kind="requested", owner=project.owner,
                                             tier="student", requested_end=project.expires_on,
                                             expires_on=project.expires_on)

    reclaim(at(project.expires_on + timedelta(days=1)))

    renamed = ManagedNamespace.objects.get(pk=record.pk)  # the tenant gets another name; the namesake stays
    assert renamed.name.startswith("r-lookalike-")
    assert AuditEntry.objects.filter(namespace="r-lookalike", action="conflict").exists()
    untouched = admin.get("Namespace", "", "r-lookalike")
    assert "app.kubernetes.io/managed-by" not in (untouched["metadata"].get("labels") or {})
    admin.delete("Namespace", "", "r-lookalike")
    admin.close()


def test_the_guard_holds_a_mass_suspension_until_an_admin_approves(project, settings, apps):
    settings.CAMPUS_RECLAIM_MAX_SUSPENSIONS = 3
    owner = project.owner
    ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"r-mass-{i}", kind="requested", owner=owner, tier="student",
                         requested_end=project.expires_on, expires_on=project.expires_on) for i in range(4)])
    day_after = at(project.expires_on + timedelta(days=1))

    result = reclaim(day_after)
    assert len(result.held["suspend"]) == 5 and replicas(apps) == 3
    held = HeldPlan.objects.get(step="suspend")
    reclaim(day_after)
    assert HeldPlan.objects.filter(step="suspend").count() == 1  # held once, not again every run

    call_command("reclaim", "--approve-held", str(held.pk), "--now", day_after.isoformat())
    assert replicas(apps) == 0 and ManagedNamespace.objects.get(name="r-robots").stage == "suspended"


def test_a_crash_between_steps_resumes_with_the_original_scale(project, apps, monkeypatch, capsys):
    day_after = at(project.expires_on + timedelta(days=1))
    call_command("reclaim", "--plan", "--now", day_after.isoformat())
    assert "suspend r-robots" in capsys.readouterr().out and replicas(apps) == 3  # a plan changes nothing

    original = KubeCluster.patch

    def crash_after_scaling(self, kind, namespace, name, patch):
        original(self, kind, namespace, name, patch)
        raise OSError("the process died")

    monkeypatch.setattr(KubeCluster, "patch", crash_after_scaling)
    reclaim(day_after)
    project.refresh_from_db()
    assert project.stage == "active" and replicas(apps) == 0  # interrupted after scaling down

    monkeypatch.setattr(KubeCluster, "patch", original)
    reclaim(day_after)
    project.refresh_from_db()
    assert project.stage == "suspended" and project.suspended_state["replicas"] == {"web": 3}
