"""The student and admin journey in a real browser: sign in, request a namespace, the admin approves it,
it appears on the dashboard, the student downloads a kubeconfig. Screenshots land in test-artifacts/."""

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from tenants.models import ManagedNamespace, NamespaceRequest
from tests.browser.conftest import SCREENSHOTS
from tests.helpers import eventually, subjects

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")


def test_request_approve_dashboard_kubeconfig(page, screenshot, live_server, ldap_settings, engine, settings,
                                              tmp_path):
    settings.CAMPUS_AUTO_APPROVED_NAMESPACES = 0  # every request goes to the desk
    base = live_server.url

    page.goto(f"{base}/login/")
    screenshot("sign-in")
    sign_in(page, base, "s0003")
    assert page.get_by_role("heading", name="Your namespaces").is_visible()

    page.get_by_role("link", name="Requests").click()
    page.get_by_role("link", name="Request a project namespace").click()
    page.get_by_label("Name").fill("Robot Vision")
    page.get_by_label("Purpose").fill("Bachelor thesis experiments")
    page.get_by_label("End date").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    screenshot("request-form")
    page.get_by_role("button", name="Submit request").click()
    assert page.get_by_text("Your request for r-robot-vision waits for an admin.").is_visible()
    sign_out(page)

    sign_in(page, base, "admin.ops")
    page.get_by_role("link", name="Admin desk").click()
    request_id = NamespaceRequest.objects.get(name="r-robot-vision").pk
    screenshot("desk")
    page.get_by_role("button", name=f"Approve #{request_id}").click()
    assert page.get_by_text(f"Request #{request_id} approved").is_visible()
    sign_out(page)

    sign_in(page, base, "s0003")
    assert page.get_by_role("link", name="r-robot-vision").is_visible()
    eventually(lambda: subjects(engine, "r-robot-vision") == {"admin": ["s0003"]})  # applied through the engine
    screenshot("dashboard")

    page.get_by_role("link", name="kubectl access").click()
    page.get_by_label("Label (optional)").fill("laptop")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download kubeconfig").click()
    saved = tmp_path / "kubeconfig"
    download.value.save_as(saved)
    kubeconfig = yaml.safe_load(saved.read_text())
    assert kubeconfig["users"][0]["name"] == "s0003"
    assert kubeconfig["users"][0]["user"]["token"].startswith("campus_")
    page.reload()
    screenshot("tokens")
    assert ManagedNamespace.objects.get(name="r-robot-vision").owner.username == "s0003"
    kept = {name: (SCREENSHOTS / f"{name}.png") for name in ("sign-in", "request-form", "desk", "dashboard", "tokens")}
    assert all(path.stat().st_size > 1000 for path in kept.values())  # test artifacts for humans to look at


def test_sign_in_errors_keyboard_and_phone_width(page, screenshot, live_server, ldap_settings):
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("s0004")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    screenshot("sign-in-error-phone")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    sign_in(page, base, "s0004")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot("dashboard-phone")
