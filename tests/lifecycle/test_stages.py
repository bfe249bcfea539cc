"""Suspension, reactivation, archive and deletion against the Kubernetes and GitLab stand-ins."""

import json
import subprocess

import pytest
import yaml

from devstack.kube.cluster import write_kubeconfig
from tenants.infra.jobs import run_due_jobs
from tenants.infra.kube import KubeCluster
from tenants.lifecycle import stages
from tenants.lifecycle.stages import NotCampusManaged, archive, delete_namespace, reactivate, suspend
from tenants.models import AuditEntry, HeldPlan, Job, ManagedNamespace, Membership, NamespaceUsage
from tenants.signals import namespace_reclaimed
from tenants.tenancy.reconcile import full_sync, sync_owned_namespaces
from tests.helpers import RESTRICTED, subjects, wait_until_gone

pytestmark = pytest.mark.django_db
TEAM = "g-courses-cs101-team-1"
CONTAINER = {"name": "app", "image": "registry.example.edu/team-1/app:1", "securityContext": RESTRICTED,
             "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}}


def deployment(name: str, replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": TEAM},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [CONTAINER]}}}}


def job(name: str, suspended: bool = False) -> dict:
    """A Job that never completes: the stand-in's Job pods finish at once, but the quota refuses this one's."""
    container = {**CONTAINER, "resources": {"requests": {"cpu": "500"}, "limits": {"cpu": "500"}}}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": TEAM},
            "spec": {"suspend": suspended,
                     "template": {"spec": {"restartPolicy": "Never", "containers": [container]}}}}


def load(directory, name: str) -> dict:
    return yaml.safe_load((directory / name).read_text())


def replicas(admin: KubeCluster, name: str) -> int:
    return next(d["spec"]["replicas"] for d in admin.list_labelled("Deployment", "", namespace=TEAM)
                if d["metadata"]["name"] == name)


def job_suspended(admin: KubeCluster, name: str) -> bool:
    return next(bool(j["spec"].get("suspend")) for j in admin.list_labelled("Job", "", namespace=TEAM)
                if j["metadata"]["name"] == name)


@pytest.fixture
def team(engine):
    """The synced team namespace with two Deployments, a running Job, one its owner paused and a bare Pod."""
    full_sync()
    engine.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shell", "namespace": TEAM},
                   "spec": {"containers": [CONTAINER]}})
    engine.create(deployment("web", 3))
    engine.create(deployment("worker", 1))
    engine.create(job("batch"))
    engine.create(job("paused", suspended=True))
    return ManagedNamespace.objects.get(name=TEAM)


def test_suspend_then_reactivate_restores_replicas_jobs_quota_and_roles(engine, team):
    normal_pods = engine.get("ResourceQuota", TEAM, "campus-quota")["spec"]["hard"]["pods"]

    suspend(engine, team)

    team.refresh_from_db()
    assert team.stage == "suspended" and team.stage_changed_at is not None
    assert team.suspended_state["replicas"] == {"web": 3, "worker": 1}
    assert team.suspended_state["jobs"] == ["batch"]
    assert list(team.suspended_state["pods"]) == ["shell"]
    assert (replicas(engine, "web"), replicas(engine, "worker")) == (0, 0)
    assert engine.get("Pod", TEAM, "shell") is None
    assert job_suspended(engine, "batch")
    assert engine.get("ResourceQuota", TEAM, "campus-quota")["spec"]["hard"]["pods"] == "0"
    assert subjects(engine, TEAM) == {"view": ["prof.lang", "s0001", "s0002"]}
    assert AuditEntry.objects.filter(namespace=TEAM, action="suspend").exists()

    reactivate(engine, team, trigger="extension")

    team.refresh_from_db()
    assert team.stage == "active" and team.suspended_state == {}
    assert (replicas(engine, "web"), replicas(engine, "worker")) == (3, 1)
    assert not job_suspended(engine, "batch")
    assert job_suspended(engine, "paused")  # its owner's choice, not campus's
    assert engine.get("Pod", TEAM, "shell")["spec"]["containers"][0]["image"] == CONTAINER["image"]
    assert engine.get("ResourceQuota", TEAM, "campus-quota")["spec"]["hard"]["pods"] == normal_pods
    assert subjects(engine, TEAM) == {"admin": ["prof.lang"], "edit": ["s0001", "s0002"]}
    assert Membership.objects.filter(namespace=team, role="edit").count() == 2


def test_a_resync_keeps_a_suspension(engine, team):
    suspend(engine, team)

    full_sync()

    assert engine.get("ResourceQuota", TEAM, "campus-quota")["spec"]["hard"]["pods"] == "0"
    assert subjects(engine, TEAM) == {"view": ["prof.lang", "s0001", "s0002"]}
    assert full_sync().plan.actions == []
    assert replicas(engine, "web") == 0


