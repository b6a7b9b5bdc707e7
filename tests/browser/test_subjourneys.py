"""Sub-journeys and the landscape in Chromium, as a marketer uses them: link a stage to a
sub-journey from the side panel, open it from the stage's chip, walk back up the breadcrumbs;
then the workspace landscape with its tree, happiness and health, filtered and grouped.

With JM_SCREENSHOTS=<folder> the tests also save the pictures docs/screenshots/ shows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, session_cookie
from tests.portfolio.landscape_world import build_landscape, stages_of, template_map

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(asgi_server: AsgiServer, browser: Any, owner: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    tab: Any = context.new_page()
    errors: list[str] = []
    tab.errors = errors
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    context.add_cookies([session_cookie(owner, asgi_server.url)])
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("JM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def open_editor(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("() => window.jmEditor.ed.transport.connected === true")


def test_a_marketer_links_a_stage_to_a_sub_journey_then_walks_down_and_back_up(
    page, asgi_server, workspace, owner
):
    macro = off_loop(template_map, workspace, owner, "Hành trình mua nồi chiên")
    sub = off_loop(template_map, workspace, owner, "Thanh toán và giao hàng")
    stage = off_loop(stages_of, macro)[3]
    open_editor(page, f"{asgi_server.url}/maps/{macro.pk}/")

    page.locator(f'.jm-stage-head[data-stage="{stage.pk}"] .jm-stage-name').click()
    page.select_option("#jm-f-subjourney", str(sub.pk))
    page.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")

    chip = page.locator(f'.jm-stage-head[data-stage="{stage.pk}"] .jm-subjourney-chip')
    assert chip.inner_text().strip().endswith(sub.title)
    screenshot(page, "editor-subjourney-panel-vi.png")
    page.locator("#jm-panel [data-action=close-panel]").click()
    screenshot(page, "editor-subjourney-vi.png")
    chip.click()
    page.wait_for_url(f"**/maps/{sub.pk}/")
    page.wait_for_selector("body[data-ready=true]")
    crumbs = page.locator(".jm-crumbs a")
    assert crumbs.all_inner_texts() == [macro.title]
    screenshot(page, "editor-breadcrumbs-vi.png")

    # Linking back up would be a cycle: the macro map is offered but cannot be picked.
    page.locator(".jm-stage-head .jm-stage-name").first.click()
    option = page.locator(f'#jm-f-subjourney option[value="{macro.pk}"]')
    assert option.is_disabled()
    assert "nằm trên bản đồ này" in option.inner_text()

    # Were it sent anyway (another tab linked meanwhile), the refusal is said in Vietnamese.
    sub_stage = page.locator(".jm-stage-head").first.get_attribute("data-stage")
    page.evaluate(
        """([stage, target]) => window.jmEditor.commit(
             [{type: "stage.update", id: stage, fields: {subjourney: target}}])""",
        [sub_stage, str(macro.pk)],
    )
    page.wait_for_selector("#jm-toast.jm-show")
    assert "vòng lặp" in page.locator("#jm-toast").inner_text()
    assert page.locator(".jm-subjourney-chip").count() == 0

    crumbs.first.click()
    page.wait_for_url(f"**/maps/{macro.pk}/")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(".jm-subjourney-chip").count() == 1
    assert page.errors == []


def test_the_landscape_shows_the_tree_with_happiness_and_health_then_filters_and_groups(
    page, asgi_server, workspace, owner
):
    world = off_loop(build_landscape, workspace, owner)

    page.goto(f"{asgi_server.url}/workspaces/{workspace.pk}/landscape/")
    page.wait_for_selector("#jm-landscape[aria-busy=false]")

    assert page.locator("h1").inner_text() == "Toàn cảnh hành trình"
    top = page.locator(".jm-ls-top > .jm-ls-node")
    assert top.count() == 2  # the macro journey and the map under nothing
    macro = page.locator(f'.jm-ls-card[data-map="{world["macro"].pk}"]')
    nested = page.locator(".jm-ls-node .jm-ls-node .jm-ls-node .jm-ls-card")
    assert nested.get_attribute("data-map") == str(world["payment"].pk)
    assert (
        "Giữ chân" in page.locator(f'.jm-ls-card[data-map="{world["checkout"].pk}"]').inner_text()
    )
    hoa = macro.locator(".jm-ls-happy li", has_text="Chị Hoa")
    assert hoa.locator(".jm-ls-happy-value").inner_text() == "60%"
    assert int(macro.locator(".jm-ls-health strong").inner_text()) > 0
    assert "Tỷ lệ chuyển đổi" in macro.locator(".jm-ls-metrics").inner_text()
    screenshot(page, "landscape-vi.png")

    page.select_option("select[name=persona]", str(world["nam"].pk))
    cards = page.locator(".jm-ls-card:not(.jm-ls-dim)")
    shown = {cards.nth(i).get_attribute("data-map") for i in range(cards.count())}
    assert shown == {str(world["macro"].pk), str(world["research"].pk)}

    page.click("button[type=reset]")
    page.click("[data-view=grid]")
    page.select_option("select[name=group]", "status")
    titles = page.locator(".jm-ls-group-title").all_inner_texts()
    assert [t.split("\n")[0] for t in titles] == ["Bản nháp", "Đang duyệt", "Đã duyệt"]
    screenshot(page, "landscape-grid-vi.png")

    macro.locator(".jm-ls-title a").click()
    page.wait_for_url(f"**/maps/{world['macro'].pk}/")
    assert page.errors == []
