"""The export dialog follows a job through the live socket's `export` messages, and polls
GET /api/exports/{id}/ only while no socket is connected. Served by uvicorn
(tests/browser/conftest.py); the test itself plays the Celery worker, running the queued job
with `export_run`, so every progress message travels worker → Redis → server → socket."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
JOB_URL = re.compile(r"/api/exports/[0-9a-f-]{36}/$")


@pytest.fixture
def page(asgi_server: AsgiServer, owner: Any, settings: Any, browser: Any) -> Iterator[Any]:
    from journeymap.celery import app

    settings.MEDIA_ROOT = str(asgi_server.media_root)  # the "worker" writes where the server reads
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    context.add_cookies([session_cookie(owner, asgi_server.url)])
    tab: Any = context.new_page()
    tab.errors = []
    tab.polls = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("request", lambda r: tab.polls.append(r.url) if JOB_URL.search(r.url) else None)
    yield tab
    context.close()
    # No worker consumed the server's queued tasks (the test ran the jobs): drop them.
    app.control.purge()


def export_csv(page: Any) -> str:
    """Ask for a CSV through the dialog; the job's id."""
    dialog = page.locator("#jm-export-dialog")
    dialog.locator("input[name=format][value=csv]").check()
    with page.expect_response(
        lambda r: r.url.endswith("/exports/") and r.request.method == "POST"
    ) as answer:
        dialog.locator("[data-xp=export]").click()
    assert answer.value.status == 202
    job: dict[str, Any] = answer.value.json()
    assert job["status"] == "queued"
    return str(job["id"])


def test_the_export_dialog_follows_the_job_over_the_socket_and_polls_without_one(
    template_map: Any, page: Any, asgi_server: AsgiServer
) -> None:
    from exports.models import ExportJob
    from exports.services import export_run

    page.goto(f"{asgi_server.url}/maps/{template_map.pk}/")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    page.click("#jm-export-open")
    dialog = page.locator("#jm-export-dialog")
    dialog.wait_for(state="visible")

    # Socket connected: the job is queued (no worker in this test) and the dialog says so...
    job_id = export_csv(page)
    status = dialog.locator(".jm-xp-progress .jm-xp-status")
    page.wait_for_timeout(2500)  # long enough for two polls, had the dialog been polling
    assert status.inner_text() == "Đang chờ…"
    # ...then a worker runs it: running, 100 % and the file arrive as socket messages.
    off_loop(export_run, job_id=job_id)
    link = dialog.locator(".jm-xp-progress a")
    link.wait_for(state="visible", timeout=10_000)
    assert status.inner_text() == "Sẵn sàng"
    assert dialog.locator(".jm-xp-progress progress").evaluate("bar => bar.value") == 100
    assert page.polls == []  # not one GET /api/exports/{id}/: the socket carried it all
    href = link.get_attribute("href")
    assert href == f"/api/exports/{job_id}/file/"
    download = page.request.get(f"{asgi_server.url}{href}")
    assert download.ok and "Nhận thức" in download.body().decode("utf-8-sig")

    # No socket (closed for good here): the dialog falls back to polling the job.
    page.evaluate("() => window.jmEditor.ed.transport.stop()")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === false")
    second = export_csv(page)
    page.wait_for_function(
        "() => document.querySelector('.jm-xp-progress .jm-xp-status').textContent === 'Đang chờ…'"
    )
    off_loop(export_run, job_id=second)
    page.wait_for_function(
        "(href) => { const a = document.querySelector('.jm-xp-progress a');"
        " return a && !a.hidden && a.getAttribute('href') === href; }",
        arg=f"/api/exports/{second}/file/",
        timeout=10_000,
    )
    assert any(url.endswith(f"/api/exports/{second}/") for url in page.polls)
    assert ExportJob.objects.get(pk=second).status == "done"
    assert page.errors == []
