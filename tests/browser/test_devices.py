"""Phones and tablets (Chromium's device emulation through Playwright, served by uvicorn:
tests/browser/conftest.py). A phone (390 × 844, touch) gets the share view and a read-only
editor laid out for it: each lane a swipeable row of its stages, the emotion curve fitted to
the screen, a comment button always in reach. A tablet (1024 × 768, touch) edits: a card
dragged by touch to another stage, zoom by buttons and by pinching. Each state is saved in
docs/screenshots/ (`device-*.png`, with UPDATE_SCREENSHOTS=1) for people to look at."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.conftest import ROOT, AsgiServer, session_cookie
from workspaces.sharing import share_link_create

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
TABLET = {"viewport": {"width": 1024, "height": 768}, "device_scale_factor": 1, "is_mobile": True}


def shot(page: Any, name: str) -> None:
    """Take the screenshot; keep it in docs/screenshots/ when UPDATE_SCREENSHOTS=1 (so an
    ordinary test run leaves the tree as it was)."""
    keep = os.environ.get("UPDATE_SCREENSHOTS") == "1"
    page.screenshot(path=str(SCREENSHOTS / f"device-{name}.png") if keep else None)


@pytest.fixture
def device(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def open_page(profile: dict[str, Any], user: Any = None, server: Any = None) -> Any:
        context = browser.new_context(**{"has_touch": True, **profile}, locale="vi-VN")
        contexts.append(context)
        if user is not None:
            context.add_cookies([session_cookie(user, server.url)])
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_editor(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("body[data-collab=ready]")


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_phone_reads_the_share_view_and_can_comment(
    asgi_server: AsgiServer, template_map: Any, owner: Any, device: Any
) -> None:
    link = share_link_create(journey_map=template_map, actor=owner, role="commenter")
    page = device(PHONE, owner, asgi_server)
    page.goto(f"{asgi_server.url}/share/{link.token}/")
    page.wait_for_selector("#jm-live[data-state=live]")
    assert no_sideways_scroll(page)
    shot(page, "phone-share-vi")
    # Each lane scrolls sideways on its own, one stage at a time.
    row = page.locator(".jm-sh-phone-lane").first
    assert row.evaluate("(n) => getComputedStyle(n).scrollSnapType").startswith("x")
    page.locator(".jm-sh-phone-lane .jm-sh-card").first.tap()
    assert page.locator("#jm-share-comment").is_visible()
    page.locator("#jm-share-text").fill("Góp ý từ điện thoại")
    page.locator("#jm-share-comment [type=submit]").tap()
    page.wait_for_selector("#jm-share-threads p:has-text('Góp ý từ điện thoại')")
    shot(page, "phone-share-comment-vi")
    assert page.errors == []


def test_a_phone_shows_the_editor_read_only_with_a_comment_button(
    asgi_server: AsgiServer, template_map: Any, owner: Any, device: Any
) -> None:
    page = device(PHONE, owner, asgi_server)
    open_editor(page, f"{asgi_server.url}/maps/{template_map.pk}/")
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is False
    assert page.locator(".jm-add-card").count() == 0
    assert no_sideways_scroll(page)
    # The emotion curve fits the screen.
    width = page.locator(".jm-emotion-svg").evaluate("(n) => n.getBoundingClientRect().width")
    assert width <= 390
    shot(page, "phone-editor-vi")
    values = page.locator(".jm-emo-values")
    assert values.is_visible()
    assert values.locator("li").count() >= 5
    page.locator(".jm-ph-emotions").scroll_into_view_if_needed()
    shot(page, "phone-editor-emotions-vi")
    comment = page.locator("[data-action=comments]")
    assert comment.is_visible()
    page.locator(".jm-card").first.tap()
    comment.tap()
    page.wait_for_selector("#jm-comments:not([hidden]) textarea[data-main]")
    shot(page, "phone-editor-comment-vi")
    assert page.errors == []


def touch_drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A finger drag, as Chromium's touch input (pointerType "touch")."""
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", *start)
    steps = 12
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i / steps
        y = start[1] + (end[1] - start[1]) * i / steps
        touch("touchMove", x, y)
    touch("touchEnd", *end)


