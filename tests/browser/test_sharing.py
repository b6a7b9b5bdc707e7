"""Sharing and history in a real browser (Debian's Chromium through Playwright), served by
uvicorn with the live socket (tests/browser/conftest.py)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from typing import Any

import pytest

from maps.services import apply_ops
from tests.browser.conftest import AsgiServer, off_loop, session_cookie
from workspaces.models import ShareLink

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser: Any, server: AsgiServer, user: Any) -> Any:
    context = browser.new_context(locale="vi-VN")
    context.add_cookies([session_cookie(user, server.url)])
    page = context.new_page()
    # A browser that signed in through the form holds a CSRF cookie; get one the same way.
    page.goto(f"{server.url}/login/")
    return page


def change(journey_map: Any, actor: Any, *ops: dict[str, Any]) -> Any:
    return off_loop(
        apply_ops, map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=list(ops)
    )


def stage_op(name: str, position: str = "a0") -> dict[str, Any]:
    return {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": position}


def test_a_share_link_opened_in_a_fresh_browser_shows_an_edit_arrive(
    journey_map, owner, member, asgi_server, browser
):
    first = stage_op("Nhận thức")
    change(journey_map, owner, first)
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    page = browser.new_context().new_page()  # no cookies: nobody signed in
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    document_url = f"{asgi_server.url}/api/share/{link.token}/"
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.url == document_url else None)
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("th.jm-sh-stage:has-text('Nhận thức')")
    page.wait_for_selector("#jm-live[data-state=live]")  # the socket is open (share=token)
    loaded = len(loads)

    change(journey_map, member, stage_op("Cân nhắc", "a1"))
    rename = {"type": "stage.update", "id": first["id"], "fields": {"name": "Nhận biết"}}
    change(journey_map, member, rename)

    # The edits come over the socket and are applied to the page's copy of the map: the
    # document is not loaded again (polling is a 30 s safety net once the socket is live).
    page.wait_for_selector("th.jm-sh-stage:has-text('Nhận biết')", timeout=5_000)
    assert page.locator("th.jm-sh-stage").all_text_contents() == ["Nhận biết", "Cân nhắc"]
    changes = [json.loads(f) for f in frames if isinstance(f, str) and '"change"' in f]
    assert [c["ops"][0]["type"] for c in changes if c["type"] == "change"] == [
        "stage.create",
        "stage.update",
    ]
    assert len(loads) == loaded
    journey_map.refresh_from_db()
    assert page.locator("#jm-share").get_attribute("data-revision") == str(journey_map.revision)

    # Revoking the link closes its socket at once; the page says the link is gone.
    link.refresh_from_db()
    from workspaces.sharing import share_link_revoke

    off_loop(share_link_revoke, link=link)
    page.wait_for_selector("#jm-gone:not([hidden])", timeout=5_000)


def test_a_polling_share_page_revalidates_the_document_and_gets_304_until_an_edit(
    journey_map, owner, member, asgi_server, browser
):
    change(journey_map, owner, stage_op("Nhận thức"))
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    page = browser.new_context().new_page()
    # No WebSocket here (a proxy without them): the page polls the shared document.
    page.add_init_script("window.WebSocket = function () { throw new Error('blocked'); };")
    document_url = f"{asgi_server.url}/api/share/{link.token}/"
    seen: list[tuple[int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            seen.append((r.status, r.request.headers.get("if-none-match")))
            if r.url == document_url
            else None
        ),
    )
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("th.jm-sh-stage:has-text('Nhận thức')")
    for _ in range(100):  # a poll every 4 s
        if any(status == 304 for status, _ in seen):
            break
        page.wait_for_timeout(100)

    change(journey_map, member, stage_op("Cân nhắc", "a1"))
    page.wait_for_selector("th.jm-sh-stage:has-text('Cân nhắc')", timeout=10_000)

    assert seen[0] == (200, None)
    first_etag = seen[1][1]
    assert first_etag
    assert (304, first_etag) in seen
    assert seen[-1][0] == 200  # the edit made the copy stale: the new document came
    assert page.locator("th.jm-sh-stage").all_text_contents() == ["Nhận thức", "Cân nhắc"]


def test_restoring_a_version_while_someone_else_keeps_editing(
    journey_map, owner, member, asgi_server, browser
):
    first = stage_op("Nhận thức")
    change(journey_map, owner, first)
    from history.services import version_create

    journey_map.refresh_from_db()
    version_create(journey_map=journey_map, name="Trước buổi họp", actor=owner)
    rename = {"type": "stage.update", "id": first["id"], "fields": {"name": "Sai tên"}}
    change(journey_map, member, rename)

    page = signed_in_page(browser, asgi_server, owner)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{asgi_server.url}/maps/{journey_map.pk}/history/")
    page.click("#jm-versions button:has-text('Trước buổi họp')")
    page.wait_for_selector("#jm-preview-grid th.jm-sh-stage:has-text('Nhận thức')")

    # Minh has the editor open while Lan restores...
    minh = signed_in_page(browser, asgi_server, member)
    minh.goto(f"{asgi_server.url}/maps/{journey_map.pk}/")
    minh.wait_for_selector(".jm-stage-head:has-text('Sai tên')")

    # ...and keeps adding stages (through the API, like a second client) meanwhile.
    stop = threading.Event()
    added: list[str] = []

    def keep_editing() -> None:
        from django.db import connection

        try:
            n = 0
            while not stop.is_set() and n < 40:
                op = stage_op(f"Minh {n}", f"b{n:02d}")
                apply_ops(map_id=journey_map.pk, actor=member, change_id=uuid.uuid4(), ops=[op])
                added.append(op["id"])
                n += 1
                stop.wait(0.05)
        finally:
            connection.close()

    editor = threading.Thread(target=keep_editing)
    editor.start()
    try:
        from playwright.sync_api import expect

        while len(added) < 3 and editor.is_alive():  # Minh is mid-flow when Lan restores
            stop.wait(0.02)
        page.click("#jm-restore")
        expect(page.locator("#jm-status")).to_have_text(re.compile(r"\d+\.?$"), timeout=15_000)
    finally:
        stop.set()
        editor.join()

    status = page.locator("#jm-status").text_content() or ""
    assert status.rstrip(".").split()[-1].isdigit(), status
    restored_to = int(status.rstrip(".").split()[-1])
    from maps.models import JourneyMap
    from maps.revisions import document_at

    current = JourneyMap.objects.get(pk=journey_map.pk)
    restored = document_at(journey_map=current, revision=restored_to)
    # The restore is one change: right after it the map is exactly the named version...
    assert [s["name"] for s in restored["stages"]] == ["Nhận thức"]
    # ...and Minh's edits after it are kept on top, none lost.
    later = [s["id"] for s in document_at(journey_map=current, revision=current.revision)["stages"]]
    restore = current.changes.get(revision=restored_to)
    deleted = {op["id"] for op in restore.ops if op["type"] == "stage.delete"}
    assert len(deleted) >= 3 and deleted <= set(added)  # Minh's earlier stages went back out
    applied_after = list(current.changes.filter(revision__gt=restored_to))
    assert len(later) == 1 + len(applied_after)
    assert set(later) - {first["id"]} <= set(added)
    # Minh's open editor follows: it ends on exactly the server's stages, restored name first.
    final = document_at(journey_map=current, revision=current.revision)["stages"]
    heads = minh.locator(".jm-stage-head")
    expect(heads).to_have_count(len(final), timeout=20_000)
    expect(heads.first).to_contain_text("Nhận thức")


def test_an_invited_commenter_comments_but_cannot_edit(
    journey_map, owner, make_user, asgi_server, browser
):
    stage = stage_op("Nhận thức")
    change(journey_map, owner, stage)
    guest = make_user("khach", first_name="Hoa")

    lan = signed_in_page(browser, asgi_server, owner)
    lan.goto(f"{asgi_server.url}/maps/{journey_map.pk}/")
    lan.wait_for_selector("body[data-collab=ready]")
    lan.click("[data-action=share]")
    lan.fill(".jm-sh-invite input[name=who]", "khach")
    lan.select_option(".jm-sh-invite select", "commenter")
    lan.click(".jm-sh-invite [type=submit]")
    lan.wait_for_selector(".jm-sh-members li[data-user=khach]")
    assert journey_map.role_of(guest) == "commenter"

    hoa = signed_in_page(browser, asgi_server, guest)
    hoa.goto(f"{asgi_server.url}/maps/{journey_map.pk}/")
    hoa.wait_for_selector("body[data-collab=ready]")
    assert hoa.locator("body.jm-read-only").count() == 1
    assert not hoa.locator("[data-action=add-stage]").first.is_visible()
    hoa.click(f".jm-stage-head[data-stage='{stage['id']}']")
    hoa.click("[data-action=comments]")
    hoa.fill(".jm-cm-form textarea", "Cần thêm số liệu @owner")
    hoa.click(".jm-cm-form [type=submit]")
    hoa.wait_for_selector(".jm-cm-text:has-text('Cần thêm số liệu @owner')")
    from maps.models import Comment

    comment = Comment.objects.get(map=journey_map)
    assert (comment.author, str(comment.stage_id)) == (guest, stage["id"])

    # Editing is refused by the server too, not only hidden by the page.
    csrf = next(c["value"] for c in hoa.context.cookies() if c["name"] == "csrftoken")
    refused = hoa.request.post(
        f"{asgi_server.url}/api/maps/{journey_map.pk}/changes/",
        headers={"X-CSRFToken": csrf, "Referer": f"{asgi_server.url}/"},
        data={
            "id": str(uuid.uuid4()),
            "ops": [{"type": "stage.update", "id": stage["id"], "fields": {"name": "Đổi"}}],
        },
    )
    assert refused.status == 403
    # Lan sees the new comment's badge on the stage after reloading.
    lan.reload()
    lan.wait_for_selector(f".jm-stage-head[data-stage='{stage['id']}'] .jm-cm-badge")


def test_a_signed_in_visitor_comments_through_a_commenter_link(
    journey_map, owner, outsider, asgi_server, browser
):
    stage = stage_op("Nhận thức")
    change(journey_map, owner, stage)
    link = ShareLink.objects.create(map=journey_map, role="commenter", created_by=owner)
    page = signed_in_page(browser, asgi_server, outsider)
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.click(f"th.jm-sh-stage[data-id='{stage['id']}']")
    page.fill("#jm-share-text", "Khách góp ý <b>đậm</b>")
    page.click("#jm-share-comment [type=submit]")
    page.wait_for_selector("#jm-share-threads p:has-text('Khách góp ý <b>đậm</b>')")
    assert page.locator("#jm-share-threads b").count() == 0  # text, never HTML
    assert journey_map.comments.get().author == outsider
