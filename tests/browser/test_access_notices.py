"""What the browser does when the server says a person's access changed (issue 24), with the
server's side played by the test: static/js/editor/socket.js alone against a scripted fake
WebSocket, and the editor and the share page on uvicorn with their sockets passing through a
relay that can say what the server would (a close code and its reason, an `error` naming a
new role, a `welcome` with another role).

- 4401 `signed_out`, 4403 `access_removed`, 4404 `map_deleted` (or any of the three with no
  reason, as when refused at connect time): no reconnecting, a notice says why and what to do
  (sign in again, back to the dashboard), the editor is read-only for good, edits that had
  not reached the server are said to be lost and what they typed is kept to copy.
- 4409 `role_changed`: reconnect at once, no "connection lost" banner; the new welcome's role
  drives the editor.
- `error` with no id and a `role`: the socket stays open; the editor turns read-only at once,
  closing the field being typed in and keeping its text in the notice.

Set JM_SCREENSHOTS to a folder to keep a screenshot of each notice there."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, server_password, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

# --- socket.js alone ------------------------------------------------------------------------

SETUP = """async (role) => {
  const { createTransport } = await import('/static/js/editor/socket.js');
  document.body.append(Object.assign(document.createElement('div'), { id: 'jm-presence' }));
  const t = { sockets: [], access: [], refusals: [] };
  class FakeSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; this.sent = []; this.at = performance.now();
      t.sockets.push(this);
    }
    send(text) {
      const message = JSON.parse(text);
      this.sent.push(message);
      if (message.type === 'ping') this.receive({ type: 'pong' });
    }
    close(code) { this.readyState = 3; }
    open(revision, role) {
      this.readyState = 1;
      this.receive({ type: 'welcome', revision, role, peers: [
          { session: 's2', user: 2, name: 'Minh', color: '#16a34a' }],
        you: { session: 's1', user: 1, name: 'Lan', color: '#4f46e5' } });
    }
    receive(message) { this.onmessage({ data: JSON.stringify(message) }); }
    shut(code, reason) {
      this.readyState = 3; t.closedAt = performance.now(); this.onclose({ code, reason });
    }
  }
  t.transport = createTransport(
    { socket: '/ws/maps/m/', changes: '/api/maps/m/changes/', role, dashboard: '/',
      login: '/login/' },
    { WebSocketImpl: FakeSocket, heartbeatMs: 5000 });
  t.transport.onAccess((event) => {
    t.access.push(event);
    return event.kind === 'ended' ? ['typed here'] : []; // as the editor's open field would
  });
  t.send = (id, ops) => t.transport.send({ id, ops })
    .catch((error) => t.refusals.push([id, error]));
  window.t = t;
  t.transport.start(5);
}"""

RENAME = [{"type": "stage.update", "id": "s", "fields": {"name": "Nhận biết"}}]


def harness(asgi_server: AsgiServer, browser: Any, role: str = "editor") -> Any:
    page = browser.new_page(locale="en-US")
    page.goto(f"{asgi_server.url}/login/")
    page.evaluate(SETUP, role)
    page.evaluate("(role) => t.sockets[0].open(5, role)", role)
    page.wait_for_function("() => t.transport.connected")
    return page


SIGN_IN = "/login/?next=%2Flogin%2F"  # the harness runs on the sign-in page


@pytest.mark.parametrize(
    ("code", "reason", "ended", "title", "link"),
    [
        (4401, "signed_out", "signed_out", "You were signed out.", SIGN_IN),
        (4403, "access_removed", "access_removed", "Your access to this map was removed.", "/"),
        (4404, "map_deleted", "map_deleted", "This map was deleted.", "/"),
        # Refused at connect time, maybe without a reason: the code says enough.
        (4401, "", "signed_out", "You were signed out.", SIGN_IN),
        (4403, "", "access_removed", "Your access to this map was removed.", "/"),
        (4404, "", "map_gone", "This map is no longer available.", "/"),
    ],
)
def test_a_socket_closed_because_access_ended_stays_closed_and_says_why(
    asgi_server: AsgiServer,
    browser: Any,
    code: int,
    reason: str,
    ended: str,
    title: str,
    link: str,
) -> None:
    page = harness(asgi_server, browser)
    page.evaluate("(ops) => { t.send('A', ops); }", RENAME)
    page.evaluate("([code, reason]) => t.sockets[0].shut(code, reason)", [code, reason])

    notice = page.locator("#jm-access")
    assert notice.get_attribute("data-state") == "ended"
    assert notice.get_attribute("role") == "alert"
    assert notice.locator(".jm-notice-title").inner_text() == title
    assert notice.locator("a.jm-notice-link").get_attribute("href") == link
    texts = notice.locator(".jm-notice-text").all_inner_texts()
    assert "1 of your edits had not reached the server and could not be saved." in texts
    # The change's text and what the editor said was being typed, kept to copy.
    assert notice.locator("textarea").input_value() == "Nhận biết\n\ntyped here"
    assert page.evaluate("() => t.refusals") == [
        ["A", {"code": "access_ended", "message": "", "kept": True}]
    ]
    assert page.evaluate("() => t.access") == [
        {"kind": "ended", "code": code, "reason": ended, "unsaved": 1}
    ]
    assert page.evaluate("() => t.transport.ended") == ended
    assert page.locator("#jm-presence").inner_html() == ""  # nobody is here for us any more
    assert page.locator("#jm-access .jm-notice-dismiss").count() == 0  # it stays

    # Never reopened (the backoff's first wait is 0.5 s), and nothing more is sent.
    time.sleep(1.5)
    assert page.evaluate("() => t.sockets.length") == 1
    assert page.evaluate("() => t.transport.connected") is False
    assert page.evaluate("() => document.body.dataset.live") == "ended"


def test_a_raised_role_reconnects_at_once_without_saying_the_connection_was_lost(
    asgi_server: AsgiServer, browser: Any
) -> None:
    page = harness(asgi_server, browser, role="viewer")
    page.evaluate("() => t.sockets[0].shut(4409, 'role_changed')")
    page.wait_for_function("() => t.sockets.length === 2", timeout=1000)
    assert page.evaluate("() => t.sockets[1].at - t.closedAt") < 100  # no backoff
    assert page.evaluate("() => t.sockets[1].url").endswith("?since=5")
    assert page.locator("#jm-connection").count() == 0  # no "connection lost"
    page.evaluate("() => t.sockets[1].open(5, 'editor')")
    page.wait_for_function("() => t.transport.connected")
    assert page.evaluate("() => t.access") == [
        {"kind": "role", "role": "editor", "previous": "viewer"}
    ]
    assert page.evaluate("() => t.transport.role") == "editor"
    notice = page.locator("#jm-access")
    assert notice.get_attribute("data-state") == "raised"
    assert notice.get_attribute("role") == "status"
    assert (
        notice.locator(".jm-notice-title").inner_text()
        == "Your role on this map is now editor: you can edit it."
    )
    assert page.locator("#jm-connection").count() == 0  # nor "back online"


def test_a_lowered_role_keeps_the_socket_open_and_keeps_the_text_of_refused_changes(
    asgi_server: AsgiServer, browser: Any
) -> None:
    page = harness(asgi_server, browser, role="editor")
    page.evaluate("(ops) => { t.send('A', ops); }", RENAME)
    page.evaluate(
        """() => {
          const s = t.sockets[0];
          s.receive({ type: 'error', id: null, code: 'forbidden', role: 'commenter',
                      message: 'Your role on this map is now commenter.' });
          s.receive({ type: 'error', id: 'A', code: 'forbidden',
                      message: 'commenter cannot edit' });
        }"""
    )
    page.wait_for_function("() => t.refusals.length === 1")
    assert page.evaluate("() => t.access") == [
        {"kind": "role", "role": "commenter", "previous": "editor"}
    ]
    assert page.evaluate("() => t.refusals[0][1]") == {
        "code": "forbidden",
        "message": "commenter cannot edit",
        "op": None,
        "kept": True,
    }
    notice = page.locator("#jm-access")
    assert notice.get_attribute("data-state") == "lowered"
    assert notice.get_attribute("role") == "alert"
    assert notice.locator(".jm-notice-title").inner_text() == (
        "Your role on this map is now commenter: you can comment but no longer edit."
    )
    assert notice.locator("textarea").input_value() == "Nhận biết"
    assert page.evaluate("() => t.transport.connected") is True
    assert page.evaluate("() => t.sockets.length") == 1
    # Dismissed, it goes (with the kept text: it was the person's to copy).
    notice.locator(".jm-notice-dismiss").click()
    assert page.locator("#jm-access").count() == 0


# --- the editor and the share page, the server's words played by a relay ---------------------


class Relay:
    """The page's map sockets pass through here. The test can send what the server would, close
    the page's side with a code and reason, refuse new connections, rewrite the role a welcome
    carries, and hold the page's changes back (sent, never acknowledged)."""

    def __init__(self, page: Any) -> None:
        self.routes: list[tuple[Any, Any]] = []
        self.opened: list[float] = []
        self.role: str | None = None
        self.refuse: tuple[int, str] | None = None
        self.hold = False
        page.route_web_socket(re.compile(r"/ws/maps/"), self.connect)

    def connect(self, route: Any) -> None:
        self.opened.append(time.monotonic())
        if self.refuse:
            route.close(code=self.refuse[0], reason=self.refuse[1])
            return
        server = route.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if self.role and isinstance(message, str) and '"welcome"' in message:
                data = json.loads(message)
                if data.get("type") == "welcome":
                    data["role"] = self.role
                    message = json.dumps(data)
            route.send(message)

        def to_server(message: str | bytes) -> None:
            if self.hold and isinstance(message, str) and '"change"' in message:
                return
            server.send(message)

        server.on_message(to_page)
        route.on_message(to_server)
        self.routes.append((route, server))

    def send(self, message: dict[str, Any]) -> None:
        self.routes[-1][0].send(json.dumps(message))

    def close(self, code: int, reason: str) -> None:
        route, server = self.routes[-1]
        self.closed = time.monotonic()
        server.close()
        route.close(code=code, reason=reason)


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("JM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def editor_page(
    browser: Any, server: AsgiServer, user: Any, locale: str = "vi-VN", **options: Any
) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale, **options)
    context.add_cookies([session_cookie(user, server.url)])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.relay = Relay(page)
    return page


