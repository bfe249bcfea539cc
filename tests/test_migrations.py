"""Upgrading keeps the data: a database with campus's schema as of `tenants.0006_expiry_warnings_and_held_steps`
(the schema deployments ran before 0007), filled through the historical models, migrates to the latest
migrations (the graph's leaf nodes, whatever they are) with every row and value intact and new fields at their
defaults. The test database is put back at the latest migrations afterwards, so other tests are unaffected."""

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.fields import NOT_PROVIDED

APP = "tenants"
BEFORE = (APP, "0006_expiry_warnings_and_held_steps")
# Every tenants model that existed at BEFORE, and the user model they point at.
MODELS = ("auth.User", "tenants.LoginFailure", "tenants.ManagedNamespace", "tenants.AuditEntry",
          "tenants.AccessToken", "tenants.GitLabEvent", "tenants.HeldPlan", "tenants.NamespaceRequest",
          "tenants.Membership", "tenants.NamespaceUsage", "tenants.ExpiryWarning")
# Fields added after BEFORE that a migration deliberately fills from existing data (not a plain default):
# ("app.Model", "field"). None yet.
BACKFILLED: set[tuple[str, str]] = set()

T0 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def fill(apps) -> None:
    """What a deployment at BEFORE holds: each kind of namespace and stage, pending and done events, decided
    requests and plans, optional fields filled."""
    User = apps.get_model("auth", "User")
    model = lambda name: apps.get_model(APP, name)  # noqa: E731
    student = User.objects.create(username="s0001", first_name="Sam", last_name="Student", email="s0001@uni.example",
                                  password="!unusable", last_login=at(-1), date_joined=at(-100))
    admin = User.objects.create(username="admin.ops", email="ops@uni.example", is_staff=True, is_superuser=True,
                                password="!unusable", date_joined=at(-200))
    model("LoginFailure").objects.create(key="username:s0002", at=at(-2))

    ns = model("ManagedNamespace")
    personal = ns.objects.create(name="u-s0001", kind="personal", owner=student, tier="student",
                                 quota_overrides={"requests.cpu": "3"}, expires_on=dt.date(2027, 3, 31),
                                 extensions_used=1, last_activity_at=at(-1), stage="warned", stage_changed_at=at(-3))
    group = ns.objects.create(name="g-courses-k8s-101", kind="group", gitlab_id=4242,
                              gitlab_path="courses/k8s-101", tier="course", expires_on=dt.date(2027, 3, 31),
                              expiry_override=dt.date(2027, 6, 30))
    project = ns.objects.create(name="p-courses-k8s-101-team-a", kind="project", gitlab_id=777,
                                gitlab_path="courses/k8s-101/team-a", tier="student", stage="suspended",
                                stage_changed_at=at(-48),
                                suspended_state={"deployments": {"web": 2}, "statefulsets": {"db": 1}})
    requested = ns.objects.create(name="r-thesis-sam", kind="requested", owner=student, tier="research",
                                  requested_end=dt.date(2027, 9, 30), expires_on=dt.date(2027, 9, 30),
                                  stage="archived", stage_changed_at=at(-24))

    model("AuditEntry").objects.create(trigger="sync", action="create", kind="Namespace", namespace=group.name,
                                       name=group.name, reason="GitLab group courses/k8s-101")
    model("AccessToken").objects.create(user=student, label="laptop", token_hash="a" * 64, prefix="cmp_abcd",
                                        expires_at=at(12), revoked_at=at(2), last_used_at=at(1))
    events = model("GitLabEvent")
    events.objects.create(event_name="user_add_to_group", payload={"group_id": 4242, "user_username": "s0001"},
                          status="pending", attempts=2, next_attempt_at=at(0.5), last_error="GitLab timed out")
    events.objects.create(event_name="group_create", payload={"group_id": 4242, "full_path": "courses/k8s-101"},
                          status="done", attempts=1, processed_at=at(-5))
    model("HeldPlan").objects.create(trigger="reclaim", reason="26 suspensions > 25", step="suspend",
                                     namespaces=[project.name, personal.name], status="approved",
                                     decided_at=at(-4), decided_by=admin)
    requests = model("NamespaceRequest")
    requests.objects.create(requester=student, kind="namespace", status="approved", name="thesis-sam",
                            purpose="master thesis", course="", end_date=dt.date(2027, 9, 30), auto_approved=True,
                            decided_at=at(-30), namespace=requested)
    requests.objects.create(requester=student, kind="quota", status="denied", tier="gpu",
                            quota_values={"requests.nvidia.com/gpu": "1"}, justification="training runs",
                            decided_by=admin, decided_at=at(-6), decision_comment="ask your advisor",
                            namespace=personal)
    model("Membership").objects.create(namespace=group, username="s0001", role="edit")
    model("Membership").objects.create(namespace=project, username="s0002", role="admin")
    model("NamespaceUsage").objects.create(namespace=group, collected_at=at(-0.25),
                                           hard={"pods": "100"}, used={"pods": "3"}, pods_running=3,
                                           images=["registry.uni.example/k8s-101/web:1.2"])
    model("ExpiryWarning").objects.create(namespace=personal, days_before=14, sent_at=at(-3))


