"""The opportunity portfolio in Chromium, as a marketer uses it: score an opportunity by
dragging it in the impact/effort matrix while a second browser has that map's editor open and
sees the card change live; move a card on the board by status; sort the table; and the page
picking up an editor's change by itself.

With JM_SCREENSHOTS=<folder> the tests also save the pictures docs/screenshots/ shows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maps.models import Item
from maps.services import apply_ops
from tests.browser.conftest import AsgiServer, off_loop, session_cookie
from tests.portfolio.portfolio_world import build_portfolio, link_solutions

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def new_page(browser: Any, asgi_server: AsgiServer, user: Any, locale: str = "vi-VN") -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale=locale)
    tab: Any = context.new_page()
    errors: list[str] = []
    tab.errors = errors
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    context.add_cookies([session_cookie(user, asgi_server.url)])
    return tab


@pytest.fixture
def page(asgi_server: AsgiServer, browser: Any, owner: Any) -> Iterator[Any]:
    tab = new_page(browser, asgi_server, owner)
    yield tab
    tab.context.close()


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("JM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def open_portfolio(page: Any, asgi_server: AsgiServer, workspace: Any) -> None:
    page.goto(f"{asgi_server.url}/workspaces/{workspace.pk}/portfolio/")
    page.wait_for_selector("#jm-portfolio[aria-busy=false]")


def cell(page: Any, impact: int, effort: int) -> Any:
    return page.locator(f'.jm-pf-cell[data-impact="{impact}"][data-effort="{effort}"]')


def test_a_marketer_drags_an_opportunity_in_the_matrix_and_the_open_editor_updates_live(
    page, browser, asgi_server, workspace, owner, member
):
    world = off_loop(build_portfolio, workspace, owner)
    item = world["checkout"]["opportunities"][1]  # impact 3, effort 4
    editor = new_page(browser, asgi_server, member)
    editor.goto(f"{asgi_server.url}/maps/{world['checkout']['map'].pk}/")
    editor.wait_for_selector("body[data-ready=true]")
    editor.wait_for_function("() => window.jmEditor.ed.transport.connected === true")
    on_map = editor.locator(f'.jm-card[data-id="{item}"]')
    assert on_map.locator('[data-score="impact"]').inner_text() == "Tác động 3"
    on_map.click()  # its detail panel shows every field of the opportunity
    assert editor.locator("#jm-f-impact").input_value() == "3"
    assert editor.locator("#jm-f-status").input_value() == "idea"

    open_portfolio(page, asgi_server, workspace)
    assert page.locator(".jm-h1").inner_text() == "Danh mục cơ hội"
    card = page.locator(f'.jm-pf-card[data-id="{item}"]')
    assert cell(page, 3, 4).locator(f'[data-id="{item}"]').count() == 1
    screenshot(page, "portfolio-matrix-vi.png")

    card.drag_to(cell(page, 5, 1))

    assert cell(page, 5, 1).locator(f'[data-id="{item}"]').count() == 1
    page.wait_for_function("() => document.querySelector('.jm-pf-live').textContent !== ''")
    editor.wait_for_function(
        f"""() => {{
            const card = document.querySelector('.jm-card[data-id="{item}"] [data-score="impact"]');
            return card && card.textContent === "Tác động 5";
        }}"""
    )
    assert on_map.locator('[data-score="effort"]').inner_text() == "Công sức 1"
    editor.wait_for_function("() => document.querySelector('#jm-f-impact').value === '5'")
    assert editor.locator("#jm-f-effort").input_value() == "1"
    screenshot(editor, "editor-opportunity-vi.png")
    saved = Item.objects.get(pk=item)
    assert (saved.impact, saved.effort) == (5, 1)
    assert page.errors == [] and editor.errors == []
    editor.context.close()


def test_an_unscored_card_is_scored_by_dragging_it_from_the_tray(
    page, asgi_server, workspace, owner
):
    world = off_loop(build_portfolio, workspace, owner)
    item = world["checkout"]["opportunities"][4]  # no scores
    open_portfolio(page, asgi_server, workspace)

    page.locator(f'.jm-pf-tray [data-id="{item}"]').drag_to(cell(page, 4, 2))

    page.wait_for_function("() => document.querySelector('.jm-pf-live').textContent !== ''")
    saved = Item.objects.get(pk=item)
    assert (saved.impact, saved.effort) == (4, 2)
    assert page.errors == []


def test_the_board_moves_an_opportunity_to_another_status(page, asgi_server, workspace, owner):
    world = off_loop(build_portfolio, workspace, owner)
    item = world["checkout"]["opportunities"][0]  # planned
    open_portfolio(page, asgi_server, workspace)
    page.click("[data-view=board]")

    column = page.locator('.jm-pf-column[data-status="in_progress"]')
    page.locator(f'.jm-pf-card[data-id="{item}"]').drag_to(column)

    assert column.locator(f'[data-id="{item}"]').count() == 1
    page.wait_for_function("() => document.querySelector('.jm-pf-live').textContent !== ''")
    assert Item.objects.get(pk=item).status == "in_progress"
    screenshot(page, "portfolio-board-vi.png")
    assert page.errors == []


def test_the_table_sorts_by_priority_and_by_effort(page, asgi_server, workspace, owner):
    world = off_loop(build_portfolio, workspace, owner)
    off_loop(link_solutions, world, owner)
    open_portfolio(page, asgi_server, workspace)
    page.click("[data-view=table]")

    first = page.locator(".jm-pf-table tbody tr").first.locator(".jm-pf-text")
    assert first.inner_text() == "Thanh toán một chạm bằng ví điện tử"  # highest priority
    page.click('[data-sort="effort"]')
    assert page.locator('th[aria-sort="descending"] [data-sort="effort"]').count() == 1
    assert first.inner_text() == "Theo dõi đơn hàng theo thời gian thực"  # effort 5
    page.click('[data-sort="effort"]')
    assert first.inner_text() == "Video hướng dẫn chọn size"  # effort 1
    screenshot(page, "portfolio-table-vi.png")
    assert page.errors == []


def test_the_page_picks_up_an_editors_change_by_itself(page, asgi_server, workspace, owner):
    world = off_loop(build_portfolio, workspace, owner)
    item = world["store"]["opportunities"][1]  # impact 2, effort 4
    open_portfolio(page, asgi_server, workspace)

    def rescore() -> None:
        op = {"type": "item.update", "id": item, "fields": {"impact": 5, "effort": 5}}
        import uuid

        apply_ops(map_id=world["store"]["map"].pk, actor=owner, change_id=uuid.uuid4(), ops=[op])

    off_loop(rescore)

    cell(page, 5, 5).locator(f'[data-id="{item}"]').wait_for(timeout=15000)
    assert page.errors == []


def test_a_viewer_sees_the_matrix_but_cannot_drag(
    browser, asgi_server, workspace, owner, make_user
):
    from workspaces.models import MapAccess

    world = off_loop(build_portfolio, workspace, owner)
    viewer = make_user("viewer")
    MapAccess.objects.create(map=world["checkout"]["map"], user=viewer, role="viewer")
    tab = new_page(browser, asgi_server, viewer)
    open_portfolio(tab, asgi_server, workspace)

    cards = tab.locator(".jm-pf-card")
    assert cards.count() == 5
    assert tab.locator(".jm-pf-card[draggable=true]").count() == 0
    tab.context.close()


def test_the_page_speaks_english(browser, asgi_server, workspace, owner):
    off_loop(build_portfolio, workspace, owner)
    tab = new_page(browser, asgi_server, owner, locale="en-US")
    tab.set_extra_http_headers({"Accept-Language": "en"})
    open_portfolio(tab, asgi_server, workspace)

    assert tab.locator(".jm-h1").inner_text() == "Opportunity portfolio"
    assert tab.locator(".jm-pf-q-quick strong").inner_text() == "Quick wins"
    tab.context.close()


def test_a_marketer_links_an_action_of_another_map_as_a_solution_then_unlinks_it(
    page, asgi_server, workspace, owner
):
    from portfolio.models import SolutionLink

    world = off_loop(build_portfolio, workspace, owner)
    opportunity = world["store"]["opportunities"][0]  # self-checkout, on the store map
    action = world["checkout"]["actions"][0]  # e-wallets, on the online map
    open_portfolio(page, asgi_server, workspace)
    page.click("[data-view=table]")
    row = page.locator(f'.jm-pf-table tr[data-id="{opportunity}"]')

    row.locator(".jm-pf-link-select").select_option(action)

    row.locator(".jm-pf-solution").wait_for()
    assert row.locator(".jm-pf-solution").inner_text().startswith("Tích hợp MoMo và ZaloPay")
    link = SolutionLink.objects.get()
    assert (str(link.action_id), str(link.opportunity_id)) == (action, opportunity)

    row.locator(".jm-pf-unlink").click()

    page.wait_for_function("() => document.querySelector('.jm-pf-live').textContent !== ''")
    row.locator(".jm-pf-solution").wait_for(state="detached")
    assert not SolutionLink.objects.exists()
    assert page.errors == []


def test_arrow_keys_move_a_focused_card_in_the_matrix(page, asgi_server, workspace, owner):
    world = off_loop(build_portfolio, workspace, owner)
    item = world["checkout"]["opportunities"][2]  # impact 2, effort 1
    open_portfolio(page, asgi_server, workspace)

    page.locator(f'.jm-pf-card[data-id="{item}"]').focus()
    page.keyboard.press("ArrowUp")

    assert cell(page, 3, 1).locator(f'[data-id="{item}"]').count() == 1
    page.wait_for_function("() => document.querySelector('.jm-pf-live').textContent !== ''")
    page.keyboard.press("ArrowRight")  # the card keeps the focus after moving
    cell(page, 3, 2).locator(f'[data-id="{item}"]').wait_for()
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.dataset.id === '{item}'"
    )

    def scores() -> tuple[int | None, int | None]:
        return Item.objects.values_list("impact", "effort").get(pk=item)

    assert _eventually(scores, (3, 2)) == (3, 2)
    assert page.errors == []


def _eventually(read: Any, expected: Any, seconds: float = 10) -> Any:
    """What `read` answers once it answers `expected`, or its last answer after `seconds`."""
    import time

    deadline = time.monotonic() + seconds
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value
