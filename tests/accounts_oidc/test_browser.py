"""Sign-in with a real OpenID provider, in a real browser: panva/oidc-provider (certified,
run by tests/accounts_oidc/provider/provider.mjs under Node) and the app under uvicorn, both
on loopback ports, driven by Debian's Chromium.

The provider needs `npm ci --prefix tests/accounts_oidc/provider` (.ci/run does it): without
node_modules the tests skip locally and fail under CI=true, like the other server tests."""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import CI
from tests.servers import AppServer, Process, free_port, shared_test_database_url
from workspaces.models import Membership, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "journeymap"
CLIENT_SECRET = "browser-test-secret"
WORKSPACE_ID = uuid.UUID("7d3c1c1e-0b9a-4f57-9a43-5f0d2c1e0a17")
UNVERIFIED = "chua.xac.minh@example.com"


class RealProvider(Process):
    def __init__(self, port: int, log_dir: Path, redirect_uri: str) -> None:
        super().__init__(f"oidc-provider-{port}", log_dir)
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "PORT": str(port),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URI": redirect_uri,
            "UNVERIFIED": UNVERIFIED,
        }

    def start(self) -> RealProvider:
        node = shutil.which("node")
        assert node is not None
        process = self._spawn([node, "provider.mjs"], cwd=PROVIDER_DIR, env=self.env)
        deadline = time.monotonic() + 30
        while f"ready {self.url}" not in self.log_tail():
            assert process.poll() is None, f"oidc-provider exited:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"oidc-provider not ready:\n{self.log_tail()}"
            time.sleep(0.1)
        return self


def _provider_installed() -> None:
    if shutil.which("node") and (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    message = "needs node and `npm ci --prefix tests/accounts_oidc/provider`"
    if CI:
        pytest.fail(f"{message}: missing under CI")
    pytest.skip(message)


@dataclass(frozen=True)
class Setup:
    app: AppServer
    provider: RealProvider


@pytest.fixture(scope="module")
def oidc_setup(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    _provider_installed()
    logs = tmp_path_factory.mktemp("oidc-logs")
    app_port = free_port()
    provider = RealProvider(free_port(), logs, f"http://127.0.0.1:{app_port}/oidc/callback/")
    app = AppServer(
        app_port,
        logs,
        DATABASE_URL=shared_test_database_url(),
        OIDC_ISSUER=provider.url,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_PROVIDER_NAME="Acme SSO",
        OIDC_ALLOWED_DOMAINS="example.com",
        OIDC_WORKSPACE=str(WORKSPACE_ID),
        OIDC_WORKSPACE_ROLE="member",
    )
    try:
        provider.start()
        app.start()
        yield Setup(app=app, provider=provider)
    finally:
        app.stop()
        provider.stop()
        print(f"--- app\n{app.log_tail()}\n--- provider\n{provider.log_tail()}")


def sign_in_with_provider(browser: Any, setup: Setup, email: str) -> Any:
    """A new browser (no provider session) signs in from the sign-in page; returns the tab."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(f"{setup.app.url}/")
    page.get_by_role("link", name="Đăng nhập bằng Acme SSO").click()
    page.wait_for_url(re.compile(re.escape(setup.provider.url) + "/interaction/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]", has_text=re.compile("Continue", re.I))
    consent.wait_for()
    consent.click()
    page.wait_for_url(re.compile(re.escape(setup.app.url) + "/"))
    return page


def test_the_first_sign_in_creates_the_user_and_the_second_finds_it(
    browser: Any, oidc_setup: Setup
):
    workspace = Workspace.objects.create(id=WORKSPACE_ID, name="Acme")
    page = sign_in_with_provider(browser, oidc_setup, "thu.ha@example.com")
    page.wait_for_url(f"{oidc_setup.app.url}/")
    user = get_user_model().objects.get(email="thu.ha@example.com")
    assert user.username == "thu.ha"
    assert Membership.objects.get(user=user, workspace=workspace).role == "member"
    assert page.get_by_text("Acme").first.is_visible()

    # Signing out ends the local session: the dashboard asks to sign in again.
    page.locator("details.jm-user summary").click()
    assert "thu.ha@example.com" in page.locator(".jm-menu-user").inner_text()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.goto(f"{oidc_setup.app.url}/")
    assert "/login/" in page.url
    page.context.close()

    again = sign_in_with_provider(browser, oidc_setup, "thu.ha@example.com")
    again.wait_for_url(f"{oidc_setup.app.url}/")
    assert get_user_model().objects.filter(email="thu.ha@example.com").count() == 1
    assert Membership.objects.filter(user=user).count() == 1
    again.context.close()


def test_an_email_at_a_disallowed_domain_is_refused(browser: Any, oidc_setup: Setup):
    page = sign_in_with_provider(browser, oidc_setup, "khach@elsewhere.org")
    alert = page.locator("[data-reason=domain]")
    assert "elsewhere.org" in alert.inner_text()
    assert page.get_by_role("heading", name="Đăng nhập bị từ chối").is_visible()
    assert not get_user_model().objects.exists()
    page.goto(f"{oidc_setup.app.url}/")
    assert "/login/" in page.url
    page.context.close()


def test_an_email_the_provider_has_not_verified_is_refused(browser: Any, oidc_setup: Setup):
    page = sign_in_with_provider(browser, oidc_setup, UNVERIFIED)
    assert page.locator("[data-reason=unverified]").is_visible()
    assert not get_user_model().objects.exists()
    page.context.close()