def snapshot(apps) -> dict[str, dict]:
    """Every row of MODELS, by primary key, as plain values."""
    rows = {}
    for label in MODELS:
        model = apps.get_model(label)
        rows[label] = {row["id"]: row for row in model.objects.order_by("id").values()}
    return rows


def default_for_existing_rows(field):
    """What a field added by a later migration holds in rows that existed before; NOT_PROVIDED when not fixed."""
    if not field.has_default():
        return None if field.null else NOT_PROVIDED
    if field.default in (dict, list):
        return field.default()
    return NOT_PROVIDED if callable(field.default) else field.default


def migrate(executor: MigrationExecutor, targets) -> None:
    executor.migrate(targets)
    executor.loader.build_graph()  # the executor's view of what is applied is read once; read it again


@pytest.mark.django_db(transaction=True)
def test_data_at_0006_survives_every_later_migration():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    assert BEFORE in executor.loader.graph.nodes and BEFORE not in latest, "there are migrations after 0006"
    # Django's own apps stay at their latest; campus's apps (tenants and the capabilities nested in it, whose
    # migrations depend on it) are rebuilt from 0006.
    campus_apps = {config.label for config in django_apps.get_app_configs() if config.name.startswith(APP)}
    other_apps = [node for node in latest if node[0] not in campus_apps]
    try:
        migrate(executor, [(APP, None)])  # drop campus's tables: the 0006 schema is built from scratch
        migrate(executor, [BEFORE])
        old_apps = executor.loader.project_state([BEFORE, *other_apps]).apps
        fill(old_apps)
        before = snapshot(old_apps)

        migrate(executor, latest)
        new_apps = executor.loader.project_state(latest).apps
        after = snapshot(new_apps)
    finally:
        migrate(executor, executor.loader.graph.leaf_nodes())

    for label in MODELS:
        assert before[label], f"{label}: the test filled no rows"
        assert after[label].keys() == before[label].keys(), f"{label}: rows lost or added"
        new_fields = {field.attname: field for field in new_apps.get_model(label)._meta.concrete_fields}
        for pk, old_row in before[label].items():
            new_row = after[label][pk]
            assert old_row.keys() <= new_row.keys(), f"{label} {pk}: columns dropped"
            assert {name: new_row[name] for name in old_row} == old_row, f"{label} {pk}: values changed"
            for name in new_row.keys() - old_row.keys():
                expected = default_for_existing_rows(new_fields[name])
                if (label, name) in BACKFILLED or expected is NOT_PROVIDED:
                    continue
                assert new_row[name] == expected, f"{label} {pk}: new field {name} is {new_row[name]!r}"

    held = after["tenants.HeldPlan"]
    assert [(p["step"], p["status"], p["removals"]) for p in held.values()] == [("suspend", "approved", [])]
    kinds = {row["name"]: (row["kind"], row["owner_id"], row["gitlab_id"])
             for row in after["tenants.ManagedNamespace"].values()}
    student = next(u["id"] for u in after["auth.User"].values() if u["username"] == "s0001")
    assert kinds == {"u-s0001": ("personal", student, None), "g-courses-k8s-101": ("group", None, 4242),
                     "p-courses-k8s-101-team-a": ("project", None, 777), "r-thesis-sam": ("requested", student, None)}
    assert sorted(e["status"] for e in after["tenants.GitLabEvent"].values()) == ["done", "pending"]


@pytest.mark.django_db
def test_the_database_is_back_at_the_latest_migrations():
    """Runs after the test above (file order): the schema other tests see is the latest one again."""
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