def open_editor(page: Any, server: AsgiServer, journey_map: Any) -> None:
    page.goto(f"{server.url}/maps/{journey_map.pk}/", timeout=20000)
    page.wait_for_selector("body[data-ready=true]", timeout=20000)
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    # "offline" ever set on the body while the test runs: the connection was said to be lost.
    page.evaluate(
        """() => {
          window.saidOffline = false;
          new MutationObserver(() => {
            if (document.body.dataset.live === 'offline') window.saidOffline = true;
          }).observe(document.body, { attributes: true, attributeFilter: ['data-live'] });
        }"""
    )


def grant(journey_map: Any, make_user: Any, role: str) -> Any:
    """Someone outside the workspace with an explicit role on the map."""
    from workspaces.models import MapAccess

    user = make_user(f"khach-{role}", first_name="Hoa")
    MapAccess.objects.create(map=journey_map, user=user, role=role)
    return user


def first_card(page: Any) -> Any:
    return page.locator(".jm-lane-row:not(.jm-lane-emotions) .jm-card[data-id]").first


def test_the_editor_turns_read_only_at_once_when_the_role_is_lowered_keeping_what_was_typed(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    editor = grant(template_map, make_user, "editor")
    page = editor_page(browser, asgi_server, editor)
    open_editor(page, asgi_server, template_map)
    assert page.locator(".jm-add-card").count() > 0
    card = first_card(page)
    card_id = card.get_attribute("data-id")
    saved = page.evaluate("(id) => window.jmEditor.ed.store.item(id).text", card_id)
    card.click()  # selected: the side panel shows its fields
    assert page.locator("#jm-panel textarea[name=text]").is_enabled()
    card.dblclick()
    page.keyboard.press("End")
    page.keyboard.type(" — khách gọi tổng đài lần hai")

    page.relay.send(
        {
            "type": "error",
            "id": None,
            "code": "forbidden",
            "role": "viewer",
            "message": "Your role on this map is now viewer.",
        }
    )
    page.wait_for_function("() => window.jmEditor.ed.canEdit === false", timeout=2000)
    notice = page.locator("#jm-access")
    assert notice.locator(".jm-notice-title").inner_text() == (
        "Vai trò của bạn trên bản đồ này giờ là người xem: bạn có thể đọc nhưng không thể"
        " chỉnh sửa nữa."
    )
    assert notice.get_attribute("role") == "alert"
    # What was being typed is not saved, and not lost: it is in the notice to copy.
    assert page.locator(".jm-inline").count() == 0
    assert notice.locator("textarea").input_value() == f"{saved} — khách gọi tổng đài lần hai"
    assert notice.locator("textarea").get_attribute("readonly") is not None
    assert page.evaluate("(id) => window.jmEditor.ed.store.item(id).text", card_id) == saved
    assert page.evaluate("() => window.jmEditor.ed.store.pending.length") == 0
    # Everything that edits is gone or disabled; reading and selecting still work.
    assert "jm-read-only" in page.locator("body").get_attribute("class")
    assert page.locator(".jm-add-card, .jm-add-col, .jm-add-lane-row, .jm-handle").count() == 0
    assert page.locator(".jm-add-point").count() == 0  # nor the emotion curve's "+"
    assert not page.locator("[data-action=add-stage]").first.is_visible()
    assert page.locator("#jm-panel textarea[name=text]").is_disabled()
    assert page.locator("#jm-panel [data-action=delete-selected]").count() == 0
    assert page.locator(".jm-ed-role").inner_text() == "Chỉ xem · Người xem"
    card.dblclick()
    assert page.locator(".jm-inline").count() == 0
    page.keyboard.press("Delete")
    assert page.evaluate("(id) => Boolean(window.jmEditor.ed.store.item(id))", card_id)
    # Still connected: a viewer follows the others' edits live.
    assert page.evaluate("() => window.jmEditor.ed.transport.connected") is True
    assert len(page.relay.opened) == 1
    shoot(page, "editor-role-lowered-vi")
    assert page.errors == []


def test_a_side_panel_field_being_typed_in_is_kept_when_the_role_drops_to_commenter(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    editor = grant(template_map, make_user, "editor")
    page = editor_page(browser, asgi_server, editor, locale="en-US")
    open_editor(page, asgi_server, template_map)
    assert page.locator(".jm-add-point").count() > 0  # the emotion curve takes new points
    first_card(page).click()
    owner = page.locator("#jm-panel input[name=owner]")
    owner.fill("Nhóm chăm sóc khách hàng miền Nam")  # typed, not yet committed (no blur)

    page.relay.send({"type": "error", "id": None, "code": "forbidden", "role": "commenter"})
    page.wait_for_function("() => window.jmEditor.ed.canEdit === false", timeout=2000)
    notice = page.locator("#jm-access")
    assert notice.locator(".jm-notice-title").inner_text() == (
        "Your role on this map is now commenter: you can comment but no longer edit."
    )
    assert notice.locator("textarea").input_value() == "Nhóm chăm sóc khách hàng miền Nam"
    assert page.locator("#jm-panel input[name=owner]").is_disabled()
    assert page.locator(".jm-add-point, .jm-add-card").count() == 0
    assert page.locator(".jm-ed-role").inner_text() == "Read only · Commenter"
    shoot(page, "editor-role-commenter-en")
    # A commenter still comments.
    page.locator("[data-action=comments]").click()
    assert page.locator("#jm-comments textarea[data-main]").count() == 1
    page.keyboard.press("Escape")

    # Raised again: editable, and the kept text is still there to copy (the notice stays).
    page.relay.role = "editor"
    page.relay.close(4409, "role_changed")
    page.wait_for_function("() => window.jmEditor.ed.canEdit === true", timeout=2000)
    assert notice.get_attribute("data-state") == "raised"
    assert notice.locator("textarea").input_value() == "Nhóm chăm sóc khách hàng miền Nam"
    time.sleep(8.5)
    assert notice.is_visible()
    assert page.locator("#jm-panel input[name=owner]").is_enabled()
    assert page.errors == []


def test_the_editor_turns_editable_at_once_when_the_role_is_raised(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    viewer = grant(template_map, make_user, "viewer")
    page = editor_page(browser, asgi_server, viewer, locale="en-US")
    open_editor(page, asgi_server, template_map)
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    assert page.locator(".jm-add-card").count() == 0
    assert page.locator(".jm-ed-role").inner_text() == "Read only · Viewer"
    first_card(page).click()
    assert page.locator("#jm-panel textarea[name=text]").is_disabled()

    page.relay.role = "editor"  # what the server's next welcome will say
    page.relay.close(4409, "role_changed")
    page.wait_for_function("() => window.jmEditor.ed.canEdit === true", timeout=2000)
    assert page.relay.opened[1] - page.relay.closed < 1.0  # reconnected at once
    assert page.evaluate("() => window.saidOffline") is False
    assert not page.locator("#jm-connection:visible").count()
    notice = page.locator("#jm-access")
    assert notice.get_attribute("data-state") == "raised"
    assert notice.locator(".jm-notice-title").inner_text() == (
        "Your role on this map is now editor: you can edit it."
    )
    shoot(page, "editor-role-raised-en")
    # The toolbar, the "+" buttons, the handles and the panel's fields are back.
    assert "jm-read-only" not in (page.locator("body").get_attribute("class") or "")
    assert page.locator("[data-action=add-stage]").first.is_visible()
    assert page.locator(".jm-add-card").count() > 0
    assert page.locator(".jm-stage-head .jm-handle").count() > 0
    assert page.locator("#jm-panel textarea[name=text]").is_enabled()
    assert page.locator("#jm-panel [data-action=delete-selected]").count() == 1
    assert page.locator(".jm-ed-role").inner_text() == "Editor"
    assert page.evaluate("() => window.jmEditor.ed.config.role") == "editor"
    assert page.errors == []


def test_the_editor_says_why_when_access_is_removed_and_what_could_not_be_saved(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    editor = grant(template_map, make_user, "editor")
    page = editor_page(browser, asgi_server, editor, locale="en-US")
    open_editor(page, asgi_server, template_map)
    stage = template_map.stages.order_by("position").first()
    page.relay.hold = True  # sent, never acknowledged: still waiting when access ends
    page.evaluate(
        "(id) => { window.jmEditor.commit("
        "[{type: 'stage.update', id, fields: {name: 'Tìm hiểu'}}]); }",
        str(stage.pk),
    )
    assert page.evaluate("() => window.jmEditor.ed.store.pending.length") == 1

    page.relay.close(4403, "access_removed")
    notice = page.locator("#jm-access[data-state=ended]")
    notice.wait_for(timeout=2000)
    assert notice.locator(".jm-notice-title").inner_text() == "Your access to this map was removed."
    assert notice.locator(".jm-notice-text").all_inner_texts() == [
        "You can no longer see its changes or edit it. If you still need it, ask the map's owner"
        " to share it with you again.",
        "1 of your edits had not reached the server and could not be saved.",
    ]
    assert notice.locator("textarea").input_value() == "Tìm hiểu"
    link = notice.locator("a.jm-notice-link")
    assert (link.inner_text(), link.get_attribute("href")) == ("Back to your maps", "/")
    shoot(page, "editor-access-removed-en")
    # Read-only for good, the map as it was saved; nobody shown as here; no reconnecting.
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    assert page.evaluate("(id) => window.jmEditor.ed.store.stage(id).name", str(stage.pk)) == (
        stage.name
    )
    assert page.evaluate("() => window.jmEditor.ed.store.pending.length") == 0
    assert page.locator(".jm-add-card").count() == 0
    assert page.locator(".jm-ed-role").inner_text() == "Read only"
    assert page.locator("#jm-presence .jm-peer").count() == 0
    assert page.locator(".jm-ed-toast.jm-show").count() == 0  # the notice says it all
    page.locator("[data-action=comments]").click()
    assert page.locator("#jm-comments textarea").count() == 0  # no commenting either
    time.sleep(1.5)
    assert len(page.relay.opened) == 1
    link.click()
    page.wait_for_url(f"{asgi_server.url}/")
    assert page.errors == []


def test_the_editor_says_sign_in_again_when_signed_out_and_comes_back_after_signing_in(
    asgi_server: AsgiServer, template_map: Any, member: Any, browser: Any
) -> None:
    off_loop(server_password, member)  # a password change is a revocation: announced off the loop
    page = editor_page(browser, asgi_server, member)
    open_editor(page, asgi_server, template_map)
    page.relay.close(4401, "signed_out")
    notice = page.locator("#jm-access[data-state=ended]")
    notice.wait_for(timeout=2000)
    assert notice.locator(".jm-notice-title").inner_text() == "Bạn đã bị đăng xuất."
    link = notice.locator("a.jm-notice-link")
    assert link.inner_text() == "Đăng nhập lại"
    assert link.get_attribute("href") == f"/login/?next=%2Fmaps%2F{template_map.pk}%2F"
    assert notice.locator("textarea").count() == 0  # nothing was waiting: nothing to keep
    shoot(page, "editor-signed-out-vi")
    page.context.clear_cookies()  # signed out, as the server said
    link.click()
    page.fill("input[name=username]", "member")
    page.fill("input[name=password]", "pw")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(f"{asgi_server.url}/maps/{template_map.pk}/")
    page.wait_for_function("() => window.jmEditor && window.jmEditor.ed.transport.connected")
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is True


def test_the_access_notices_have_no_serious_accessibility_violation(
    asgi_server: AsgiServer, template_map: Any, make_user: Any, browser: Any
) -> None:
    from tests.browser.test_accessibility import FAILING_IMPACTS, audit

    editor = grant(template_map, make_user, "editor")
    # bypass_csp: the pages' CSP (script-src 'self') would refuse the injected axe script.
    page = editor_page(browser, asgi_server, editor, bypass_csp=True)
    open_editor(page, asgi_server, template_map)
    first_card(page).dblclick()
    page.keyboard.type("Đang gõ dở")
    page.relay.send({"type": "error", "id": None, "code": "forbidden", "role": "commenter"})
    page.locator("#jm-access textarea").wait_for()
    serious = [v for v in audit(page) if v["impact"] in FAILING_IMPACTS]
    assert serious == [], serious
    page.relay.close(4404, "map_deleted")
    page.locator("#jm-access[data-state=ended]").wait_for()
    serious = [v for v in audit(page) if v["impact"] in FAILING_IMPACTS]
    assert serious == [], serious


@pytest.mark.parametrize(
    ("refuse", "title"),
    [
        ((4404, "map_deleted"), "Bản đồ này đã bị xoá."),
        ((4404, ""), "Bản đồ này không còn truy cập được."),  # refused with no reason
        ((4403, ""), "Quyền truy cập bản đồ này của bạn đã bị gỡ bỏ."),
    ],
)
def test_the_editor_says_what_happened_when_its_socket_is_refused_at_connect_time(
    asgi_server: AsgiServer,
    template_map: Any,
    member: Any,
    browser: Any,
    refuse: tuple[int, str],
    title: str,
) -> None:
    page = editor_page(browser, asgi_server, member)
    page.relay.refuse = refuse
    page.goto(f"{asgi_server.url}/maps/{template_map.pk}/", timeout=20000)
    notice = page.locator("#jm-access[data-state=ended]")
    notice.wait_for(timeout=5000)
    assert notice.locator(".jm-notice-title").inner_text() == title
    assert notice.locator("a.jm-notice-link").get_attribute("href") == "/"
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    if refuse == (4404, "map_deleted"):
        shoot(page, "editor-map-deleted-vi")
    time.sleep(1.5)
    assert len(page.relay.opened) == 1  # refused is final: no retrying, no REST fallback


def test_the_share_page_says_the_map_was_deleted(
    asgi_server: AsgiServer, template_map: Any, owner: Any, browser: Any
) -> None:
    from workspaces.models import ShareLink

    link = ShareLink.objects.create(map=template_map, role="viewer", created_by=owner)
    page = browser.new_context(locale="en-US").new_page()
    relay = Relay(page)
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("#jm-live[data-state=live]")
    relay.close(4404, "map_deleted")
    page.wait_for_selector("#jm-gone:not([hidden])", timeout=5000)
    assert page.locator("#jm-gone-title").inner_text() == "This map was deleted."
    assert page.locator("#jm-gone-detail").inner_text() == (
        "Nobody can open it any more, with this link or any other."
    )
    assert page.locator("#jm-grid").inner_html() == ""
    assert not page.locator("#jm-share-comments").is_visible()
    shoot(page, "share-map-deleted-en")
    time.sleep(1.5)
    assert len(relay.opened) == 1


def test_the_share_page_says_the_link_was_revoked_or_has_expired_and_what_to_do(
    asgi_server: AsgiServer, template_map: Any, owner: Any, browser: Any
) -> None:
    from workspaces.models import ShareLink
    from workspaces.sharing import share_link_revoke

    link = ShareLink.objects.create(
        map=template_map, role="commenter", created_by=owner, allow_export=True
    )
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("#jm-live[data-state=live]")
    off_loop(share_link_revoke, link=link)  # the server closes its sockets with 4403
    page.wait_for_selector("#jm-gone:not([hidden])", timeout=5000)
    assert page.locator("#jm-gone").get_attribute("role") == "alert"
    assert page.locator("#jm-gone-title").inner_text() == (
        "Liên kết này đã bị thu hồi hoặc đã hết hạn."
    )
    assert page.locator("#jm-gone-detail").inner_text() == (
        "Để xem lại bản đồ, hãy xin người đã chia sẻ cho bạn một liên kết mới."
    )
    # Nothing of the map is left to use: no grid, comments, download or print.
    assert page.locator("#jm-grid").inner_html() == ""
    assert not page.locator("#jm-share-comments").is_visible()
    assert page.locator(".jm-sh-head .jm-sh-button").count() == 0
    shoot(page, "share-link-revoked-vi")
