"""Hostile input in a real browser (issue 8): a map with an XSS payload in every text field
(tests/xss_corpus.py) shows each payload as text in the editor, the share view, persona pages,
the dashboard, settings, history, compare, activity and notifications, and payloads typed
through the editor's own UI by keyboard come back as text too.

Pages run with Chromium's CSP bypassed, so escaping is tested on its own (the CSP would
otherwise stop an injected inline handler and hide the bug). An injection is caught three
ways: a dialog, a call of the trapped alert/confirm/prompt, or an element a payload would
leave in the DOM (img[src=x], [onerror], svg[onload], iframe, inline script…)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, off_loop
from tests.conftest import CHROMIUM
from tests.xss_corpus import (
    INJECTED_SELECTOR,
    MISSING_SCRIPT,
    PAYLOADS,
    PROBE_SCRIPT,
    TRAP_SCRIPT,
    Corpus,
    HostileMap,
    hostile_map,
    hostile_ops,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def xss_browser() -> Iterator[Any]:
    """One Chromium for the module; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
    # steps are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Tab:
    """A page with the XSS trap installed and every dialog recorded (and dismissed)."""

    def __init__(self, browser: Any, live_server: Any, user: Any | None) -> None:
        self.context = browser.new_context(
            locale="vi-VN", viewport={"width": 1440, "height": 900}, bypass_csp=True
        )
        self.context.add_init_script(TRAP_SCRIPT)
        self.base = live_server.url
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        if user is not None:
            self.sign_in(user)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def sign_in(self, user: Any, workspace: Any | None = None) -> None:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        if workspace is not None:  # the one the pages show (else the first by name)
            session = client.session
            session["workspace_id"] = str(workspace.pk)
            session.save()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.clear_cookies()
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base}]
        )

    def open(self, path: str, ready: str = "body") -> Any:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_selector(ready, state="attached")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self, where: str) -> None:
        """Nothing a payload could have injected is in the page, and nothing ran."""
        probe = self.page.evaluate(PROBE_SCRIPT, INJECTED_SELECTOR)
        assert probe["injected"] == [], f"{where}: injected elements {probe['injected']}"
        assert probe["trapped"] == [], f"{where}: a payload ran {probe['trapped']}"
        assert self.dialogs == [], f"{where}: dialogs {self.dialogs}"
        bad = [u for u in self.requests if u.startswith("javascript:") or u.endswith("/x")]
        assert bad == [], f"{where}: a payload made requests {bad}"

    def assert_shows(self, wanted: dict[str, str], where: str) -> None:
        missing = self.page.evaluate(MISSING_SCRIPT, list(wanted.values()))
        names = [key for key, value in wanted.items() if value in missing]
        assert names == [], f"{where}: not shown as text: {names}"

    def check(self, wanted: dict[str, str], where: str) -> None:
        self.assert_clean(where)
        self.assert_shows(wanted, where)

    def close(self) -> None:
        self.context.close()


def settle(page: Any) -> None:
    page.wait_for_function("() => window.jmEditor && window.jmEditor.ed.store.pending.length === 0")


@pytest.fixture
def hostile(
    client_for: Any, owner: Any, member: Any, workspace: Any, journey_map: Any
) -> HostileMap:
    made: HostileMap = off_loop(
        hostile_map,
        client=client_for(owner),
        actor=owner,
        workspace=workspace,
        journey_map=journey_map,
    )
    return made


