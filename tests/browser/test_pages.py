"""The server-rendered pages in a real browser (Debian's Chromium through Playwright, served by
uvicorn: tests/browser/conftest.py): sign in, create a map from the template gallery, edit a
persona, switch the language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from maps.models import JourneyMap
from personas.models import Persona
from tests.browser.conftest import AsgiServer, server_password

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


def sign_in(page: Any, asgi_server: AsgiServer, username: str) -> None:
    from django.contrib.auth import get_user_model

    server_password(get_user_model().objects.get(username=username))
    page.goto(f"{asgi_server.url}/")
    assert "/login/" in page.url
    page.get_by_label(re.compile("Tên đăng nhập|Username")).fill(username)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill("pw")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{asgi_server.url}/")


def test_sign_in_and_create_a_map_from_the_gallery(
    page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any
) -> None:
    sign_in(page, asgi_server, "owner")
    page.get_by_role("link", name=re.compile("Start from a template|Bắt đầu")).first.click()
    page.wait_for_url(re.compile(r"/maps/new/$"))
    # A template card is a radio: reach it by keyboard and choose it with Space.
    card = page.locator("input[name=template][value=journey_4]")
    card.focus()
    page.keyboard.press("Space")
    assert card.is_checked()
    page.locator("input[name=title]").fill("Khách mua sắm trực tuyến")
    page.locator("select[name=language]").select_option("en")
    assert page.console_errors == []
    page.locator(".jm-create-bar button[type=submit]").click()
    page.wait_for_url(re.compile(r"/maps/[0-9a-f-]{36}/$"))
    editor_url = page.url
    # The editor page has its own browser tests; this one checks the pages around it.
    page.goto("about:blank")
    page.console_errors.clear()
    journey_map = JourneyMap.objects.get(title="Khách mua sắm trực tuyến")
    assert journey_map.language == "en"
    assert journey_map.template == "journey_4"
    assert journey_map.stages.count() == 4
    assert editor_url.endswith(f"/maps/{journey_map.pk}/")
    page.goto(f"{asgi_server.url}/")
    assert page.get_by_role("link", name="Khách mua sắm trực tuyến", exact=True).is_visible()
    assert page.console_errors == []


def test_edit_a_persona(page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any) -> None:
    sign_in(page, asgi_server, "owner")
    page.locator(".jm-nav a[href='/personas/']").click()
    page.locator("input[name=name]").fill("Chị Mai")
    page.locator(".jm-segmented label", has_text="B2B").click()
    page.locator("form.jm-inline-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/personas/[0-9a-f-]{36}/$"))
    page.locator("textarea[name=goals]").fill("Mua nhanh, giao đúng hẹn")
    page.locator("input[name=job_title]").fill("Trưởng phòng mua hàng")
    page.locator("input[name=channels][value=search]").check()
    page.locator(".jm-persona-hero button[type=submit]").click()
    page.wait_for_load_state()
    persona = Persona.objects.get(name="Chị Mai")
    assert persona.segment == "b2b"
    assert persona.goals == "Mua nhanh, giao đúng hẹn"
    assert persona.job_title == "Trưởng phòng mua hàng"
    assert persona.channels == ["search"]
    assert page.locator("h1").inner_text() == "Chị Mai"
    assert page.console_errors == []


def test_switch_language(page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any) -> None:
    sign_in(page, asgi_server, "owner")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator(".jm-lang button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".jm-lang button[value=en]").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("link", name="Personas").is_visible()
    page.locator(".jm-lang button[value=vi]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.console_errors == []


def test_workspace_switcher_by_keyboard(
    page: Any, asgi_server: AsgiServer, owner: Any, workspace: Any
) -> None:
    from workspaces.services import workspace_create

    workspace_create(name="Đội Bán lẻ", creator=owner)
    sign_in(page, asgi_server, "owner")
    switcher = page.locator("details.jm-ws-switcher")
    page.locator(".jm-ws-current").focus()
    page.keyboard.press("Enter")
    assert switcher.get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert switcher.get_attribute("open") is None
    page.keyboard.press("Enter")
    page.locator(".jm-ws-switcher button", has_text="Đội Bán lẻ").click()
    page.wait_for_load_state()
    assert page.locator(".jm-ws-name").inner_text() == "Đội Bán lẻ"
    assert page.console_errors == []
