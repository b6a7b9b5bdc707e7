"""An automated WCAG 2.1 AA audit (axe-core, vendored in tests/browser/vendor/axe-core, injected
by Playwright) of every page and main state, in Vietnamese and English.

A serious or critical violation fails the test; so does a moderate or minor rule that is not
in KNOWN_MINOR (the documented ones in docs/accessibility.md), so a new kind of violation
cannot slip in. `AXE_REPORT=path` writes every violation found (rule, impact, nodes per state)
as JSON, which is how the table in docs/accessibility.md is made.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import AsgiServer, off_loop, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Moderate/minor rules accepted for now, each explained in docs/accessibility.md.
KNOWN_MINOR: set[str] = set()


def audit(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (rule id, impact, how many nodes, a target)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          return result.violations.map((v) => ({id: v.id, impact: v.impact,
            nodes: v.nodes.length, target: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
        }""",
        TAGS,
    )


@pytest.fixture
def world(owner: Any, workspace: Any) -> dict[str, Any]:
    """A map made from a template, with a version, a comment, a share link and a persona."""
    import uuid

    from history.services import version_create
    from maps.documents import map_create
    from maps.services import apply_ops
    from method.workspace_templates import template_document
    from personas.models import Persona
    from workspaces.sharing import share_link_create

    key = "buyer_journey_5"
    document = template_document(workspace=workspace, key=key, language="vi")
    journey_map = off_loop(
        map_create,
        workspace=workspace,
        actor=owner,
        title="Hành trình mua",
        document=document,
        template=key,
    )
    version_create(journey_map=journey_map, name="Bản đầu", actor=owner)
    stage = journey_map.stages.order_by("position").first()
    assert stage is not None
    comment = {
        "type": "comment.create",
        "id": str(uuid.uuid4()),
        "stage": str(stage.pk),
        "text": "Cần thêm số liệu",
    }
    off_loop(apply_ops, map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[comment])
    link = share_link_create(journey_map=journey_map, actor=owner, role="commenter")
    persona = Persona.objects.create(workspace=workspace, name="Chị Mai", created_by=owner)
    return {"map": journey_map, "token": link.token, "persona": persona}


# Editor states: what to click, and what shows it is open.
OPENERS = {
    "card": (".jm-card", "#jm-panel:not([hidden])"),
    "comments": ("[data-action=comments]", "#jm-comments:not([hidden])"),
    "share": ("[data-action=share]", "#jm-share-dialog[open]"),
    "export": ("[data-action=export]", "dialog[open]"),
    "present": ("[data-action=present]", "#jm-present:not([hidden])"),
}


