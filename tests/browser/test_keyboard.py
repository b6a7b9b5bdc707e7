"""The editor without a mouse (Debian's Chromium through Playwright, served by uvicorn with the
live socket: tests/browser/conftest.py): from the dashboard's skip link to a map made from a
template, a stage, a card moved to another stage and lane, an emotion point, a comment, undo
and redo, the export dialog and the shortcuts dialog. Every control is reached with Tab or the
arrows (never `click`), every focus stop must show a focus indicator, and focus must land
somewhere sensible after each action."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, AsgiServer, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

# True when the focused element (or the card its hidden radio styles) shows a ring or outline.
FOCUS_VISIBLE = """() => {
  const lit = (node) => {
    if (!node) return false;
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || (style.boxShadow && style.boxShadow !== 'none');
  };
  const node = document.activeElement;
  if (!node || node === document.body) return true;
  if (node.tagName === 'CIRCLE' || node.tagName === 'g') {
    return getComputedStyle(node.querySelector('circle')).strokeWidth === '4px';
  }
  return lit(node) || lit(node.nextElementSibling) || lit(node.closest('label, .jm-tpl'));
}"""
DESCRIBE = """() => {
  const n = document.activeElement;
  return `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''}.${n.getAttribute('class') || ''}`
    + ` "${(n.getAttribute('aria-label') || n.textContent || '').trim().slice(0, 40)}"`;
}"""

LANE_KIND = """() => window.jmEditor.ed.store.lane(
  document.activeElement.closest('[data-lane]').dataset.lane).kind"""


@pytest.fixture
def page(asgi_server: AsgiServer, browser: Any, owner: Any, workspace: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    context.add_cookies([session_cookie(owner, asgi_server.url)])
    tab: Any = context.new_page()
    tab.errors = []
    tab.unlit = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement.matches(s)", selector))


def check_focus_ring(page: Any) -> None:
    if not page.evaluate(FOCUS_VISIBLE):
        page.unlit.append(page.evaluate(DESCRIBE))


def tab_to(page: Any, selector: str, *, backwards: bool = False, limit: int = 250) -> None:
    """Press Tab (or Shift+Tab) until `selector` has focus, checking each stop shows it."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        check_focus_ring(page)
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} not reached with Tab in {limit} presses (a trap?)")


def arrow_to(page: Any, key: str, selector: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        check_focus_ring(page)
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} not reached with {key}")


def settle(page: Any) -> None:
    page.wait_for_function("() => window.jmEditor && window.jmEditor.ed.store.pending.length === 0")


