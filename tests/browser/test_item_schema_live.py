"""A remote change of a card's opportunity attributes, in Chromium against uvicorn (issue 25).

The browser's op engine (static/js/editor/state.js) once kept its own item lists: a card took
only the common attributes, so someone else's `item.update` of a card's impact failed there and
the editor (and the share page) reloaded the whole document; and null did not clear effort,
reach or confidence, so a cleared score became "" in the browser but null on the server. Now
both pages apply it in place with the schema the server hands them (maps/item_schema.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_remote_update_of_a_cards_scores_is_applied_in_place(
    asgi_server: AsgiServer, template_map: Any, owner: Any, member: Any, browser: Any
) -> None:
    from maps.models import Item
    from maps.services import apply_ops
    from workspaces.sharing import share_link_create

    card = Item.objects.filter(map=template_map, kind="card").order_by("position").first()
    assert card is not None
    Item.objects.filter(pk=card.pk).update(impact=2, effort=3)
    link = share_link_create(journey_map=template_map, actor=owner, role="viewer")
    document_url = f"{asgi_server.url}/api/maps/{template_map.pk}/"
    shared_url = f"{asgi_server.url}/api/share/{link.token}/"

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    context.add_cookies([session_cookie(owner, asgi_server.url)])
    editor = context.new_page()
    errors: list[str] = []
    editor.on("pageerror", lambda error: errors.append(str(error)))
    loads: list[str] = []
    editor.on("request", lambda r: loads.append(r.url) if r.url.startswith(document_url) else None)
    editor.goto(f"{asgi_server.url}/maps/{template_map.pk}/")
    editor.wait_for_selector("body[data-ready=true]")
    editor.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    item = "([id]) => { const i = window.jmEditor.ed.store.item(id); return [i.impact, i.effort]; }"
    assert editor.evaluate(item, [str(card.pk)]) == [2, 3]

    viewer = browser.new_context().new_page()  # the share page: nobody signed in
    shared_loads: list[str] = []
    viewer.on("request", lambda r: shared_loads.append(r.url) if r.url == shared_url else None)
    viewer.goto(f"{asgi_server.url}/share/{link.token}/")
    viewer.wait_for_selector("#jm-live[data-state=live]")  # the socket is open (share=token)

    loaded, shared_loaded = len(loads), len(shared_loads)
    update = {"type": "item.update", "id": str(card.pk), "fields": {"impact": 5, "effort": None}}
    off_loop(apply_ops, map_id=template_map.pk, actor=member, change_id=uuid.uuid4(), ops=[update])
    template_map.refresh_from_db()
    revision = template_map.revision
    editor.wait_for_function(
        "([rev]) => window.jmEditor.ed.store.revision === rev", arg=[revision], timeout=5000
    )
    viewer.wait_for_selector(f"#jm-share[data-revision='{revision}']", timeout=5000)

    # Applied as the server did: impact set, effort cleared to null (not ""), and neither page
    # loaded the document again.
    assert editor.evaluate(item, [str(card.pk)]) == [5, None]
    confirmed = "([id]) => window.jmEditor.ed.store.confirmed.items.get(id).effort"
    assert editor.evaluate(confirmed, [str(card.pk)]) is None
    card.refresh_from_db()
    assert (card.impact, card.effort) == (5, None)
    assert loads[loaded:] == []
    assert shared_loads[shared_loaded:] == []
    assert errors == []
    context.close()