def _open_editor(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("body[data-collab=ready]")


def _states(server: AsgiServer, world: dict[str, Any]) -> list[tuple[str, Callable[[Any], None]]]:
    """(name, how to reach it) for every page and main state, signed in as the map's owner."""
    url = server.url
    map_id = world["map"].pk
    editor = f"{url}/maps/{map_id}/"

    def goto(path: str) -> Callable[[Any], None]:
        def reach(page: Any) -> None:
            page.goto(url + path)
            page.wait_for_load_state("networkidle")

        return reach

    def editor_with(action: str | None) -> Callable[[Any], None]:
        def reach(page: Any) -> None:
            _open_editor(page, editor)
            if action == "help":
                page.locator("#jm-grid").focus()
                page.keyboard.press("?")
                page.wait_for_selector("#jm-help[open]")
            elif action:
                opener, opened = OPENERS[action]
                page.locator(opener).first.click()
                page.wait_for_selector(opened)
                page.wait_for_load_state("networkidle")

        return reach

    return [
        ("dashboard", goto("/")),
        ("templates", goto("/maps/new/")),
        ("import", goto("/maps/import/")),
        ("map settings", goto(f"/maps/{map_id}/settings/")),
        ("personas", goto("/personas/")),
        ("persona", goto(f"/personas/{world['persona'].pk}/")),
        ("history", goto(f"/maps/{map_id}/history/")),
        ("compare", goto(f"/maps/{map_id}/compare/")),
        ("side by side", goto(f"/maps/{map_id}/side-by-side/")),
        ("notifications", goto("/notifications/")),
        ("members", goto(f"/workspaces/{world['map'].workspace_id}/members/")),
        ("editor", editor_with(None)),
        ("editor, card panel", editor_with("card")),
        ("editor, comments", editor_with("comments")),
        ("editor, share dialog", editor_with("share")),
        ("editor, export dialog", editor_with("export")),
        ("editor, shortcuts help", editor_with("help")),
        ("presentation", editor_with("present")),
    ]


@pytest.fixture
def context_for(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(locale: str, phone: bool = False) -> Any:
        # The pages' CSP (script-src 'self') would refuse the injected axe script.
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 860}
        context = browser.new_context(
            locale=locale, viewport=size, bypass_csp=True, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _set_language(page: Any, server: AsgiServer, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_and_state_has_no_serious_accessibility_violation(
    language: str,
    asgi_server: AsgiServer,
    context_for: Callable[..., Any],
    owner: Any,
    world: dict[str, Any],
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    anonymous = context_for(f"{language}-VN" if language == "vi" else "en-GB").new_page()
    _set_language(anonymous, asgi_server, language)
    anonymous.goto(f"{asgi_server.url}/login/")
    found["sign-in"] = audit(anonymous)
    anonymous.goto(f"{asgi_server.url}/signup/")
    found["sign-up"] = audit(anonymous)
    anonymous.goto(f"{asgi_server.url}/share/{world['token']}/")
    anonymous.wait_for_selector("#jm-live[data-state=live]")
    found["share view"] = audit(anonymous)

    page = context_for(f"{language}-VN" if language == "vi" else "en-GB").new_page()
    page.context.add_cookies([session_cookie(owner, asgi_server.url)])
    _set_language(page, asgi_server, language)
    for name, reach in _states(asgi_server, world):
        reach(page)
        assert page.locator("html").get_attribute("lang") == language, name
        found[name] = audit(page)

    # The map is Vietnamese whatever the interface language: its text says so to the voice.
    assert page.locator("#jm-title").get_attribute("lang") == "vi"
    assert page.locator(".jm-card").first.get_attribute("lang") == "vi"
    assert page.locator(".jm-stage-name").first.get_attribute("lang") == "vi"

    phone = context_for(f"{language}-VN" if language == "vi" else "en-GB", phone=True).new_page()
    phone.context.add_cookies([session_cookie(owner, asgi_server.url)])
    _set_language(phone, asgi_server, language)
    phone.goto(f"{asgi_server.url}/share/{world['token']}/")
    phone.wait_for_selector("#jm-live[data-state=live]")
    found["phone, share view"] = audit(phone)
    _open_editor(phone, f"{asgi_server.url}/maps/{world['map'].pk}/")
    found["phone, editor"] = audit(phone)
    phone.click("[data-action=comments]")
    found["phone, editor comments"] = audit(phone)

    if os.environ.get("AXE_REPORT"):
        Path(f"{os.environ['AXE_REPORT']}.{language}.json").write_text(
            json.dumps(found, indent=1, ensure_ascii=False)
        )
    failing = {
        name: [
            v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] not in KNOWN_MINOR
        ]
        for name, violations in found.items()
    }
    failing = {name: violations for name, violations in failing.items() if violations}
    assert failing == {}, json.dumps(failing, indent=1, ensure_ascii=False)


def test_a_colleagues_arrival_and_card_edit_are_announced_politely(
    asgi_server: AsgiServer, template_map: Any, owner: Any, member: Any, browser: Any
) -> None:
    """What a screen-reader user hears: the polite live region #jm-announcer says who arrived
    and what they changed, in one sentence per change (not per keystroke)."""
    url = f"{asgi_server.url}/maps/{template_map.pk}/"
    pages = []
    for user in (owner, member):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
        context.add_cookies([session_cookie(user, asgi_server.url)])
        pages.append(context.new_page())
    lan, minh = pages
    region = lan.locator("#jm-announcer")
    lan.goto(url)
    lan.wait_for_selector("body[data-ready=true]")
    assert region.get_attribute("aria-live") == "polite"
    assert region.get_attribute("role") == "status"
    minh.goto(url)
    minh.wait_for_selector("body[data-ready=true]")
    lan.wait_for_function(
        "() => document.getElementById('jm-announcer').textContent.includes('Minh')", timeout=8000
    )
    assert region.inner_text() == "Minh đã vào bản đồ."

    card = template_map.items.filter(lane__kind="actions").order_by("position").first()
    minh.evaluate(
        "([id, text]) => window.jmEditor.commit([{type: 'item.update', id, fields: {text}}])",
        [str(card.pk), "So sánh giá trên hai trang"],
    )
    lan.wait_for_function(
        "() => document.getElementById('jm-announcer').textContent.includes('So sánh')",
        timeout=8000,
    )
    lane = card.lane.title
    stage = card.stage.name
    assert region.inner_text() == (
        f"Minh đã sửa thẻ “So sánh giá trên hai trang” ở {lane} · {stage}."
    )
    for page in pages:
        page.context.close()