def test_a_map_is_made_and_edited_with_the_keyboard_alone(
    page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any
) -> None:
    from maps.models import Item, JourneyMap

    # The skip link is the first stop and moves focus into the page.
    page.goto(f"{asgi_server.url}/")
    page.keyboard.press("Tab")
    assert focused(page, "a.jm-skip")
    assert page.locator("a.jm-skip").is_visible()
    page.keyboard.press("Enter")
    assert focused(page, "main#main")

    # A map from a template: the radio group is one stop, the arrows choose.
    tab_to(page, "main a[href='/maps/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/maps/new/$"))
    tab_to(page, "input[name=template]")
    for _ in range(40):
        if page.evaluate("() => document.activeElement.value") == "buyer_journey_5":
            break
        page.keyboard.press("ArrowDown")
        check_focus_ring(page)
    page.keyboard.press("Space")
    assert page.locator("input[name=template][value=buyer_journey_5]").is_checked()
    tab_to(page, "input[name=title]")
    page.keyboard.type("Bản đồ bàn phím")
    tab_to(page, ".jm-create-bar button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/maps/[0-9a-f-]{36}/$"))
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("body[data-collab=ready]")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    journey_map = JourneyMap.objects.get(title="Bản đồ bàn phím")
    stage_count = journey_map.stages.count()

    # A stage: the toolbar button opens its name for typing; focus comes back to its header.
    tab_to(page, ".jm-ed-bar [data-action=add-stage]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".jm-stage-head .jm-inline")
    page.keyboard.press("Control+A")
    page.keyboard.type("Giai đoạn mới")
    page.keyboard.press("Enter")
    settle(page)
    assert journey_map.stages.count() == stage_count + 1
    new_stage = journey_map.stages.get(name="Giai đoạn mới")
    page.wait_for_function(
        "(id) => document.activeElement.matches(`.jm-stage-head[data-stage='${id}']`)",
        arg=str(new_stage.pk),
    )

    # A card: down from the header to the Actions lane's add button in the new stage.
    arrow_to(page, "ArrowDown", ".jm-add-card[data-action=add-card]")
    while page.evaluate(LANE_KIND) != "actions":
        arrow_to(page, "ArrowDown", ".jm-add-card[data-action=add-card]")
    cell = page.evaluate("() => document.activeElement.closest('.jm-cell').dataset")
    assert cell["stage"] == str(new_stage.pk)
    page.keyboard.press("Enter")
    page.keyboard.type("Thẻ chỉ dùng bàn phím")
    page.keyboard.press("Enter")
    settle(page)
    card = Item.objects.get(map=journey_map, text="Thẻ chỉ dùng bàn phím")
    card_selector = f".jm-card[data-id='{card.pk}']"
    page.wait_for_function("(s) => document.activeElement.matches(s)", arg=card_selector)
    # Screen readers hear the card's lane and stage with it.
    described = page.evaluate(
        """(s) => document.querySelector(s).getAttribute('aria-describedby').split(' ')
             .map((id) => document.getElementById(id).getAttribute('aria-label')).join(' | ')""",
        card_selector,
    )
    assert "Giai đoạn mới" in described

    # Moved to the previous stage (Alt+←), then past the end of its cell into the next lane
    # of the same kind (Alt+↓); focus stays on the card.
    page.keyboard.press("Alt+ArrowLeft")
    settle(page)
    page.wait_for_function("(s) => document.activeElement.matches(s)", arg=card_selector)
    page.keyboard.press("Alt+ArrowDown")
    settle(page)
    page.wait_for_function("(s) => document.activeElement.matches(s)", arg=card_selector)
    moved = Item.objects.get(pk=card.pk)
    assert moved.stage_id != new_stage.pk
    assert moved.lane_id != card.lane_id
    assert moved.lane.kind != "emotions"

    # A comment on the card: "c" on it opens the drawer with focus in its text box; type,
    # send; focus stays in the drawer; Escape closes it and returns to the card.
    page.keyboard.press("c")
    assert focused(page, "#jm-comments textarea[data-main]")
    page.keyboard.type("Góp ý bằng bàn phím")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#jm-comments .jm-cm-text:has-text('Góp ý bằng bàn phím')")
    assert page.evaluate(
        "() => document.getElementById('jm-comments').contains(document.activeElement)"
    )
    page.keyboard.press("Escape")
    assert focused(page, card_selector)
    assert journey_map.comments.filter(item=card.pk, text="Góp ý bằng bàn phím").exists()

    # The map is one Tab stop: Tab leaves it, Shift+Tab comes back to the same card.
    assert page.locator("#jm-grid [tabindex='0']").count() == 1
    page.keyboard.press("Tab")
    check_focus_ring(page)
    assert not page.evaluate(
        "() => document.getElementById('jm-grid').contains(document.activeElement)"
    )
    page.keyboard.press("Shift+Tab")
    assert focused(page, card_selector)

    # An emotion point: down the arrows into the curve, ↑ raises it one level; focus stays.
    arrow_to(page, "ArrowDown", ".jm-emo-point")
    point_id = page.evaluate("() => document.activeElement.dataset.id")
    before = Item.objects.get(pk=point_id).score or 0
    page.keyboard.press("ArrowUp" if before < 2 else "ArrowDown")
    settle(page)
    page.wait_for_function(
        "(id) => document.activeElement.matches(`.jm-emo-point[data-id='${id}']`)", arg=point_id
    )
    after = Item.objects.get(pk=point_id).score
    assert after != before

    # Undo and redo from the keyboard.
    page.keyboard.press("Control+z")
    settle(page)
    assert Item.objects.get(pk=point_id).score == before
    page.keyboard.press("Control+Shift+z")
    settle(page)
    assert Item.objects.get(pk=point_id).score == after

    # The export dialog: opened from its button, Escape closes it and focus returns.
    tab_to(page, "[data-action=export]")
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog[open]")
    assert page.evaluate(
        "() => document.querySelector('dialog[open]').contains(document.activeElement)"
    )
    page.keyboard.press("Escape")
    assert page.locator("dialog[open]").count() == 0
    assert focused(page, "[data-action=export]")

    # `?` lists the shortcuts in a labelled dialog.
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name=re.compile("Phím tắt|Keyboard shortcuts"))
    assert help_dialog.is_visible()
    assert help_dialog.locator("kbd").count() >= 8
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "shortcuts-help-vi.png"))
    page.keyboard.press("Escape")
    assert page.locator("#jm-help[open]").count() == 0
    assert focused(page, "[data-action=export]")

    # The presentation: the stage's name takes focus on each slide, Tab stays inside, Escape
    # returns to the button that opened it.
    tab_to(page, "[data-action=present]", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("#jm-present:not([hidden])")
    page.keyboard.press("ArrowRight")
    assert focused(page, "#jm-present .jm-slide-title")
    for _ in range(6):
        page.keyboard.press("Tab")
        check_focus_ring(page)
        assert page.evaluate(
            "() => document.getElementById('jm-present').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    assert page.locator("#jm-present").is_hidden()
    page.wait_for_function("() => document.activeElement.matches('[data-action=present]')")

    assert page.unlit == [], page.unlit
    assert page.errors == []


def test_a_shared_map_is_commented_on_with_the_keyboard(
    page: Any, asgi_server: AsgiServer, template_map: Any, owner: Any
) -> None:
    from workspaces.sharing import share_link_create

    link = share_link_create(journey_map=template_map, actor=owner, role="commenter")
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("#jm-live[data-state=live]")
    # Cards are buttons: Tab reaches one, Enter picks it and moves to the comment box.
    tab_to(page, ".jm-sh-grid .jm-sh-card")
    picked = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert focused(page, "#jm-share-text")
    assert picked in page.locator("#jm-share-target").inner_text()
    page.keyboard.type("Góp ý không dùng chuột")
    page.keyboard.press("Enter")
    page.wait_for_selector("#jm-share-threads p:has-text('Góp ý không dùng chuột')")
    assert template_map.comments.filter(text="Góp ý không dùng chuột").exists()
    assert page.unlit == [], page.unlit
    assert page.errors == []