def test_suspending_a_big_team_is_not_held_by_the_access_guard(engine, gitlab):
    """The access guard protects against GitLab answers, not campus's own decisions: 40 members all become
    viewers at once (mass suspensions have the reclaim guard)."""
    for n in range(40):
        gitlab.create_user(f"m{n:02}")
        gitlab.add_member("courses/cs101/team-1", f"m{n:02}", 30)
    full_sync()

    suspend(engine, ManagedNamespace.objects.get(name=TEAM))

    assert list(subjects(engine, TEAM)) == ["view"] and len(subjects(engine, TEAM)["view"]) == 43
    assert not HeldPlan.objects.exists()


def test_suspending_an_owned_namespace_leaves_its_owner_only_looking(engine, django_user_model):
    owner = django_user_model.objects.create(username="s0007")
    ns = ManagedNamespace.objects.create(name="u-s0007", kind="personal", owner=owner, tier="student")
    sync_owned_namespaces({"u-s0007"}, "sign-in")

    suspend(engine, ns)
    assert subjects(engine, "u-s0007") == {"view": ["s0007"]}
    assert engine.get("ResourceQuota", "u-s0007", "campus-quota")["spec"]["hard"]["pods"] == "0"

    reactivate(engine, ns, trigger="extension")
    assert subjects(engine, "u-s0007") == {"admin": ["s0007"]}


def test_suspend_rerun_after_a_crash_keeps_the_original_scales(engine, team, monkeypatch):
    real_patch = KubeCluster.patch
    calls = []

    def crash_on_second_patch(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the reclaim job was killed")
        return real_patch(self, *args, **kwargs)

    monkeypatch.setattr(KubeCluster, "patch", crash_on_second_patch)
    with pytest.raises(RuntimeError):
        suspend(engine, team)
    monkeypatch.setattr(KubeCluster, "patch", real_patch)
    team.refresh_from_db()
    assert team.stage == "active"  # not marked suspended before the work is done
    assert sorted((replicas(engine, "web"), replicas(engine, "worker"))) == [0, 1]  # one was scaled down

    suspend(engine, ManagedNamespace.objects.get(name=TEAM))

    team.refresh_from_db()
    assert team.stage == "suspended"
    assert team.suspended_state["replicas"] == {"web": 3, "worker": 1}
    reactivate(engine, team, trigger="extension")
    assert (replicas(engine, "web"), replicas(engine, "worker")) == (3, 1)


def test_an_interrupted_reactivation_leaves_the_namespace_active_and_completes_on_a_rerun(engine, team,
                                                                                           monkeypatch):
    suspend(engine, team)

    def crash(self, *args, **kwargs):
        raise RuntimeError("the web worker was restarted")
    with monkeypatch.context() as patched:
        patched.setattr(KubeCluster, "patch", crash)
        with pytest.raises(RuntimeError):
            reactivate(engine, team)
    team.refresh_from_db()
    assert team.stage == "active" and team.suspended_state["replicas"] == {"web": 3, "worker": 1}

    reactivate(engine, team)

    team.refresh_from_db()
    assert team.suspended_state == {}
    assert (replicas(engine, "web"), replicas(engine, "worker")) == (3, 1)


def test_archive_exports_tenant_objects_ready_to_apply_without_secret_values(engine, team, tmp_path):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": TEAM},
              "data": {"password": "aHVudGVyMg=="}}
    engine.create({**secret, "metadata": {**secret["metadata"], "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(secret)}}})
    engine.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": TEAM},
                   "data": {"mode": "production"}})
    engine.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": TEAM},
                   "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    suspend(engine, team)

    target = archive(engine, team, tmp_path)

    assert target == tmp_path / TEAM
    files = {p.name for p in target.iterdir()}
    assert {"deployment-web.yaml", "deployment-worker.yaml", "job-batch.yaml", "secret-db.yaml",
            "configmap-settings.yaml", "service-web.yaml", "pod-shell.yaml", "campus-archive.info"} <= files
    assert not any(name.startswith(("resourcequota", "limitrange", "rolebinding-campus", "networkpolicy-campus",
                                    "pod-web", "pod-worker")) for name in files)  # campus's and controlled pods
    assert "aHVudGVyMg==" not in "".join(p.read_text() for p in target.iterdir())
    archived_secret = load(target, "secret-db.yaml")
    assert archived_secret["data"] == {"password": ""}
    assert list(archived_secret["metadata"]["annotations"]) == [stages.SECRET_NOTE]
    web = load(target, "deployment-web.yaml")
    assert web["spec"]["replicas"] == 3 and "status" not in web  # the scale before suspension
    assert not {"uid", "resourceVersion", "managedFields", "creationTimestamp"} & web["metadata"].keys()
    batch = load(target, "job-batch.yaml")
    assert batch["spec"]["suspend"] is False and "selector" not in batch["spec"]
    assert "controller-uid" not in batch["spec"]["template"]["metadata"]["labels"]
    assert "clusterIP" not in load(target, "service-web.yaml")["spec"]
    assert "nodeName" not in load(target, "pod-shell.yaml")["spec"]  # removed at suspension, kept in the archive
    assert load(target, "campus-archive.info")["record"] == team.pk
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary directory left
    team.refresh_from_db()
    assert team.stage == "archived"
    archived_at = team.stage_changed_at

    assert archive(engine, team, tmp_path) == target  # a re-run keeps the complete archive and the stage's time
    team.refresh_from_db()
    assert team.stage_changed_at == archived_at
    assert [p.name for p in tmp_path.iterdir()] == [TEAM]


def test_an_archive_restores_with_kubectl_apply(engine, team, kube_cluster, tmp_path):
    engine.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": TEAM},
                   "data": {"password": "aHVudGVyMg=="}})
    suspend(engine, team)
    target = archive(engine, team, tmp_path / "archive")
    delete_namespace(engine, team)
    wait_until_gone(engine, {TEAM})
    full_sync()  # the GitLab group is still there: a new, empty namespace

    applied = subprocess.run(["kubectl", "--kubeconfig", str(kube_cluster.write_kubeconfig(tmp_path / "admin")),
                              "apply", "-f", str(target)], capture_output=True, text=True, timeout=60)

    assert applied.returncode == 0, applied.stderr
    assert (replicas(engine, "web"), replicas(engine, "worker")) == (3, 1)
    assert engine.list_labelled("Secret", "", namespace=TEAM)[0]["data"] == {"password": ""}


