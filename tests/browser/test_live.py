"""Two people in two browsers on one map, served by a uvicorn process (HTTP and the live
socket) on the test database: an edit in one shows in the other within a second, both see who
is here, and an edit made while offline arrives once the connection is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PORT = 8406
URL = f"http://127.0.0.1:{PORT}"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# commit() returns a promise that settles on the server's answer; not awaited here, so an
# offline edit does not block the test.
COMMIT = "([id, name]) => { window.jmEditor.commit([{type: 'stage.update', id, fields: {name}}]); }"
NAME_IS = "([id, name]) => window.jmEditor.ed.store.stage(id).name === name"


@pytest.fixture
def asgi_server() -> Iterator[str]:
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "EDITOR_TRANSPORT": "socket"}
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    command = [sys.executable, "-m", "uvicorn", "journeymap.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(PORT), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield URL
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in_page(browser: Any, user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": URL}])
    return context.new_page()


def test_two_people_see_each_others_edits_presence_and_offline_edits(
    asgi_server: str, template_map: Any, owner: Any, member: Any, monkeypatch: Any
) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    stage_id = str(template_map.stages.order_by("position").first().pk)
    url = f"{asgi_server}/maps/{template_map.pk}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        lan, minh = signed_in_page(browser, owner), signed_in_page(browser, member)
        for page in (lan, minh):
            page.goto(url, timeout=20000)
            page.wait_for_selector("body[data-ready=true]", timeout=20000)
        for page in (lan, minh):
            page.wait_for_function(
                "() => document.querySelectorAll('#jm-presence .jm-peer').length === 2",
                timeout=10000,
            )
        labels = lan.eval_on_selector_all(
            "#jm-presence .jm-peer", "(nodes) => nodes.map((n) => n.getAttribute('aria-label'))"
        )
        assert sorted(labels) == ["Lan Nguyễn", "Minh"]

        started = time.monotonic()
        lan.evaluate(COMMIT, [stage_id, "Khám phá"])
        minh.wait_for_function(NAME_IS, arg=[stage_id, "Khám phá"], timeout=1000)
        assert time.monotonic() - started < 1.0

        minh.context.set_offline(True)
        minh.evaluate(COMMIT, [stage_id, "Ngoại tuyến"])
        assert minh.evaluate(NAME_IS, [stage_id, "Ngoại tuyến"])  # shown while unacknowledged
        minh.wait_for_timeout(500)
        minh.context.set_offline(False)
        lan.wait_for_function(NAME_IS, arg=[stage_id, "Ngoại tuyến"], timeout=20000)
        minh.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
        browser.close()
    assert template_map.stages.get(pk=stage_id).name == "Ngoại tuyến"
