"""Hostile input, XSS (issue 8): payloads typed into every text field come back as text from
the API, in every server-rendered page, in the exports (PDF, PNG, CSV, JSON) and in the mention
email. The same map in a real browser is tests/browser/test_xss.py."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.html import escape

from exports import engines as export_engines
from exports import services as exports
from exports.models import ExportJob
from exports.services import ExportOptions, layout_for, print_html
from maps.services import map_document
from tests.exports.helpers import pdf_pages_text
from tests.xss_corpus import HostileMap, hostile_map

pytestmark = pytest.mark.django_db

# What an unescaped payload would leave in HTML. None of these is ever part of a page.
RAW_MARKUP = [
    "<script>alert",
    "</script><script>",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<style>*{",
    "<math>",
    "<details open",
    "<body onload",
    "<input autofocus",
    "<base href",
    '<a href="javascript',
    "<b>đậm</b>",
    "onmouseover='alert",
    'onfocus="alert',
]
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module", autouse=True)
def _close_browser() -> Iterator[None]:
    yield
    export_engines.chromium_close()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hostile(
    client_for: Any, owner: Any, member: Any, workspace: Any, journey_map: Any
) -> HostileMap:
    made = hostile_map(
        client=client_for(owner), actor=owner, workspace=workspace, journey_map=journey_map
    )
    journey_map.refresh_from_db()
    return made


def without_json_script(page: str) -> str:
    """The page minus its json_script blocks (JSON there escapes <, > and & as \\u003C…;
    a quote stays a quote, which is harmless inside a JSON script)."""
    return re.sub(r'<script [^>]*type="application/json"[^>]*>.*?</script>', "", page, flags=re.S)


def assert_no_raw_markup(page: str, where: str) -> None:
    body = without_json_script(page)
    found = [needle for needle in RAW_MARKUP if needle in body]
    assert found == [], f"{where}: unescaped payload markup {found}"


def test_every_payload_is_stored_and_served_back_exactly(
    hostile: HostileMap, client_for: Any, owner: Any, journey_map: Any
) -> None:
    api = client_for(owner)
    response = api.get(f"/api/maps/{journey_map.pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    doc = response.json()
    texts = hostile.texts
    persona = api.get(f"/api/personas/{hostile.ids['persona']}/").json()
    assert doc["personas"][0]["name"] == texts["persona.name"]
    assert doc["title"] == texts["map.title"]
    assert doc["objective"] == texts["map.objective"]
    assert doc["scenario"] == texts["map.scenario"]
    stages = {s["id"]: s for s in doc["stages"]}
    lanes = {lane["id"]: lane for lane in doc["lanes"]}
    items = {i["id"]: i for i in doc["items"]}
    comments = {c["id"]: c for c in doc["comments"]}
    checked = 3
    for key, value in texts.items():
        kind, _, name = key.rpartition(".")
        if kind in {"comment", "stage_comment"}:
            assert comments[hostile.ids[kind]]["text"] == value, key
        elif kind in {"stage1", "stage2"}:
            assert stages[hostile.ids[kind]][name] == value, key
        elif kind.startswith("lane."):
            assert lanes[hostile.ids[kind]][name] == value, key
        elif kind.startswith("item."):
            assert items[hostile.ids[kind]][name] == value, key
        elif kind == "link":
            assert doc["links"][0]["label"] == value
        elif kind == "persona":
            assert persona[name] == value, key
        else:
            continue
        checked += 1
    assert checked >= 50
    # The portable JSON export is the same text, served as JSON, never as HTML.
    portable = api.get(f"/api/maps/{journey_map.pk}/document/")
    assert portable["Content-Type"].startswith("application/json")
    exported = json.loads(portable.content)
    assert exported["map"]["title"] == texts["map.title"]
    assert texts["item.card.text"] in {i["text"] for i in exported["items"]}
    # ...and importing it back keeps every payload as it was.
    imported = api.post(
        "/api/maps/import/",
        {"workspace": str(journey_map.workspace_id), "document": exported},
        format="json",
    )
    assert imported.status_code == 201, imported.content
    again = api.get(f"/api/maps/{imported.json()['id']}/").json()
    assert again["title"] == texts["map.title"]
    assert sorted(i["text"] for i in again["items"]) == sorted(i["text"] for i in doc["items"])
    assert [s["description"] for s in again["stages"]] == [
        texts["stage1.description"],
        texts["stage2.description"],
    ]


def test_server_rendered_pages_escape_every_payload(
    hostile: HostileMap, client: Any, owner: Any, member: Any, workspace: Any, journey_map: Any
) -> None:
    from workspaces.models import ShareLink

    link = ShareLink.objects.create(map=journey_map, role="commenter", created_by=owner)
    client.force_login(owner)
    session = client.session
    session["workspace_id"] = str(workspace.pk)
    session.save()
    pages = {
        "dashboard": "/",
        "editor": f"/maps/{journey_map.pk}/",
        "settings": f"/maps/{journey_map.pk}/settings/",
        "history": f"/maps/{journey_map.pk}/history/",
        "compare": f"/maps/{journey_map.pk}/compare/?from=0&to={journey_map.revision}",
        "personas": "/personas/",
        "persona": f"/personas/{hostile.ids['persona']}/",
        "new map (templates)": "/maps/new/",
        "members": f"/workspaces/{workspace.pk}/members/",
        "activity": f"/workspaces/{workspace.pk}/activity/",
        "notifications": "/notifications/",
        "share": f"/share/{link.token}/",
    }
    escaped_title = escape(hostile.texts["map.title"])
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        page = response.content.decode()
        assert_no_raw_markup(page, name)
        if name in {"dashboard", "editor", "settings", "history", "compare", "share"}:
            assert escaped_title in page, name
    # The persona page holds every persona field, escaped, in its form.
    persona_page = client.get(f"/personas/{hostile.ids['persona']}/").content.decode()
    for key, value in hostile.where("persona.").items():
        assert escape(value) in persona_page, key
    settings_page = client.get(f"/maps/{journey_map.pk}/settings/").content.decode()
    for key in ("map.objective", "map.scenario"):
        assert escape(hostile.texts[key]) in settings_page, key
    gallery = client.get("/maps/new/").content.decode()
    assert escape(hostile.texts["template.name"]) in gallery
    # Every page shows the new workspace's hostile name, escaped, in the switcher.
    assert escape(hostile.texts["workspace.name"]) in gallery


def test_the_shared_document_is_json_that_no_browser_sniffs_as_html(
    hostile: HostileMap, client: Any, owner: Any, journey_map: Any
) -> None:
    from workspaces.models import ShareLink

    link = ShareLink.objects.create(
        map=journey_map, role="viewer", created_by=owner, allow_export=True
    )
    response = client.get(f"/share/{link.token}/document.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["map"]["title"] == hostile.texts["map.title"]


def test_a_share_page_for_an_unknown_token_reflects_nothing(client: Any) -> None:
    response = client.get("/share/%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert response.status_code in {404, 410}
    assert "<script>alert" not in response.content.decode()
    api_response = client.get("/api/share/%3Cimg%20src=x%20onerror=alert(1)%3E/")
    assert api_response.status_code == 404
    assert api_response["Content-Type"].startswith("application/json")


def printed(hostile: HostileMap) -> dict[str, str]:
    """The fields the print layout shows (persona header, grid, emotion notes, comments)."""
    keys = [
        "map.title",
        "map.objective",
        "map.scenario",
        "stage1.name",
        "stage1.description",
        "stage2.name",
        "stage2.description",
        "item.card.text",
        "item.touchpoint.text",
        "item.touchpoint.owner",
        "item.emotion.note",
        "item.metric.name",
        "item.metric.text",
        "item.metric.unit",
        "item.action.text",
        "item.action.owner",
        "comment.text",
        "persona.name",
        "persona.quote",
        "persona.goals",
        "persona.pain_points",
        "persona.job_title",
        "persona.company",
        "persona.age",
        "persona.location",
    ]
    keys += [k for k in hostile.texts if k.startswith("lane.") and k.endswith(".title")]
    return {key: hostile.texts[key] for key in keys}


def flat(text: str) -> str:
    """Text as compared with a PDF's: NFC, no whitespace (lines wrap anywhere), no bidi
    controls (they are not glyphs)."""
    return re.sub(r"\s+", "", BIDI.sub("", unicodedata.normalize("NFC", text)))


def assert_pdf_shows(pdf: bytes, wanted: dict[str, str]) -> None:
    text = flat(" ".join(pdf_pages_text(pdf)))
    missing = []
    for key, value in wanted.items():
        value = flat(value)
        # An RTL override shows its run reversed; the PDF's text is in visual order.
        if value not in text and not ("\u202e" in wanted[key] and flat_rtl(wanted[key]) in text):
            missing.append(key)
    assert missing == [], missing


def flat_rtl(value: str) -> str:
    head, _, rest = value.partition("\u202e")
    run, _, tail = rest.partition("\u202c")
    return flat(head + run[::-1] + tail)


def test_print_html_escapes_every_payload(hostile: HostileMap, journey_map: Any) -> None:
    document = map_document(journey_map=journey_map)
    page = print_html(
        document=document,
        options=ExportOptions(format="pdf", comments=True),
        workspace_name=hostile.texts["workspace.name"],
    )
    assert_no_raw_markup(page, "print")
    assert "<script" not in page
    for key, value in printed(hostile).items():
        assert escape(value) in page, key
    # The footer carries the title and workspace inside a CSS string: hex escapes only.
    footer = re.search(r"@bottom-left \{ content: (\"[^\"]*\"); \}", page)
    assert footer is not None and "<" not in footer.group(1) and "'" not in footer.group(1)


@pytest.mark.parametrize(
    "engine", [pytest.param("chromium", marks=pytest.mark.browser), "weasyprint"]
)
def test_pdf_shows_every_printed_payload_as_text_and_fetches_nothing(
    hostile: HostileMap, journey_map: Any, engine: str
) -> None:
    options = ExportOptions(format="pdf", comments=True)
    document = map_document(journey_map=journey_map)
    page = print_html(
        document=document, options=options, workspace_name=hostile.texts["workspace.name"]
    )
    layout = layout_for(stage_count=len(document["stages"]), options=options)
    blocked: list[str] = []
    if engine == "chromium":
        renderer = export_engines.chromium_renderer()
        assert renderer is not None
        before = len(renderer.blocked)
        pdf = export_engines.html_to_pdf(page, layout.page, engine="chromium")
        blocked = renderer.blocked[before:]
    else:
        pdf = export_engines.weasyprint_pdf(page, layout.page, blocked=blocked)
    # No img src=x, no javascript:, no url(x) was requested (a browser may ask for a favicon).
    assert [url for url in blocked if not url.endswith("/favicon.ico")] == []
    assert_pdf_shows(pdf, printed(hostile))


def as_csv(value: str) -> str:
    """A leading formula character is quoted for spreadsheets (OWASP CSV injection)."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def test_pdf_png_and_csv_jobs_carry_the_payloads_as_text(
    hostile: HostileMap, journey_map: Any, owner: Any
) -> None:
    results = {}
    for fmt in ("pdf", "png", "csv"):
        options = ExportOptions(format=fmt, scale=1)
        job = ExportJob.objects.create(
            map=journey_map,
            format=fmt,
            requested_by=owner,
            options=options.model_dump(mode="json"),
        )
        exports.export_run(job_id=job.pk, engine="weasyprint")
        job.refresh_from_db()
        assert job.status == "done", job.error
        with job.file.open("rb") as handle:
            results[fmt] = handle.read()
        # The file name comes from the title: ASCII letters and digits only.
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{8}\." + fmt, exports.download_name(job))
    wanted = {k: v for k, v in printed(hostile).items() if not k.startswith("comment")}
    assert_pdf_shows(results["pdf"], wanted)
    assert results["png"].startswith(b"\x89PNG")
    rows = list(csv.DictReader(io.StringIO(results["csv"].decode("utf-8-sig"))))
    by_kind = {row["kind"]: row for row in rows}
    texts = hostile.texts
    for key, value in texts.items():
        if key.startswith("item."):
            _, kind, name = key.split(".")
            cell = by_kind[kind][name]
            assert cell == as_csv(value), key
    items = [v for k, v in texts.items() if k.startswith(("item.", "stage1.name"))]
    assert any(as_csv(v) != v for v in items)  # the corpus does put formulas in the CSV
    assert {row["stage"] for row in rows} == {as_csv(texts["stage1.name"])}
    assert {row["lane"] for row in rows} == {
        as_csv(v) for k, v in texts.items() if k.startswith("lane.") and k.endswith(".title")
    }