def hostile_current_state(client: Any, owner: Any, future: Any) -> HostileMap:
    """A second hostile map, linked as the current state `future` improves on."""
    from maps.documents import map_create
    from maps.services import apply_ops

    current = map_create(workspace=future.workspace, actor=owner, title="Hiện tại")
    ops, made = hostile_ops(Corpus())
    apply_ops(map_id=current.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    apply_ops(
        map_id=future.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[{"type": "map.update", "fields": {"type": "future"}}],
    )
    response = client.put(
        f"/api/maps/{future.pk}/current-state/", {"map": str(current.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    return made


def test_every_page_shows_the_payloads_as_text_and_runs_none(
    xss_browser: Any,
    client_for: Any,
    live_server: Any,
    hostile: HostileMap,
    owner: Any,
    member: Any,
    workspace: Any,
    journey_map: Any,
) -> None:
    from workspaces.models import ShareLink

    t = hostile.texts
    # A display name is only set by an administrator, but it is shown beside every comment.
    owner.first_name, owner.last_name = "<img src=x onerror=alert(1)>", '"><b>Lan</b>'
    owner.save()
    t["owner.name"] = f"{owner.first_name} {owner.last_name}"
    tab = Tab(xss_browser, live_server, None)
    tab.sign_in(owner, workspace)
    try:
        # The editor: every text the grid draws, then the side panel's fields and a thread.
        page = tab.open(f"/maps/{journey_map.pk}/", "body[data-ready=true]")
        grid = {
            k: v
            for k, v in t.items()
            if k in {"map.title", "stage1.name", "stage2.name"}
            or (k.startswith("lane.") and (k.endswith(".title") or k.endswith(".description")))
            or k
            in {
                "item.card.text",
                "item.touchpoint.text",
                "item.touchpoint.owner",
                "item.metric.name",
                "item.metric.text",
                "item.metric.unit",
                "item.action.text",
                "item.action.owner",
                "persona.name",
                "persona.quote",
                "persona.job_title",
            }
        }
        tab.check(grid, "editor")
        page.click(f".jm-stage-head[data-stage='{hostile.ids['stage1']}']")
        page.wait_for_selector("#jm-panel:not([hidden]) textarea[name=description]")
        tab.check({"stage1.description": t["stage1.description"]}, "stage panel")
        for kind, fields in {
            "card": ["text", "source"],
            "touchpoint": ["owner", "source"],
            "emotion": ["note", "text"],
            "metric": ["name", "unit"],
        }.items():
            page.click(f"[data-id='{hostile.ids[f'item.{kind}']}']")
            page.wait_for_selector("#jm-panel:not([hidden]) [name=source]")
            tab.check({f: t[f"item.{kind}.{f}"] for f in fields}, f"{kind} panel")
        page.click(f".jm-card[data-id='{hostile.ids['item.card']}']")
        page.click("[data-action=comments]")
        page.wait_for_selector(".jm-cm-text")
        tab.check({k: t[k] for k in ("comment.text", "owner.name")}, "comments")

        # The presentation (one stage at a time) and the share dialog's invite box.
        tab.open(f"/maps/{journey_map.pk}/", "body[data-ready=true]")
        page.click("[data-action=present]")
        page.wait_for_selector("#jm-present:not([hidden]) .jm-slide-title")
        slide = ["stage1.name", "stage1.description", "item.card.text", "item.emotion.note"]
        tab.check({k: t[k] for k in slide}, "presentation")
        page.keyboard.press("Escape")
        page.click("[data-action=share]")
        page.fill(".jm-sh-invite input[name=who]", "@<img src=x onerror=alert(1)>")
        page.click(".jm-sh-invite [type=submit]")
        page.wait_for_selector("#jm-toast.jm-show[data-kind=error]")
        tab.assert_clean("share dialog")

        # The settings page (objective, scenario) and the persona pages.
        tab.open(f"/maps/{journey_map.pk}/settings/")
        tab.check({k: t[k] for k in ("map.title", "map.objective", "map.scenario")}, "settings")
        tab.open("/personas/")
        tab.check({"persona.name": t["persona.name"]}, "persona list")
        tab.open(f"/personas/{hostile.ids['persona']}/")
        tab.check(hostile.where("persona."), "persona page")

        # Dashboard, template gallery, history (with the named version), compare, activity.
        tab.open("/")
        tab.check({"map.title": t["map.title"]}, "dashboard")
        page.locator(".jm-ws-current").click()
        tab.check({"workspace.name": t["workspace.name"]}, "workspace switcher")
        tab.open("/maps/new/")
        tab.check({"template.name": t["template.name"]}, "template gallery")
        tab.open(f"/maps/{journey_map.pk}/history/", "#jm-versions button")
        tab.check({"version.name": t["version.name"], "map.title": t["map.title"]}, "history")
        page.click(f"#jm-versions button:has-text('{t['version.name'][-4:]}')")
        page.wait_for_selector("#jm-preview-grid th.jm-sh-stage")
        tab.check({"stage1.name": t["stage1.name"]}, "history preview")
        journey_map.refresh_from_db()
        tab.open(
            f"/maps/{journey_map.pk}/compare/?from=0&to={journey_map.revision}",
            "#jm-grid th.jm-sh-stage",
        )
        compared = ["stage1.name", "stage2.name", "item.card.text", "lane.actions.title"]
        tab.check({k: t[k] for k in compared}, "compare")
        # Side by side with a current-state map that is hostile too.
        before = off_loop(hostile_current_state, client_for(owner), owner, journey_map)
        tab.open(f"/maps/{journey_map.pk}/side-by-side/", "#jm-sbs-grid .jm-sh-sbs-stage")
        tab.check(
            {
                "map.title": t["map.title"],
                "stage1.name": t["stage1.name"],
                "item.card.text": t["item.card.text"],
                "current.title": before.texts["map.title"],
                "current.stage": before.texts["stage1.name"],
                "current.card": before.texts["item.card.text"],
            },
            "side by side",
        )
        tab.open(f"/workspaces/{workspace.pk}/activity/", "#jm-feed li")
        tab.check({"map.title": t["map.title"]}, "activity")

        # The member was mentioned: the notification quotes the comment as text.
        tab.sign_in(member, workspace)
        tab.open("/notifications/", "#jm-note-list li")
        tab.check({k: t[k] for k in ("comment.text", "owner.name")}, "notifications")
    finally:
        tab.close()

    # The share view, for someone not signed in.
    link = ShareLink.objects.create(map=journey_map, role="commenter", created_by=owner)
    guest = Tab(xss_browser, live_server, None)
    try:
        page = guest.open(f"/share/{link.token}/", "th.jm-sh-stage")
        shared = {
            k: t[k]
            for k in (
                "map.title",
                "map.objective",
                "stage1.name",
                "stage2.name",
                "item.card.text",
                "item.touchpoint.text",
                "item.emotion.note",
                "item.metric.name",
                "item.metric.unit",
                "item.action.text",
                "item.action.owner",
            )
        }
        shared |= {k: v for k, v in t.items() if k.startswith("lane.") and k.endswith(".title")}
        guest.check(shared, "share view")
        page.click(f"th.jm-sh-stage[data-id='{hostile.ids['stage1']}']")
        page.wait_for_selector("#jm-share-threads p")
        guest.check({k: t[k] for k in ("stage_comment.text", "owner.name")}, "share comments")
        assert guest.errors == []
    finally:
        guest.close()


def test_payloads_typed_in_the_editor_come_back_as_text(
    xss_browser: Any, live_server: Any, owner: Any, workspace: Any, journey_map: Any
) -> None:
    from maps.models import Comment, Item, Lane, Stage

    tab = Tab(xss_browser, live_server, owner)
    typed = {
        "stage": PAYLOADS[2] + " Nhận thức",  # "><svg onload=…>
        "lane": PAYLOADS[9][:100],  # " autofocus onfocus="…
        "card": PAYLOADS[1] + " – Khách hàng",  # <img src=x onerror=…>
        "renamed": PAYLOADS[10],  # </textarea><script>…
        "source": PAYLOADS[7] + " " + PAYLOADS[4],  # RTL override, {{7*7}}
        "comment": PAYLOADS[0] + " @member " + PAYLOADS[6],  # <script>, entities
    }
    try:
        page = tab.open(f"/maps/{journey_map.pk}/", "body[data-ready=true]")
        page.click(".jm-empty-map [data-action=add-stage]")
        page.keyboard.press("Control+A")
        page.keyboard.type(typed["stage"])
        page.keyboard.press("Enter")
        settle(page)
        page.click(".jm-ed-bar [data-action=add-lane]")
        page.select_option("#jm-lane-kind", "actions")
        page.locator("#jm-lane-title").focus()
        page.keyboard.type(typed["lane"])
        page.click("#jm-lane-dialog [value=add]")
        settle(page)
        page.locator(".jm-add-card").first.focus()
        page.keyboard.press("Enter")
        page.keyboard.type(typed["card"])
        page.keyboard.press("Enter")
        settle(page)
        tab.check({k: typed[k] for k in ("stage", "lane", "card")}, "typed")

        # Rename the card, give it a research source, and comment on it.
        page.locator(".jm-card").first.focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Control+A")
        page.keyboard.type(typed["renamed"])
        page.keyboard.press("Enter")
        settle(page)
        page.locator(".jm-card").first.click()
        source = page.locator("#jm-panel textarea[name=source]")
        source.focus()
        page.keyboard.type(typed["source"])
        page.keyboard.press("Tab")
        settle(page)
        page.click("[data-action=comments]")
        page.locator(".jm-cm-form textarea").focus()
        page.keyboard.type(typed["comment"])
        page.click(".jm-cm-form [type=submit]")
        page.wait_for_selector(".jm-cm-text")
        tab.check({k: typed[k] for k in ("renamed", "source", "comment")}, "typed, panel")

        # Stored exactly as typed (NFC), and shown as text again after a reload.
        stage = Stage.objects.get(map=journey_map)
        lane = Lane.objects.get(map=journey_map)
        item = Item.objects.get(map=journey_map)
        comment = Comment.objects.get(map=journey_map)
        assert stage.name == typed["stage"]
        assert lane.title == typed["lane"]
        assert (item.text, item.source) == (typed["renamed"], typed["source"])
        assert comment.text == typed["comment"]
        tab.open(f"/maps/{journey_map.pk}/", "body[data-ready=true]")
        tab.check({k: typed[k] for k in ("stage", "lane", "renamed")}, "typed, reloaded")

        # A payload someone else adds arrives live (polling here) and is drawn as text too.
        from maps.services import apply_ops

        live = PAYLOADS[17] + " ·live"  # <math><mtext><table><mglyph><style><img…
        op = {"type": "stage.create", "id": str(uuid.uuid4()), "name": live, "position": "b0"}
        off_loop(apply_ops, map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
        page.wait_for_selector(f".jm-stage-head[data-stage='{op['id']}']", timeout=20_000)
        tab.check({"live": live}, "live change")
        assert tab.errors == []
    finally:
        tab.close()


def test_payloads_typed_into_the_persona_form_come_back_as_text(
    xss_browser: Any, live_server: Any, owner: Any, workspace: Any
) -> None:
    import re

    from personas.models import Persona

    typed = {
        "name": PAYLOADS[1],  # <img src=x onerror=…>
        "quote": PAYLOADS[8] + " Chị Mai",  # ' onmouseover='…
        "goals": PAYLOADS[10] + " " + PAYLOADS[4],  # </textarea><script>…, {{7*7}}
        "job_title": PAYLOADS[2][:100],  # "><svg onload=…>
    }
    tab = Tab(xss_browser, live_server, None)
    tab.sign_in(owner, workspace)
    try:
        page = tab.open("/personas/")
        page.locator("input[name=name]").focus()
        page.keyboard.type(typed["name"])
        page.locator("form.jm-inline-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/personas/[0-9a-f-]{36}/$"))
        for name in ("quote", "goals", "job_title"):
            page.locator(f"[name={name}]").focus()
            page.keyboard.type(typed[name])
        page.locator(".jm-persona-hero button[type=submit]").click()
        page.wait_for_load_state()
        persona = Persona.objects.get(workspace=workspace)
        assert {name: getattr(persona, name) for name in typed} == typed
        tab.open(f"/personas/{persona.pk}/")
        tab.check(typed, "persona form")
        tab.open("/personas/")
        tab.check({"name": typed["name"]}, "persona list")
    finally:
        tab.close()


def test_the_checks_catch_a_page_that_renders_text_as_html(
    xss_browser: Any,
    live_server: Any,
    hostile: HostileMap,
    owner: Any,
    workspace: Any,
    journey_map: Any,
) -> None:
    """The same checks against an editor whose text helper is broken on purpose (served
    through a route, the file on disk is untouched): they must fail, or they prove nothing."""
    from pathlib import Path

    dom_js = Path(__file__).resolve().parents[2] / "static/js/editor/dom.js"
    broken = dom_js.read_text().replace(
        'else if (name === "text") node.textContent = value;',
        'else if (name === "text") node.innerHTML = value;',
    )
    assert "innerHTML" in broken
    tab = Tab(xss_browser, live_server, None)
    tab.sign_in(owner, workspace)
    try:
        tab.page.route(
            "**/static/js/editor/dom.js",
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=broken),
        )
        tab.open(f"/maps/{journey_map.pk}/", "body[data-ready=true]")
        with pytest.raises(AssertionError, match="injected elements"):
            tab.assert_clean("broken editor")
        # With the CSP bypassed an injected handler really runs, so "nothing ran" means it.
        tab.page.wait_for_function("() => window.__xss.length > 0")
        with pytest.raises(AssertionError, match="not shown as text"):
            tab.assert_shows({"item.card.text": hostile.texts["item.card.text"]}, "broken")
    finally:
        tab.close()
