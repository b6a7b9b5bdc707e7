"""Rendering exports: text, fonts, pagination, PNG size, safety of user text, CSV, job life."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import signal
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from exports import engines as export_engines
from exports import services as exports
from exports.engines import RenderError, html_to_pdf, local_file, pdf_to_png
from exports.models import ExportJob
from exports.services import ExportOptions, layout_for, map_csv, print_html
from maps.services import apply_ops, map_document
from tests.exports.helpers import build_map, listener, pdf_fonts, pdf_pages_text, squash

pytestmark = pytest.mark.django_db

ENGINES = [pytest.param("chromium", marks=pytest.mark.browser), "weasyprint"]


@pytest.fixture(scope="module", autouse=True)
def _close_browser() -> Iterator[None]:
    yield
    export_engines.chromium_close()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def render(journey_map: Any, engine: str, **options: Any) -> bytes:
    opts = ExportOptions(format=options.pop("format", "pdf"), **options)
    document = map_document(journey_map=journey_map)
    html = print_html(document=document, options=opts, workspace_name="Nhóm Marketing")
    layout = layout_for(stage_count=len(document["stages"]), options=opts)
    return html_to_pdf(html, layout.page, engine=engine)


def texts_of(journey_map: Any) -> tuple[list[str], list[str]]:
    document = map_document(journey_map=journey_map)
    stages = [stage["name"] for stage in document["stages"]]
    cards = [item["text"] for item in document["items"] if item["text"]]
    return stages, cards


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_text_holds_every_stage_name_and_card_text_with_diacritics(
    template_map: Any, engine: str
) -> None:
    pdf = render(template_map, engine)
    text = " ".join(pdf_pages_text(pdf))
    stages, cards = texts_of(template_map)
    assert "Nhận thức" in stages
    for name in stages:
        assert squash(name) in text
    for card in cards:
        assert squash(card) in text, card
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_font_in_the_pdf_is_embedded(template_map: Any, engine: str) -> None:
    fonts = pdf_fonts(render(template_map, engine))
    assert fonts, "the PDF uses no font at all"
    assert all(embedded for _, embedded in fonts), fonts
    assert any("NotoSans" in name.replace("-", "") for name, _ in fonts), fonts


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("scale", [1, 2])
def test_png_size_follows_the_scale_and_the_image_is_not_blank(
    template_map: Any, engine: str, scale: int
) -> None:
    pdf = render(template_map, engine, format="png", scale=scale)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    width_pt, height_pt = float(page.mediabox.width), float(page.mediabox.height)
    image = Image.open(io.BytesIO(pdf_to_png(pdf, scale=scale)))
    # pdfium rounds a page's pixel size up (math.ceil), as any rasteriser must not crop.
    assert image.size == (
        math.ceil(width_pt * scale * 96 / 72),
        math.ceil(height_pt * scale * 96 / 72),
    )
    gray = image.convert("L")
    dark = sum(gray.histogram()[:200])
    assert dark / (image.width * image.height) > 0.01, "the PNG is (nearly) blank"


@pytest.mark.parametrize("engine", ENGINES)
def test_poster_is_one_page_as_wide_as_the_map(journey_map: Any, owner: Any, engine: str) -> None:
    made = build_map(journey_map=journey_map, actor=owner, stages=12)
    pdf = render(journey_map, engine, paper="poster")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    expected_mm = 2 * exports.MARGIN_MM + exports.LANE_COLUMN_MM + 12 * exports.POSTER_STAGE_MM
    assert float(reader.pages[0].mediabox.width) == pytest.approx(expected_mm / 25.4 * 72, rel=0.01)
    text = pdf_pages_text(pdf)[0]
    assert all(squash(card) in text for card in made["texts"])


@pytest.mark.parametrize("engine", ENGINES)
def test_paper_and_orientation_set_the_page_size(template_map: Any, engine: str) -> None:
    pdf = render(template_map, engine, paper="A4", orientation="portrait")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.mark.parametrize("engine", ENGINES)
def test_wide_maps_paginate_by_stages_and_never_cut_a_card(
    journey_map: Any, owner: Any, engine: str
) -> None:
    made = build_map(
        journey_map=journey_map,
        actor=owner,
        stages=20,
        cards_per_cell=5,
        text=lambda s, lane, c: (
            f"Thẻ {s}.{lane}.{c}: khách hàng đọc đánh giá, so sánh giá và hỏi ý kiến bạn bè "
            f"trước khi quyết định mua sản phẩm số {s * 100 + lane * 10 + c}"
        ),
    )
    pages = pdf_pages_text(render(journey_map, engine, paper="A4", orientation="landscape"))
    assert len(pages) > 5, "20 stages on A4 need several pages across and down"
    for card in made["texts"]:
        whole = [n for n, page in enumerate(pages) if squash(card) in page]
        assert len(whole) == 1, f"card cut or missing: {card!r}"
    for name in made["stages"]:
        assert any(squash(name) in page for page in pages)
    # Wherever a lane's cards land, the lane's title is on that page too.
    for page in pages:
        for number, title in enumerate(made["lanes"]):
            if re.search(rf"Thẻ \d+\.{number}\.", page):
                assert title in page


@pytest.mark.parametrize("engine", ENGINES)
def test_markup_and_urls_in_cards_stay_text_and_fetch_nothing(
    journey_map: Any, owner: Any, engine: str
) -> None:
    # The addresses point at a real server that records what reaches it.
    with listener() as (base, hits):
        hostile = [
            f"<img src={base}/img.png>",
            f"<script>fetch('{base}/script')</script>",
            f"background: url({base}/css-url)",
            f'<link rel="stylesheet" href="{base}/link.css">',
            f"<style>@import url({base}/import.css);</style>",
            f'<iframe src="{base}/frame"></iframe>',
        ]
        build_map(
            journey_map=journey_map,
            actor=owner,
            stages=len(hostile),
            lanes=("actions",),
            text=lambda s, lane, c: hostile[s],
        )
        # The footer carries the title inside CSS: try to break out of that string too.
        title = f'x"; }} @page {{ background: url({base}/footer) }} body {{ content: "'
        apply_ops(
            map_id=journey_map.pk,
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "map.update", "fields": {"title": title}}],
        )
        journey_map.refresh_from_db()
        document = map_document(journey_map=journey_map)
        html = print_html(
            document=document, options=ExportOptions(format="pdf"), workspace_name="<b>Nhóm</b>"
        )
        assert "<img src=" not in html and "<script>" not in html and "<iframe" not in html
        pdf = render(journey_map, engine)
        png = pdf_to_png(render(journey_map, engine, format="png", scale=1), scale=1)
    assert hits == []
    assert png.startswith(b"\x89PNG")
    # Long URLs wrap at "/" without a space, so compare with whitespace removed.
    text = re.sub(r"\s+", "", " ".join(pdf_pages_text(pdf)))
    for card in hostile:
        assert re.sub(r"\s+", "", card) in text


def test_only_local_static_and_media_files_are_served_to_the_renderer(settings: Any) -> None:
    origin = export_engines.ORIGIN
    assert local_file(f"{origin}/static/css/print.css") is not None
    assert local_file(f"{origin}/static/../../etc/passwd") is None
    assert local_file(f"{origin}/media/../../../etc/passwd") is None
    assert local_file("http://127.0.0.1:8501/static/css/print.css") is None
    assert local_file("file:///etc/passwd") is None
    blocked: list[str] = []
    fetcher = export_engines.weasyprint_fetcher(blocked)
    with pytest.raises(ValueError, match="blocked"):
        fetcher.fetch("http://127.0.0.1:8501/x.png")
    assert blocked == ["http://127.0.0.1:8501/x.png"]


@pytest.mark.browser
def test_a_dead_browser_is_relaunched_for_the_next_job(template_map: Any) -> None:
    renderer = export_engines.chromium_renderer()
    assert renderer is not None
    render(template_map, "chromium")
    dead = renderer._browser
    assert dead is not None
    os.killpg(dead.process.pid, signal.SIGKILL)  # Chromium and its helpers, as in a crash
    dead.process.wait(timeout=10)
    assert render(template_map, "chromium").startswith(b"%PDF")
    assert renderer._browser is not None and renderer._browser is not dead


@pytest.mark.browser
def test_the_warm_renderer_serves_every_job_from_one_browser_and_leaves_none_behind(
    template_map: Any,
) -> None:
    renderer = export_engines.chromium_renderer()
    assert renderer is not None
    render(template_map, "chromium")
    browser = renderer._browser
    assert browser is not None
    pid = browser.process.pid
    png = pdf_to_png(render(template_map, "chromium", format="png", scale=1), scale=1)
    assert png.startswith(b"\x89PNG")
    assert renderer._browser is browser and browser.process.pid == pid
    export_engines.chromium_close()
    assert browser.process.poll() is not None
    assert not os.path.exists(f"/proc/{pid}")
    assert not os.path.exists(browser.profile)


@pytest.mark.browser
def test_a_launch_removes_the_browser_profiles_of_processes_that_are_gone(
    template_map: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / "jm-chromium-999999999-killed"  # above any pid_max: never alive
    live = tmp_path / f"jm-chromium-{os.getpid()}-in-use"
    stale.mkdir()
    live.mkdir()
    export_engines.chromium_close()
    render(template_map, "chromium")
    assert not stale.exists()
    assert live.exists()
    export_engines.chromium_close()


def test_csv_has_one_row_per_item_with_stage_lane_kind_and_attributes(template_map: Any) -> None:
    document = map_document(journey_map=template_map)
    data = map_csv(document=document, options=ExportOptions(format="csv"))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(document["items"])
    assert set(exports.CSV_COLUMNS) == set(rows[0])
    touchpoint = next(row for row in rows if row["kind"] == "touchpoint")
    assert touchpoint["stage"] == "Nhận thức"
    assert touchpoint["lane_kind"] == "touchpoints"
    assert touchpoint["channel"] and touchpoint["channel_name"] and touchpoint["impact"]
    metric = next(row for row in rows if row["kind"] == "metric")
    assert metric["name"] and metric["value"]
    emotion = next(row for row in rows if row["kind"] == "emotion")
    assert emotion["score"] != "" and emotion["persona"]
    assert [row["stage_number"] for row in rows] == sorted(
        (row["stage_number"] for row in rows), key=int
    )


def test_csv_neutralises_spreadsheet_formulas(journey_map: Any, owner: Any) -> None:
    build_map(
        journey_map=journey_map,
        actor=owner,
        stages=1,
        lanes=("actions",),
        text=lambda s, lane, c: '=HYPERLINK("http://evil.example","bấm")',
    )
    data = map_csv(
        document=map_document(journey_map=journey_map), options=ExportOptions(format="csv")
    )
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert row["text"] == '\'=HYPERLINK("http://evil.example","bấm")'


def test_chosen_lanes_and_personas_limit_what_is_printed(template_map: Any) -> None:
    document = map_document(journey_map=template_map)
    keep = next(lane for lane in document["lanes"] if lane["kind"] == "actions")
    dropped = next(lane for lane in document["lanes"] if lane["kind"] == "obstacles")
    options = ExportOptions(format="pdf", lanes=[keep["id"]], personas=[], persona_header=False)
    html = print_html(document=document, options=options, workspace_name="W")
    assert keep["title"] in html and dropped["title"] not in html
    assert document["personas"][0]["name"] not in html
    english = print_html(
        document=document, options=ExportOptions(format="pdf", language="en"), workspace_name="W"
    )
    assert "Objective" in english and "Mục tiêu" not in english


def test_comments_are_left_out_unless_asked_for(template_map: Any, owner: Any) -> None:
    # A card: an emotion point is printed on the curve, without its thread.
    item = next(i for i in map_document(journey_map=template_map)["items"] if i["kind"] == "card")
    apply_ops(
        map_id=template_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[
            {
                "type": "comment.create",
                "id": str(uuid.uuid4()),
                "item": item["id"],
                "text": "Cần kiểm chứng số liệu này",
            }
        ],
    )
    document = map_document(journey_map=template_map)
    without = print_html(document=document, options=ExportOptions(format="pdf"), workspace_name="W")
    with_comments = print_html(
        document=document, options=ExportOptions(format="pdf", comments=True), workspace_name="W"
    )
    assert "Cần kiểm chứng số liệu này" not in without
    assert "Cần kiểm chứng số liệu này" in with_comments


def _job(journey_map: Any, owner: Any, **options: Any) -> ExportJob:
    opts = ExportOptions(**options)
    return ExportJob.objects.create(
        map=journey_map,
        format=opts.format,
        requested_by=owner,
        options=opts.model_dump(mode="json"),
    )


def test_a_job_runs_once_and_a_redelivered_finished_job_does_nothing(
    template_map: Any, owner: Any
) -> None:
    job = _job(template_map, owner, format="pdf")
    exports.export_run(job_id=job.pk, engine="weasyprint")
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.file
    first_file, finished = job.file.name, job.finished_at
    assert exports.export_run(job_id=job.pk, engine="weasyprint") is None
    job.refresh_from_db()
    assert (job.file.name, job.finished_at) == (first_file, finished)


def test_progress_reaches_the_map_group_as_export_messages(template_map: Any, owner: Any) -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(template_map.group_name, channel)
    job = _job(template_map, owner, format="png", scale=1)
    exports.export_run(job_id=job.pk, engine="weasyprint")
    import json

    messages = []
    while True:
        try:
            event = async_to_sync(layer.receive)(channel)
        except Exception:
            break
        messages.append(json.loads(event["text"]))
        if messages[-1]["status"] == "done":
            break
    assert [m["type"] for m in messages] == ["export"] * len(messages)
    assert messages[0]["status"] == "running"
    progress = [m["progress"] for m in messages]
    assert progress == sorted(progress) and progress[-1] == 100
    assert messages[-1]["file"] == f"/api/exports/{job.pk}/file/"
    assert {m["id"] for m in messages} == {str(job.pk)}


def test_a_failed_render_ends_failed_with_a_readable_message(
    template_map: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RenderError("Rendering took too long; try fewer lanes or stages.")

    monkeypatch.setattr(exports, "html_to_pdf", broken)
    job = _job(template_map, owner, format="pdf")
    exports.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "too long" in job.error and not job.file


def test_an_unexpected_error_in_the_task_fails_the_job_politely(
    template_map: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exports.tasks import export_render

    def crash(**kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(exports, "export_produce", crash)
    job = _job(template_map, owner, format="pdf")
    export_render.apply(args=(str(job.pk),))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Something went wrong while exporting; please try again."


def test_old_exports_and_their_files_are_purged(
    template_map: Any, owner: Any, settings: Any
) -> None:
    settings.EXPORT_RETENTION_DAYS = 7
    old = _job(template_map, owner, format="csv")
    exports.export_run(job_id=old.pk)
    fresh = _job(template_map, owner, format="csv")
    exports.export_run(job_id=fresh.pk)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "Removed 1" in out.getvalue()
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert ExportJob.objects.filter(pk=fresh.pk).exists()
    import os

    assert not os.path.exists(path)
