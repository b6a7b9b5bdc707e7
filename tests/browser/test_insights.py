"""The insights repository in Chromium, as a marketer uses it: write down an interview quote,
attach it to three cards on two maps from the card panel and watch their evidence levels
change; create a survey result on the spot; read the insight page with every card it backs.
A link made elsewhere reaches an open editor live; a viewer sees the insights but cannot link.

With JM_SCREENSHOTS=<folder> the tests also save the pictures docs/screenshots/ shows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, session_cookie
from tests.portfolio.landscape_world import template_map

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

QUOTE = "Tôi không biết phí giao hàng cho đến bước thanh toán cuối cùng."


def new_page(browser: Any, user: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    tab: Any = context.new_page()
    errors: list[str] = []
    tab.errors = errors
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    context.add_cookies([session_cookie(user, url)])
    return tab


@pytest.fixture
def page(asgi_server: AsgiServer, browser: Any, owner: Any) -> Iterator[Any]:
    tab = new_page(browser, owner, asgi_server.url)
    yield tab
    tab.context.close()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    folder = os.environ.get("JM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


def open_editor(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")


def pains(journey_map: Any) -> list[str]:
    from maps.models import Item

    cards = Item.objects.filter(map=journey_map, lane__kind="obstacles").order_by(
        "stage__position", "position"
    )
    return [str(pk) for pk in cards.values_list("pk", flat=True)]


def card(page: Any, item: str) -> Any:
    return page.locator(f'.jm-card[data-id="{item}"]')


def attach(page: Any, item: str, words: str) -> None:
    card(page, item).click()
    panel = page.locator("#jm-panel .jm-insights-field")
    panel.get_by_role("button", name="Gắn insight").click()
    page.fill(".jm-insight-search", words)
    panel.locator(".jm-insight-pick").filter(has_text=words).first.click()
    page.wait_for_selector(f'.jm-card[data-id="{item}"][data-evidence]')


def test_a_marketer_attaches_an_interview_quote_to_three_cards_on_two_maps(
    page, asgi_server, workspace, owner
):
    checkout = off_loop(template_map, workspace, owner, "Mua nồi chiên trên web")
    repeat = off_loop(template_map, workspace, owner, "Mua lại qua ứng dụng")
    first, second = off_loop(pains, checkout)[:2]
    third = off_loop(pains, repeat)[0]

    # The quote, written down once for the workspace.
    page.goto(f"{asgi_server.url}/workspaces/{workspace.pk}/insights/new/")
    page.select_option("#id_kind", "interview")
    page.fill("#id_text", QUOTE)
    page.fill("#id_source_title", "Phỏng vấn chị Hoa, 12/10")
    page.fill("#id_participants", "1")
    page.fill("#id_tags", "thanh toán, phí ship")
    page.get_by_role("button", name="Lưu insight").click()
    assert page.locator(".jm-in-quote").inner_text().strip() == f"“{QUOTE}”"

    # Three cards on two maps: each becomes an anecdote.
    open_editor(page, f"{asgi_server.url}/maps/{checkout.pk}/")
    assert card(page, first).get_attribute("data-evidence") is None
    attach(page, first, "phí giao hàng")
    attach(page, second, "phí giao hàng")
    for item in (first, second):
        assert card(page, item).get_attribute("data-evidence") == "anecdote"
        assert "Giai thoại · 1" in card(page, item).locator(".jm-card-evidence").inner_text()
    assert page.locator("#jm-f-evidence").is_disabled()

    open_editor(page, f"{asgi_server.url}/maps/{repeat.pk}/")
    attach(page, third, "phí giao hàng")
    assert card(page, third).get_attribute("data-evidence") == "anecdote"

    # A survey result created on the spot makes the third card validated by data.
    panel = page.locator("#jm-panel .jm-insights-field")
    panel.get_by_role("button", name="Insight mới").click()
    page.select_option(".jm-insight-new-kind", "survey")
    page.fill(".jm-insight-new-text", "62% khách bỏ giỏ hàng vì phí giao hàng")
    panel.get_by_role("button", name="Tạo và gắn").click()
    page.wait_for_selector(f'.jm-card[data-id="{third}"][data-evidence="data"]')
    assert panel.locator(".jm-insight").count() == 2
    screenshot(page, "insight-editor-vi.png", full_page=False)

    # Detached again, the card is back to its hand-set level.
    panel.locator(".jm-insight").filter(has_text="62%").locator(".jm-insight-detach").click()
    page.wait_for_selector(f'.jm-card[data-id="{third}"][data-evidence="anecdote"]')

    # The insight page lists the three cards, map › stage › lane › card.
    page.goto(f"{asgi_server.url}/workspaces/{workspace.pk}/insights/")
    screenshot(page, "insights-vi.png")
    page.locator(".jm-in-card").filter(has_text="phí giao hàng cho đến").locator("a").first.click()
    uses = page.locator(".jm-in-cards li")
    assert uses.count() == 3
    assert {t.split(" › ")[0] for t in uses.all_inner_texts()} == {checkout.title, repeat.title}
    screenshot(page, "insight-vi.png")
    uses.first.locator("a").click()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#jm-panel .jm-insights-field .jm-insight")
    assert page.errors == []


def test_a_link_made_elsewhere_reaches_the_open_editor_and_a_viewer_cannot_link(
    page, asgi_server, browser, workspace, owner, make_user
):
    from insights.models import Insight
    from insights.services import insight_link
    from maps.models import Item
    from workspaces.models import MapAccess

    journey_map = off_loop(template_map, workspace, owner, "Hành trình dùng thử")
    item = off_loop(pains, journey_map)[0]
    quote = Insight.objects.create(workspace=workspace, kind="interview", text=QUOTE)
    viewer = make_user("viewer")
    MapAccess.objects.create(map=journey_map, user=viewer, role="viewer")
    open_editor(page, f"{asgi_server.url}/maps/{journey_map.pk}/")

    off_loop(lambda: insight_link(insight=quote, item=Item.objects.get(pk=item), actor=owner))
    page.wait_for_selector(f'.jm-card[data-id="{item}"][data-evidence="anecdote"]')

    watcher = new_page(browser, viewer, asgi_server.url)
    open_editor(watcher, f"{asgi_server.url}/maps/{journey_map.pk}/")
    card(watcher, item).click()
    panel = watcher.locator("#jm-panel .jm-insights-field")
    assert panel.locator(".jm-insight-text").inner_text() == QUOTE
    assert panel.get_by_role("button", name="Gắn insight").count() == 0
    assert panel.locator(".jm-insight-detach").count() == 0
    watcher.context.close()
    assert page.errors == []
