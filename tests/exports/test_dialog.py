"""The editor's export dialog in Chromium against a live server: export, progress, download,
preview thumbnail and the list of recent exports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from exports import engines as export_engines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server: Any, owner: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ENGINE = "weasyprint"
    # live_server speaks HTTP only (no WebSocket): the editor uses its REST transport and the
    # dialog follows the job by polling, the path it takes whenever no socket is open.
    settings.EDITOR_TRANSPORT = "rest"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=export_engines.chromium_path(), args=export_engines.CHROMIUM_ARGS
        )
        tab: Any = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        errors: list[str] = []
        tab.errors = errors
        tab.on("pageerror", lambda error: errors.append(str(error)))
        # A session cookie for `owner` (the sign-in page is the pages' to test).
        client = Client()
        client.force_login(owner)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        tab.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        yield tab
        browser.close()


def test_the_dialog_exports_shows_progress_and_offers_the_download(
    page: Any, live_server: Any, template_map: Any
) -> None:
    page.goto(f"{live_server.url}/maps/{template_map.pk}/")
    page.wait_for_selector("body[data-ready=true]")
    page.click("#jm-export-open")
    dialog = page.locator("#jm-export-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("fieldset.jm-xp-list input[name=lanes]").count() == 7
    dialog.locator("input[name=format][value=csv]").check()
    dialog.locator("[data-xp=export]").click()
    link = dialog.locator(".jm-xp-progress a")
    link.wait_for(state="visible", timeout=30_000)
    assert dialog.locator(".jm-xp-progress progress").evaluate("bar => bar.value") == 100
    href = link.get_attribute("href")
    assert href and href.startswith("/api/exports/") and href.endswith("/file/")
    download = page.request.get(f"{live_server.url}{href}")
    assert download.ok and "Nhận thức" in download.body().decode("utf-8-sig")
    dialog.locator(".jm-xp-recent li a").first.wait_for()
    dialog.locator("[data-xp=preview]").click()
    thumbnail = dialog.locator(".jm-xp-preview img")
    page.wait_for_function(
        "() => { const img = document.querySelector('.jm-xp-preview img');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=60_000,
    )
    assert thumbnail.evaluate("img => img.naturalWidth") > 500
    assert page.errors == []