def test_the_mention_email_is_plain_text_with_the_comment_as_typed(
    client_for: Any,
    owner: Any,
    member: Any,
    workspace: Any,
    journey_map: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = hostile_map(
            client=client_for(owner), actor=owner, workspace=workspace, journey_map=journey_map
        )
    to_member = [m for m in mailoutbox if m.to == [member.email]]
    assert len(to_member) == 1
    mail = to_member[0]
    assert made.texts["comment.text"] in mail.body
    assert getattr(mail, "alternatives", []) == []  # no HTML part at all
    assert mail.content_subtype == "plain"
    assert made.texts["map.title"].replace("\n", " ") in mail.subject
    assert "\n" not in mail.subject and "\r" not in mail.subject


def test_a_title_with_line_breaks_still_sends_the_mention_email_on_one_line(
    owner: Any,
    member: Any,
    journey_map: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import uuid

    from maps.services import apply_ops

    title = "Hành trình\r\nBcc: victim@example.com\rX-Injected: 1"
    stage = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        apply_ops(
            map_id=journey_map.pk,
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[
                {"type": "map.update", "fields": {"title": title}},
                {"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"},
                {
                    "type": "comment.create",
                    "id": str(uuid.uuid4()),
                    "stage": stage,
                    "text": "@member <script>alert(1)</script>",
                },
            ],
        )
    assert len(mailoutbox) == 1  # a line break in the title must not cost the email
    mail = mailoutbox[0]
    assert mail.to == [member.email] and mail.bcc == []
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "Hành trình Bcc: victim@example.com X-Injected: 1" in mail.subject
    assert mail.message()["X-Injected"] is None
    assert "@member <script>alert(1)</script>" in mail.body


CSS_BREAKERS = [
    "red;background:url(x)",
    '#fff"><script>alert(1)</script>',
    "#123456;--x:url(javascript:alert(1))",
    "expression(alert(1))",
]


def test_values_that_land_in_attributes_or_styles_are_refused_not_stored(
    client_for: Any, owner: Any, workspace: Any, journey_map: Any, new_id: Any
) -> None:
    """Colours go into style attributes and enums into class names: anything but a hex
    colour or a known value is a 400 that changes nothing (never a 500, never stored)."""
    api = client_for(owner)
    stage = new_id()
    created = api.post(
        f"/api/maps/{journey_map.pk}/changes/",
        {
            "id": new_id(),
            "ops": [{"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"}],
        },
        format="json",
    )
    assert created.status_code == 200
    revision = created.json()["revision"]
    lane = new_id()
    refused_ops = [
        {"type": "stage.update", "id": stage, "fields": {"color": bad}} for bad in CSS_BREAKERS
    ] + [
        {"type": "lane.create", "id": lane, "kind": "<script>", "title": "x", "position": "a0"},
        {"type": "map.update", "fields": {"audience": "<img src=x onerror=alert(1)>"}},
        {"type": "map.update", "fields": {"type": '"><svg onload=alert(1)>'}},
        {"type": "stage.update", "id": stage, "fields": {"phase": "javascript:alert(1)"}},
    ]
    for op in refused_ops:
        response = api.post(
            f"/api/maps/{journey_map.pk}/changes/", {"id": new_id(), "ops": [op]}, format="json"
        )
        assert response.status_code == 400, (op, response.status_code)
        assert response.json()["code"] == "invalid_op"
    journey_map.refresh_from_db()
    assert journey_map.revision == revision
    assert api.get(f"/api/maps/{journey_map.pk}/").json()["stages"][0]["color"] == ""
    patched = api.patch(
        f"/api/maps/{journey_map.pk}/", {"audience": "<script>alert(1)</script>"}, format="json"
    )
    assert patched.status_code == 400
    persona = api.post(
        f"/api/personas/?workspace={workspace.pk}",
        {"name": "Chị Mai", "color": CSS_BREAKERS[0]},
        format="json",
    )
    assert persona.status_code == 400
    assert not workspace.personas.exists()
    # The portable import takes the same values from a file: refused the same way.
    document = api.get(f"/api/maps/{journey_map.pk}/document/").json()
    document["stages"][0]["color"] = CSS_BREAKERS[1]
    maps_before = journey_map.workspace.maps.count()
    imported = api.post(
        "/api/maps/import/", {"workspace": str(workspace.pk), "document": document}, format="json"
    )
    assert imported.status_code == 400
    assert journey_map.workspace.maps.count() == maps_before
