"""The dashboard's spreadsheet import dialog in a real browser: upload a workbook, read the
preview, correct a lane kind, create the map and land in the editor with those lanes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maps.models import JourneyMap
from tests.browser.conftest import AsgiServer
from tests.browser.test_pages import sign_in
from tests.sheets.helpers import GRID, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


def test_import_a_workbook_correct_a_lane_kind_and_open_the_map(
    page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any, tmp_path: Path
) -> None:
    workbook = tmp_path / "hanh-trinh.xlsx"
    workbook.write_bytes(xlsx(GRID, merges=("B4:C4",)))
    sign_in(page, asgi_server, "owner")

    page.locator("[data-jm-import]").first.click()
    page.set_input_files("#jm-im-file", str(workbook))
    preview = page.locator("[data-step=preview]")
    preview.wait_for(state="visible")
    stages = page.locator(".jm-im-stages li").evaluate_all(
        "items => items.map(li => [li.firstChild.textContent, li.lastChild.textContent])"
    )
    assert stages == [["Nhận thức", "6"], ["Cân nhắc", "3"], ["Mua hàng", "4"]]
    assert page.input_value("#jm-im-title-input") == "Hành trình mua sắm của chị Hoa"
    kinds = page.locator(".jm-im-lanes select")
    assert [kinds.nth(n).input_value() for n in range(5)] == [
        "actions",
        "touchpoints",
        "emotions",
        "obstacles",
        "text",
    ]
    # "Ghi chú" named no kind; the marketer makes it an opportunities lane.
    with page.expect_response(re.compile(r"/imports/preview/$")):
        kinds.nth(4).select_option("opportunities")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#jm-import").screenshot(path=str(SCREENSHOTS / "import-preview.png"))
    page.locator("[data-role=create]").click()

    page.wait_for_url(re.compile(r"/maps/[0-9a-f-]{36}/$"))
    journey_map = JourneyMap.objects.get(title="Hành trình mua sắm của chị Hoa")
    assert page.url.endswith(f"/maps/{journey_map.pk}/")
    lanes = list(journey_map.lanes.order_by("position").values_list("title", "kind"))
    assert lanes == [
        ("Hành động", "actions"),
        ("Điểm chạm", "touchpoints"),
        ("Cảm xúc", "emotions"),
        ("Pain points", "obstacles"),
        ("Ghi chú", "opportunities"),
    ]
    names = page.locator(".jm-lane-title .jm-lane-name")
    names.first.wait_for()
    assert names.all_inner_texts() == [title for title, _kind in lanes]
    assert page.console_errors == []