def pinch(page: Any, box: dict[str, float], *, apart: bool) -> None:
    """Two fingers moving apart (or together) over `box`, as Chromium's touch input."""
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    near, far = 20, 120
    start, end = (near, far) if apart else (far, near)
    for i in range(13):
        d = start + (end - start) * i / 12
        points = [{"x": x, "y": y - d / 2, "id": 0}, {"x": x, "y": y + d / 2, "id": 1}]
        kind = "touchStart" if i == 0 else "touchMove"
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_tablet_drags_a_card_by_touch_and_zooms(
    asgi_server: AsgiServer, template_map: Any, owner: Any, device: Any
) -> None:
    from maps.models import Item

    page = device(TABLET, owner, asgi_server)
    open_editor(page, f"{asgi_server.url}/maps/{template_map.pk}/")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is True
    shot(page, "tablet-editor-vi")
    page.locator("[data-action=zoom-out]").tap()
    page.wait_for_function("() => document.getElementById('jm-zoom').textContent !== '100%'")
    page.locator("[data-action=zoom-in]").tap()
    page.wait_for_function("() => document.getElementById('jm-zoom').textContent === '100%'")
    pinch(page, page.locator(".jm-lane-title").first.bounding_box(), apart=True)
    page.wait_for_function("() => document.getElementById('jm-zoom').textContent !== '100%'")
    assert page.evaluate("() => window.jmEditor.ed.zoom") > 1
    pinch(page, page.locator(".jm-lane-title").first.bounding_box(), apart=False)
    page.wait_for_function("() => window.jmEditor.ed.zoom <= 1")
    stages = list(template_map.stages.order_by("position"))
    actions = template_map.lanes.get(kind="actions")
    card = Item.objects.filter(lane=actions, stage=stages[0]).order_by("position").first()
    assert card is not None
    source = page.locator(f".jm-card[data-id='{card.pk}']").bounding_box()
    target = page.locator(
        f".jm-cell[data-lane='{actions.pk}'][data-stage='{stages[1].pk}']"
    ).bounding_box()
    touch_drag(
        page,
        (source["x"] + source["width"] / 2, source["y"] + 20),
        (target["x"] + target["width"] / 2, target["y"] + target["height"] - 10),
    )
    page.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
    page.wait_for_timeout(300)
    assert Item.objects.get(pk=card.pk).stage_id == stages[1].pk

    shot(page, "tablet-editor-after-drag-vi")
    assert page.errors == []


ZOOMED = {"viewport": {"width": 640, "height": 430}, "device_scale_factor": 2, "has_touch": False}


def test_at_200_percent_zoom_pages_reflow_and_the_editor_keeps_its_tools(
    asgi_server: AsgiServer, template_map: Any, owner: Any, device: Any
) -> None:
    """A 1280 × 860 screen at 200 % zoom is a 640 × 430 CSS viewport with a mouse: pages
    reflow without sideways scrolling and the editor stays an editor (WCAG 1.4.4, 1.4.10)."""
    page = device(ZOOMED, owner, asgi_server)
    for path in ("/", "/maps/new/", "/personas/", "/notifications/"):
        page.goto(asgi_server.url + path)
        assert no_sideways_scroll(page), path
    shot(page, "zoom200-notifications-vi")
    open_editor(page, f"{asgi_server.url}/maps/{template_map.pk}/")
    assert page.evaluate("() => window.jmEditor.ed.canEdit") is True
    for action in ("undo", "add-stage", "add-lane", "comments", "share", "export", "present"):
        button = page.locator(f".jm-ed-bar [data-action={action}]")
        button.scroll_into_view_if_needed()
        assert button.is_visible(), action
    assert no_sideways_scroll(page)  # the map scrolls inside its own pane, not the page
    shot(page, "zoom200-editor-vi")


def test_the_top_bar_keeps_every_section_on_one_row_on_a_tablet_and_a_laptop(
    asgi_server: AsgiServer, workspace: Any, owner: Any, device: Any
) -> None:
    """Seven sections (maps to webhooks) beside the logo, workspace and account: below the
    width they need, they move to a row of their own rather than breaking into stacked words."""
    for width in (1024, 1280, 1440):
        page = device({"viewport": {"width": width, "height": 800}}, owner, asgi_server)
        page.goto(asgi_server.url + "/")
        links = page.locator(".jm-nav a")
        assert links.count() == 7  # the owner is the workspace's admin: webhooks too
        tops = {round(box["y"]) for box in (links.nth(n).bounding_box() for n in range(7)) if box}
        heights = {
            round(box["height"]) for box in (links.nth(n).bounding_box() for n in range(7)) if box
        }
        assert len(tops) == 1, (width, tops)  # one row
        assert max(heights) < 48, (width, heights)  # no label broken over lines
        assert no_sideways_scroll(page), width
