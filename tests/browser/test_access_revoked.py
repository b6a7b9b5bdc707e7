"""Access taken away takes effect at once, on every open editor (issue 24), end to end: the test
does what an owner or the person would (remove a member, change a role, delete the map, sign
out in another tab) through the REST API or the site, and the open editor, served by uvicorn
with its real socket, says why and what to do within a second, or switches role live.

The words and the editor's behaviour are checked in detail by test_access_notices.py against
a relay; here the server's side is the real one."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.browser.conftest import AsgiServer, off_loop, session_cookie
from tests.browser.test_access_notices import editor_page, first_card, grant, open_editor

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def as_owner(owner: Any, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    """A call of the owner's, in its own thread as a request would be: what it commits is
    announced to the sockets after the commit (Playwright's loop owns the test's thread)."""

    def call() -> Any:
        client = APIClient()
        client.force_authenticate(owner)
        return getattr(client, method)(url, body, format="json")

    return off_loop(call)


def wait_for_notice(page: Any, state: str, started: float) -> float:
    """Seconds from `started` (the owner's call answered, so the change is committed) until the
    notice shows. The server's own tests hold it to a second; these allow 1.5 s for a browser
    on a busy machine."""
    page.locator(f"#jm-access[data-state={state}]").wait_for(timeout=5000)
    return time.monotonic() - started


def test_removing_someone_from_a_map_closes_their_open_editor_at_once_and_says_why(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, owner: Any, browser: Any
) -> None:
    editor = grant(template_map, make_user, "editor")
    page = editor_page(browser, asgi_server, editor, locale="en-US")
    open_editor(page, asgi_server, template_map)

    answer = as_owner(owner, "delete", f"/api/maps/{template_map.pk}/members/{editor.pk}/")
    started = time.monotonic()  # committed: the server has a second from here
    assert answer.status_code == 204, answer.content
    assert wait_for_notice(page, "ended", started) < 1.5
    assert page.locator("#jm-access .jm-notice-title").inner_text() == (
        "Your access to this map was removed."
    )
    assert page.evaluate("() => window.jmEditor.ed.transport.ended") == "access_removed"
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    time.sleep(1.5)
    assert len(page.relay.opened) == 1  # not reopened
    assert page.errors == []


def test_raising_a_role_makes_the_open_editor_editable_at_once(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, owner: Any, browser: Any
) -> None:
    viewer = grant(template_map, make_user, "viewer")
    page = editor_page(browser, asgi_server, viewer)
    open_editor(page, asgi_server, template_map)
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False

    url = f"/api/maps/{template_map.pk}/members/{viewer.pk}/"
    answer = as_owner(owner, "patch", url, {"role": "editor"})
    started = time.monotonic()
    assert answer.status_code == 200, answer.content
    page.wait_for_function("() => window.jmEditor.ed.canEdit === true", timeout=5000)
    assert time.monotonic() - started < 1.5
    assert page.evaluate("() => window.saidOffline") is False  # no "connection lost"
    assert page.locator("#jm-access .jm-notice-title").inner_text() == (
        "Vai trò của bạn trên bản đồ này giờ là người chỉnh sửa: bạn có thể chỉnh sửa bản đồ."
    )
    # And the server takes the new editor's edits.
    stage = str(template_map.stages.order_by("position").first().pk)
    saved = page.evaluate(
        "(id) => window.jmEditor.commit([{type: 'stage.update', id, fields: {name: 'Khám phá'}}])",
        stage,
    )
    assert saved is True
    assert template_map.stages.get(pk=stage).name == "Khám phá"
    assert page.errors == []


def test_lowering_a_role_makes_the_open_editor_read_only_and_it_still_follows_edits(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, owner: Any, browser: Any
) -> None:
    editor = grant(template_map, make_user, "editor")
    page = editor_page(browser, asgi_server, editor)
    open_editor(page, asgi_server, template_map)
    card = first_card(page)
    card.dblclick()
    page.keyboard.type("Ghi chú đang gõ dở")

    url = f"/api/maps/{template_map.pk}/members/{editor.pk}/"
    answer = as_owner(owner, "patch", url, {"role": "viewer"})
    started = time.monotonic()
    assert answer.status_code == 200, answer.content
    assert wait_for_notice(page, "lowered", started) < 1.5
    assert page.locator("#jm-access .jm-notice-title").inner_text() == (
        "Vai trò của bạn trên bản đồ này giờ là người xem: bạn có thể đọc nhưng không thể"
        " chỉnh sửa nữa."
    )
    assert page.locator("#jm-access textarea").input_value() == "Ghi chú đang gõ dở"
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    assert page.locator(".jm-add-card").count() == 0
    # The socket stayed open: the owner's next edit shows up live.
    from maps.services import apply_ops

    stage = str(template_map.stages.order_by("position").first().pk)
    rename = {"type": "stage.update", "id": stage, "fields": {"name": "Nhận diện"}}
    off_loop(apply_ops, map_id=template_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[rename])
    page.wait_for_function(
        "(id) => window.jmEditor.ed.store.stage(id).name === 'Nhận diện'", arg=stage, timeout=5000
    )
    assert len(page.relay.opened) == 1
    assert page.errors == []


def test_deleting_a_map_tells_everyone_who_has_it_open(
    asgi_server: AsgiServer, template_map: Any, member: Any, owner: Any, browser: Any
) -> None:
    page = editor_page(browser, asgi_server, member, locale="en-US")
    open_editor(page, asgi_server, template_map)
    answer = as_owner(owner, "delete", f"/api/maps/{template_map.pk}/")
    started = time.monotonic()
    assert answer.status_code == 204, answer.content
    assert wait_for_notice(page, "ended", started) < 1.5
    assert page.locator("#jm-access .jm-notice-title").inner_text() == "This map was deleted."
    link = page.locator("#jm-access a.jm-notice-link")
    assert (link.inner_text(), link.get_attribute("href")) == ("Back to your maps", "/")
    assert page.errors == []


def test_signing_out_in_another_tab_signs_the_open_editor_out(
    asgi_server: AsgiServer, template_map: Any, member: Any, browser: Any
) -> None:
    page = editor_page(browser, asgi_server, member, locale="en-US")
    open_editor(page, asgi_server, template_map)
    other = page.context.new_page()  # the same session, another tab
    other.goto(f"{asgi_server.url}/")
    started = time.monotonic()
    other.evaluate(
        """async () => {
          const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
          await fetch('/logout/', { method: 'POST', credentials: 'same-origin',
            headers: { 'X-CSRFToken': csrf } });
        }"""
    )
    assert wait_for_notice(page, "ended", started) < 1.5
    assert page.locator("#jm-access .jm-notice-title").inner_text() == "You were signed out."
    link = page.locator("#jm-access a.jm-notice-link")
    assert link.get_attribute("href") == f"/login/?next=%2Fmaps%2F{template_map.pk}%2F"
    assert page.errors == []


def test_a_session_cookie_of_someone_removed_is_refused_at_connect_and_the_editor_says_so(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    # The page was served while they had access; by the time its socket connects they have none.
    editor = grant(template_map, make_user, "editor")
    context = browser.new_context(locale="en-US")
    context.add_cookies([session_cookie(editor, asgi_server.url)])
    page = context.new_page()
    page.route_web_socket(
        "**/ws/maps/**", lambda route: (off_loop(remove, editor), route.connect_to_server())
    )

    def remove(user: Any) -> None:
        from workspaces.models import MapAccess

        MapAccess.objects.filter(map=template_map, user=user).delete()

    page.goto(f"{asgi_server.url}/maps/{template_map.pk}/")
    page.locator("#jm-access[data-state=ended]").wait_for(timeout=5000)
    # Refused with 4404 and no reason: the server does not tell someone without access whether
    # the map exists, so neither does the notice.
    assert page.locator("#jm-access .jm-notice-title").inner_text() == (
        "This map is no longer available."
    )
    assert page.locator("#jm-access .jm-notice-text").inner_text() == (
        "It was deleted, or you can no longer open it."
    )
