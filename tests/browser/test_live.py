"""Two people in two browsers on one map, served by uvicorn (HTTP and the live socket) on the
test database: an edit in one shows in the other within a second, both see who is here, a
banner says when the connection is lost and back, and an edit made while offline arrives once
the connection is back, showing over a colleague's edit of the same field until then."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
# commit() returns a promise that settles on the server's answer; not awaited here, so an
# offline edit does not block the test.
COMMIT = "([id, name]) => { window.jmEditor.commit([{type: 'stage.update', id, fields: {name}}]); }"
NAME_IS = "([id, name]) => window.jmEditor.ed.store.stage(id).name === name"


def signed_in_page(browser: Any, server: AsgiServer, user: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    context.add_cookies([session_cookie(user, server.url)])
    return context.new_page()


class Cable:
    """The page's sockets to the server pass through here, so the test can cut them.

    (Chromium's offline emulation blocks new requests but leaves an open WebSocket alone.)
    While cut, the page's socket is closed as a dropped connection would be and every
    reconnection attempt fails at once."""

    def __init__(self, page: Any) -> None:
        self.cut = False
        self.routes: list[Any] = []
        page.route_web_socket(re.compile(r"/ws/maps/"), self.connect)

    def connect(self, route: Any) -> None:
        if self.cut:
            route.close(code=1011, reason="offline")
            return
        self.routes.append((route, route.connect_to_server()))

    def unplug(self) -> None:
        self.cut = True
        for route, server in self.routes:
            server.close()
            route.close(code=1011, reason="offline")
        self.routes.clear()

    def plug(self) -> None:
        self.cut = False


def test_two_people_see_each_others_edits_presence_and_offline_edits(
    asgi_server: AsgiServer, template_map: Any, owner: Any, member: Any, browser: Any
) -> None:
    stage_id = str(template_map.stages.order_by("position").first().pk)
    url = f"{asgi_server.url}/maps/{template_map.pk}/"
    lan = signed_in_page(browser, asgi_server, owner)
    minh = signed_in_page(browser, asgi_server, member)
    cable = Cable(minh)
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

    # Minh loses the connection: a banner says so, and his rename waits in the browser.
    cable.unplug()
    minh.wait_for_selector("#jm-connection[data-state=offline]", timeout=10000)
    minh.evaluate(COMMIT, [stage_id, "Ngoại tuyến"])
    assert minh.evaluate(NAME_IS, [stage_id, "Ngoại tuyến"])  # shown while unacknowledged
    # Meanwhile Lan renames the same stage and describes it; the server applies hers first.
    lan.evaluate(
        "([id]) => window.jmEditor.commit([{type: 'stage.update', id,"
        " fields: {name: 'Lan đổi', description: 'Mô tả của Lan'}}])",
        [stage_id],
    )
    lan.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
    # What Minh's editor shows from here on, every time the store changes.
    minh.evaluate(
        "([id]) => { window.shown = []; const store = window.jmEditor.ed.store;"
        " store.subscribe(() => window.shown.push(store.stage(id).name)); }",
        [stage_id],
    )
    cable.plug()
    minh.wait_for_selector("#jm-connection[data-state=online]", timeout=20000)
    lan.wait_for_function(NAME_IS, arg=[stage_id, "Ngoại tuyến"], timeout=20000)
    minh.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
    # Lan's change reached Minh before the answer to his own (server order): his pending name
    # kept showing over hers (the field rebased), her description came through.
    shown = minh.evaluate("() => window.shown")
    assert shown and "Lan đổi" not in shown, shown
    assert (
        minh.evaluate("([id]) => window.jmEditor.ed.store.stage(id).description", [stage_id])
        == "Mô tả của Lan"
    )
    assert minh.evaluate(NAME_IS, [stage_id, "Ngoại tuyến"])
    stage = template_map.stages.get(pk=stage_id)
    assert (stage.name, stage.description) == ("Ngoại tuyến", "Mô tả của Lan")
