"""The dashboard and the namespace page: who sees what, usage bars, and SQL that does not grow per namespace."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tenants.models import ManagedNamespace, Membership, NamespaceUsage
from tenants.tenancy.usage import bars, summarize

pytestmark = pytest.mark.django_db


def quota(namespace, hard, used, name="campus-quota"):
    return {"metadata": {"name": name, "namespace": namespace}, "status": {"hard": hard, "used": used}}


def pod(namespace, name, phase="Running", images=("nginx:1.27",)):
    return {"metadata": {"name": name, "namespace": namespace}, "status": {"phase": phase},
            "spec": {"containers": [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]}}


def test_summarize_reads_campus_quotas_and_running_pods_only():
    usage = summarize(
        [quota("g-a", {"pods": "20"}, {"pods": "2"}), quota("g-a", {"pods": "1"}, {}, name="tenant-own-quota")],
        [pod("g-a", "web", images=("nginx:1.27", "envoy:1.30")), pod("g-a", "job", phase="Succeeded"),
         pod("kube-system", "dns")])

    assert usage["g-a"].hard == {"pods": "20"} and usage["g-a"].pods_running == 1
    assert usage["g-a"].images == [{"image": "nginx:1.27", "pod": "web", "container": "c0"},
                                   {"image": "envoy:1.30", "pod": "web", "container": "c1"}]
    assert usage["kube-system"].pods_running == 1  # collect_usage keeps only campus's namespaces


def test_bars_show_used_against_hard_in_display_units():
    drawn = bars({"requests.cpu": "2", "requests.memory": "4Gi", "pods": "20", "services": "10"},
                 {"requests.cpu": "500m", "requests.memory": "1073741824", "pods": "0"})

    assert [(b["label"], b["used"], b["hard"], b["unit"], b["percent"]) for b in drawn] == [
        ("CPU", "0.5", "2", "cores", 25), ("Memory", "1", "4", "GiB", 25), ("Pods", "0", "20", "", 0)]


def make_namespaces(user, count, start=0):
    created = ManagedNamespace.objects.bulk_create([
        ManagedNamespace(name=f"g-course-{i}", kind="group", gitlab_id=1000 + i, gitlab_path=f"courses/c{i}",
                         tier="course", expires_on=date(2027, 3, 31)) for i in range(start, start + count)])
    Membership.objects.bulk_create([Membership(namespace=ns, username=user.username, role="edit") for ns in created])
    NamespaceUsage.objects.bulk_create([NamespaceUsage(namespace=ns, collected_at=timezone.now(),
                                                       hard={"requests.cpu": "8", "pods": "100"},
                                                       used={"requests.cpu": "2", "pods": "3"}) for ns in created])
    return created


@pytest.fixture
def student(client):
    user = User.objects.create(username="s0001")
    client.force_login(user)
    return user


def test_the_dashboard_lists_the_users_namespaces_with_role_tier_expiry_and_usage(client, student):
    make_namespaces(student, 2)
    ManagedNamespace.objects.create(name="u-s0001", kind="personal", owner=student, tier="student")
    other = User.objects.create(username="s0002")
    make_namespaces(other, 1, start=50)

    page = client.get("/").content.decode()

    assert "g-course-0" in page and "g-course-1" in page and "u-s0001" in page
    assert "g-course-50" not in page
    assert "2027-03-31" in page and "2 of 8 cores" in page and 'value="25"' in page
    assert "<td>admin</td>" in page  # the owner of a personal namespace administers it


def test_an_empty_dashboard_says_so(client, student):
    assert "You have no namespaces yet" in client.get("/").content.decode()


def test_dashboard_queries_do_not_grow_with_the_number_of_namespaces(client, student):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_namespaces(student, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    make_namespaces(student, 30, start=3)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/").content.decode()

    assert page.count('href="/namespaces/g-course-') == 33
    assert len(many) == len(few)


def test_a_namespace_page_is_for_members_owners_and_admins_only(client, student, settings):
    settings.CAMPUS_KUBE_API_URL, settings.CAMPUS_KUBE_TOKEN = "https://127.0.0.1:9", "unused"
    settings.CAMPUS_KUBE_TIMEOUT_SECONDS = 1
    mine = make_namespaces(student, 1)[0]
    theirs = make_namespaces(User.objects.create(username="s0002"), 1, start=9)[0]

    page = client.get(f"/namespaces/{mine.name}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "s0001" in text and "requests.memory" in text and "16Gi" in text  # members and the course tier
    assert "The cluster is unavailable right now" in text  # never a 500 when the cluster is down
    assert client.get(f"/namespaces/{theirs.name}/").status_code == 404
    assert client.get("/namespaces/does-not-exist/").status_code == 404

    client.force_login(User.objects.create(username="admin.ops", is_staff=True))
    assert client.get(f"/namespaces/{theirs.name}/").status_code == 200
