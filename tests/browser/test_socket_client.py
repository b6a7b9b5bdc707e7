"""static/js/editor/socket.js on its own, in Chromium, against a scripted fake WebSocket (the
module takes the WebSocket class and the heartbeat as options): a connection that goes silent
is dropped and reopened with ?since=, unacknowledged changes (including one made while
disconnected) are sent again in order with their ids and resolve on their acknowledgement,
reconnection backs off, and `export` messages reach onMessage listeners."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

SETUP = """async () => {
  const { createTransport } = await import('/static/js/editor/socket.js');
  document.body.append(Object.assign(document.createElement('div'), { id: 'jm-presence' }));
  const t = { sockets: [], acks: [], remotes: [], messages: [] };
  class FakeSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; this.sent = []; this.closedWith = null;
      this.at = performance.now(); this.silent = t.sockets.length === 0;
      t.sockets.push(this);
    }
    send(text) {
      const message = JSON.parse(text);
      this.sent.push(message);
      if (message.type === 'ping' && !this.silent) this.receive({ type: 'pong' });
    }
    close(code) { this.readyState = 3; this.closedWith = code; }
    open(revision) {
      this.readyState = 1;
      this.receive({ type: 'welcome', revision, role: 'editor', peers: [],
        you: { session: 's1', user: 1, name: 'Lan', color: '#4f46e5' } });
    }
    receive(message) { this.onmessage({ data: JSON.stringify(message) }); }
    drop() { this.readyState = 3; this.onclose({ code: 1006 }); }
  }
  t.transport = createTransport(
    { socket: '/ws/maps/m/', changes: '/api/maps/m/changes/' },
    { WebSocketImpl: FakeSocket, heartbeatMs: 200 });
  t.transport.onRemote((change) => t.remotes.push(change.revision));
  t.transport.onMessage((message) => t.messages.push(message));
  t.send = (id) => t.transport.send({ id, ops: [{ type: 'map.update', fields: { title: id } }] })
    .then((answer) => t.acks.push([id, answer.revision]));
  t.changesSent = (i) => t.sockets[i].sent.filter((m) => m.type === 'change').map((m) => m.id);
  window.t = t;
  t.transport.start(5);
}"""


def test_the_socket_client_resends_reconnects_with_backoff_and_passes_exports_on(
    asgi_server: AsgiServer, browser: Any
) -> None:
    page = browser.new_page()
    page.goto(f"{asgi_server.url}/login/")
    page.evaluate(SETUP)
    assert page.evaluate("() => t.sockets[0].url").endswith("/ws/maps/m/?since=5")
    page.evaluate("() => t.sockets[0].open(5)")
    page.wait_for_function("() => t.transport.connected")
    page.evaluate("() => { t.send('A'); }")
    assert page.evaluate("() => t.changesSent(0)") == ["A"]

    # The first socket never answers a ping: after two heartbeats it is dropped, the banner
    # says so, and a new socket asks for what came after revision 5.
    page.wait_for_function("() => t.sockets.length === 2", timeout=5000)
    assert page.evaluate("() => t.sockets[0].closedWith") == 4001
    assert page.evaluate("() => t.transport.connected") is False
    assert page.locator("#jm-connection").get_attribute("data-state") == "offline"
    assert page.evaluate("() => t.sockets[1].url").endswith("?since=5")

    # An edit while disconnected waits; on welcome both go out again, in order, same ids.
    page.evaluate("() => { t.send('B'); }")
    assert page.evaluate("() => t.changesSent(1)") == []
    page.evaluate("() => t.sockets[1].open(5)")
    page.wait_for_function("() => t.changesSent(1).length === 2")
    assert page.evaluate("() => t.changesSent(1)") == ["A", "B"]
    assert page.locator("#jm-connection").get_attribute("data-state") == "online"
    page.evaluate(
        """() => {
          const s = t.sockets[1];
          s.receive({ type: 'change', revision: 6, id: 'A', ops: [], actor: {} });
          s.receive({ type: 'change', revision: 6, id: 'A', ops: [], actor: {} });  // again
          s.receive({ type: 'change', revision: 7, id: 'B', ops: [], actor: {} });
          s.receive({ type: 'change', revision: 8, id: 'X', ops: [], actor: {} });
          s.receive({ type: 'export', id: 'j1', status: 'running', progress: 20, file: null });
        }"""
    )
    page.wait_for_function("() => t.acks.length === 2 && t.remotes.length === 1")
    assert page.evaluate("() => t.acks") == [["A", 6], ["B", 7]]
    assert page.evaluate("() => t.remotes") == [8]  # our own changes are acknowledgements
    assert page.evaluate("() => t.messages") == [
        {"type": "export", "id": "j1", "status": "running", "progress": 20, "file": None}
    ]
    assert page.evaluate("() => t.transport.pendingCount") == 0

    # Dropped again and again without a welcome: each wait is about twice the one before
    # (0.5 s, 1 s, 2 s, ±25 % jitter), and the next socket catches up from revision 8.
    page.evaluate("() => t.sockets[1].drop()")
    for count in (3, 4):
        page.wait_for_function(f"() => t.sockets.length === {count}", timeout=5000)
        page.evaluate(f"() => t.sockets[{count - 1}].drop()")
    page.wait_for_function("() => t.sockets.length === 5", timeout=5000)
    waits = page.evaluate("() => [2, 3, 4].map((i) => t.sockets[i].at - t.sockets[i - 1].at)")
    assert 375 <= waits[0] <= 900, waits
    assert 750 <= waits[1] <= 1600, waits
    assert 1500 <= waits[2] <= 2900, waits
    assert page.evaluate("() => t.sockets[4].url").endswith("?since=8")


def test_an_idle_editor_tells_the_others_it_is_still_here_with_every_heartbeat(
    asgi_server: AsgiServer, browser: Any
) -> None:
    # Peers drop a session they have not heard from for a minute; someone only reading the
    # map sends no presence of their own, so the heartbeat carries one.
    page = browser.new_page()
    page.goto(f"{asgi_server.url}/login/")
    page.evaluate(SETUP)
    page.evaluate("() => { t.sockets[0].silent = false; t.sockets[0].open(5); }")
    page.wait_for_function(
        "() => t.sockets[0].sent.filter((m) => m.type === 'presence').length >= 2", timeout=3000
    )
    presences = page.evaluate("() => t.sockets[0].sent.filter((m) => m.type === 'presence')")
    assert presences[0] == {"type": "presence", "editing": None, "cursor": None}
    assert len(page.evaluate("() => t.sockets")) == 1  # answered pings: still connected