def test_a_later_namespace_of_the_same_name_keeps_the_earlier_archive(engine, team, tmp_path):
    earlier = tmp_path / TEAM
    earlier.mkdir()
    (earlier / "campus-archive.info").write_text(yaml.safe_dump({"record": team.pk + 1000}))

    archive(engine, team, tmp_path)

    assert load(tmp_path / TEAM, "campus-archive.info")["record"] == team.pk
    kept = [p for p in tmp_path.iterdir() if p.name != TEAM]
    assert len(kept) == 1 and load(kept[0], "campus-archive.info")["record"] == team.pk + 1000


def test_an_interrupted_archive_never_looks_complete(engine, team, tmp_path, monkeypatch):
    monkeypatch.setattr(stages.yaml, "safe_dump", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        archive(engine, team, tmp_path)
    assert list(tmp_path.iterdir()) == []
    team.refresh_from_db()
    assert team.stage == "active"


def test_delete_removes_the_namespace_and_records_and_tells_other_capabilities(engine, team,
                                                                             django_capture_on_commit_callbacks):
    NamespaceUsage.objects.create(namespace=team, collected_at=team.created_at)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)
    namespace_reclaimed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # other capabilities hear of it after the commit
            delete_namespace(engine, team)
    finally:
        namespace_reclaimed.disconnect(receiver)

    assert TEAM not in wait_until_gone(engine, {TEAM})
    assert not ManagedNamespace.objects.filter(name=TEAM).exists()
    assert not Membership.objects.filter(namespace__name=TEAM).exists()
    assert not NamespaceUsage.objects.exists()
    assert received == [{"signal": namespace_reclaimed, "name": TEAM, "kind": "group", "owner": ""}]
    assert AuditEntry.objects.filter(namespace=TEAM, action="delete", kind="Namespace").exists()


def test_a_failing_release_is_retried_until_it_succeeds(engine, team,
                                                       django_capture_on_commit_callbacks):
    calls = []

    def flaky(sender, **kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 1:
            raise RuntimeError("the database server is down")
    namespace_reclaimed.connect(flaky)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            delete_namespace(engine, team)
        job = Job.objects.get(kind="signal")
        assert job.status == "pending" and "database server is down" in job.last_error
        assert not ManagedNamespace.objects.filter(name=TEAM).exists()  # the deletion stands; the release waits

        assert run_due_jobs(now=job.next_attempt_at) == 1
    finally:
        namespace_reclaimed.disconnect(flaky)
    assert calls == [TEAM, TEAM] and Job.objects.get(pk=job.pk).status == "done"


def test_an_unmanaged_namespace_is_refused(engine, tmp_path):
    engine.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-tools"}})
    record = ManagedNamespace.objects.create(name="kube-tools", kind="requested", tier="student")
    try:
        for step in (lambda: suspend(engine, record), lambda: archive(engine, record, tmp_path),
                     lambda: delete_namespace(engine, record)):
            with pytest.raises(NotCampusManaged):
                step()
        assert engine.get("Namespace", "", "kube-tools") is not None
        record.refresh_from_db()
        assert record.stage == "active" and record.suspended_state == {}
        assert list(tmp_path.iterdir()) == []
    finally:
        engine.delete("Namespace", "", "kube-tools")


def test_a_member_of_a_suspended_namespace_can_look_but_not_create(engine, team, kube_cluster, tmp_path):
    suspend(engine, team)
    config = write_kubeconfig(tmp_path / "s0002.kubeconfig", kube_cluster.url, "s0002-token",
                              ca_file=kube_cluster.server.tls.ca_cert, user="s0002")

    def kubectl(*args):
        return subprocess.run(["kubectl", "--kubeconfig", str(config), *args], capture_output=True, text=True,
                              timeout=60)

    assert kubectl("get", "deployments", "-n", TEAM).returncode == 0
    denied = kubectl("create", "configmap", "notes", "-n", TEAM, "--from-literal=a=b")
    assert denied.returncode != 0
    assert 'User "s0002" cannot create resource "configmaps"' in denied.stderr
