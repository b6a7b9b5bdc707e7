"""Exports of a map to PDF, PNG, CSV and XLSX (issues 6 and 16; docs/exports.md).

`export_create` validates the options, records an ExportJob and queues the Celery task after
commit; the task calls `export_run`, which renders the print template (templates/print/map.html)
through the engines of exports/engines.py, stores the file and reports progress to the
map's group as docs/protocol.md `export` messages. The job is idempotent per id: a redelivered task
for a finished job does nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from exports.engines import PageSpec, RenderError, engine_name, html_to_pdf, pdf_to_png
from exports.models import ExportJob
from exports.signals import export_finished
from insights.services import evidence_by_card
from journeymap.outages import OUTAGES
from maps.item_schema import CSV_ITEM_COLUMNS
from maps.models import JourneyMap
from maps.services import broadcast, map_document
from sheets.writing import workbook_bytes
from touchpoints.catalog import CHANNELS_BY_KEY, ICON_PATHS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

logger = logging.getLogger(__name__)

PAPERS_MM: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A3": (297, 420),
    "A2": (420, 594),
    "Letter": (215.9, 279.4),
    "Tabloid": (279.4, 431.8),
}
MARGIN_MM = 10.0
FOOTER_MM = 8.0
LANE_COLUMN_MM = 34.0
MIN_STAGE_MM = 52.0
MAX_STAGE_MM = 84.0
POSTER_STAGE_MM = 62.0
# A user may have this many exports waiting or running at once.
MAX_PENDING_PER_USER = 5
RECENT_EXPORTS = 20
CARDS_PER_ROW = 3


# --------------------------------------------------------------------------- options


class ExportOptions(BaseModel):
    """What a user may choose; anything else is refused (400) before a job exists."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["pdf", "png", "csv", "xlsx"]
    paper: Literal["A4", "A3", "A2", "Letter", "Tabloid", "poster"] = "A3"
    orientation: Literal["landscape", "portrait"] = "landscape"
    lanes: list[uuid.UUID] | None = Field(default=None, max_length=60)
    personas: list[uuid.UUID] | None = Field(default=None, max_length=20)
    persona_header: StrictBool = True
    comments: StrictBool = False
    scale: Literal[1, 2, 3] = 2
    language: Literal["vi", "en"] | None = None
    footer: StrictBool = True


class OptionsError(ValueError):
    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class ExportBusy(Exception):
    pass


def export_options_parse(*, journey_map: JourneyMap, raw: Any) -> ExportOptions:
    if not isinstance(raw, dict):
        raise OptionsError('An export request is a JSON object such as {"format": "pdf"}.')
    try:
        options = ExportOptions.model_validate(raw)
    except ValidationError as error:
        details = [
            {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()[:20]
        ]
        first = details[0]
        raise OptionsError(f"{first['loc']}: {first['message']}", details) from None
    if options.lanes is not None:
        known = set(journey_map.lanes.values_list("id", flat=True))
        unknown = [str(lane) for lane in options.lanes if lane not in known]
        if unknown:
            raise OptionsError(f"lanes: {unknown[0]} is not a lane of this map.")
    if options.personas is not None:
        known = set(journey_map.personas.values_list("id", flat=True))
        unknown = [str(p) for p in options.personas if p not in known]
        if unknown:
            raise OptionsError(f"personas: {unknown[0]} is not a persona of this map.")
    return options


# --------------------------------------------------------------------------- labels


def print_labels(language: str) -> dict[str, str]:
    """What the print layout calls things, in the export's language (not the request's)."""
    with translation.override(language):
        return {
            "objective": _("Objective"),
            "scenario": _("Scenario"),
            "personas": _("Personas"),
            "stage": _("Stage"),
            "lane": pgettext("the column of lane titles in an export", "Lane"),
            "online": _("Online"),
            "offline": _("Offline"),
            "owner": pgettext("the team responsible", "Owner"),
            "impact": _("Impact"),
            "importance": _("Importance"),
            "target": _("Target"),
            "due": _("Due"),
            "goals": _("Goals"),
            "pain_points": _("Pain points"),
            "comments": _("Comments"),
            "as_is": _("As is"),
            "to_be": _("To be"),
            "page": _("Page"),
            "exported": _("Exported"),
            "before": pgettext("purchase phase in an export", "Before purchase"),
            "during": pgettext("purchase phase in an export", "During purchase"),
            "after": pgettext("purchase phase in an export", "After purchase"),
            "todo": _("To do"),
            "doing": _("In progress"),
            "done": _("Done"),
            "assumption": _("Assumption"),
            "anecdote": _("Anecdote"),
            "research": _("Research-backed"),
            "data": _("Data-backed"),
            "current": _("Current state"),
            "future": _("Future state"),
            "day_in_life": _("Day in the life"),
            "blueprint": _("Service blueprint"),
            "empty": _("This map has no stages yet."),
            "continued": _("cont."),
            "fixes": _("Fixes"),
        }


# Trend arrows drawn as SVG: arrow characters are missing from Noto Sans, and WeasyPrint
# printed them as empty boxes.
TREND_PATHS = {
    "up": "M12 19V5M5 12l7-7l7 7",
    "down": "M12 5v14M5 12l7 7l7-7",
    "flat": "M5 12h14M13 6l6 6l-6 6",
}
TREND_COLORS = {"up": "#16a34a", "down": "#dc2626", "flat": "#6b7280"}
EMOTION_COLORS = {-2: "#dc2626", -1: "#f97316", 0: "#eab308", 1: "#65a30d", 2: "#16a34a"}


def nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def css_string(text: str) -> str:
    """A CSS string literal for any text: everything but letters, digits and a few harmless
    marks is written as a hex escape, so user text can never end the string or the style."""
    safe = []
    for char in nfc(text):
        if char.isalnum() or char in " .,:;-_()·/&@#!?%+=*":
            safe.append(char)
        else:
            safe.append(f"\\{ord(char):06x}")
    return '"' + "".join(safe) + '"'


# --------------------------------------------------------------------------- layout


@dataclass
class Layout:
    page: PageSpec
    chunks: list[list[int]]
    stage_mm: float
    content_mm: float


def layout_for(*, stage_count: int, options: ExportOptions) -> Layout:
    """Page size and the stages on each page: as many stage columns as fit the paper's width
    (never narrower than MIN_STAGE_MM), pages balanced so they hold nearly the same count."""
    count = max(stage_count, 1)
    if options.paper == "poster" or options.format == "png":
        width = 2 * MARGIN_MM + LANE_COLUMN_MM + count * POSTER_STAGE_MM
        page = PageSpec(
            width_mm=width, height_mm=0, poster=True, margins_mm=2 * MARGIN_MM + FOOTER_MM
        )
        return Layout(page, [list(range(stage_count))], POSTER_STAGE_MM, width - 2 * MARGIN_MM)
    short, long = PAPERS_MM[options.paper]
    width, height = (long, short) if options.orientation == "landscape" else (short, long)
    content = width - 2 * MARGIN_MM
    per_page = max(1, math.floor((content - LANE_COLUMN_MM) / MIN_STAGE_MM))
    pages = math.ceil(count / per_page)
    per_page = math.ceil(count / pages)
    stage_mm = min(MAX_STAGE_MM, (content - LANE_COLUMN_MM) / per_page)
    chunks = [
        list(range(start, min(start + per_page, stage_count)))
        for start in range(0, stage_count, per_page)
    ] or [[]]
    return Layout(PageSpec(width_mm=width, height_mm=height), chunks, stage_mm, content)


# --------------------------------------------------------------------------- view model


@dataclass
class EmotionCurve:
    width: float
    height: float
    path: str
    points: list[dict[str, Any]]
    dashed_path: str
    baseline: float
    band: float
    lower: float
    separators: list[float]
    notes: list[list[dict[str, Any]]] = field(default_factory=list)


def _smooth_path(points: list[tuple[float, float]]) -> str:
    """A Catmull-Rom curve through the points, as cubic Béziers (numbers only)."""
    if not points:
        return ""
    if len(points) == 1:
        x, y = points[0]
        return f"M{x:.2f},{y:.2f}"
    parts = [f"M{points[0][0]:.2f},{points[0][1]:.2f}"]
    for i in range(len(points) - 1):
        p0 = points[i - 1] if i > 0 else points[i]
        p1, p2 = points[i], points[i + 1]
        p3 = points[i + 2] if i + 2 < len(points) else p2
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        parts.append(f"C{c1[0]:.2f},{c1[1]:.2f} {c2[0]:.2f},{c2[1]:.2f} {p2[0]:.2f},{p2[1]:.2f}")
    return " ".join(parts)


def emotion_curve(
    *,
    stages: list[dict[str, Any]],
    items_by_stage: dict[str, list[dict[str, Any]]],
    stage_mm: float,
) -> EmotionCurve:
    """The emotion lane of one page: points spread across each stage's column, in mm."""
    height, pad = 26.0, 4.0
    mid = height / 2
    step = (height / 2 - pad) / 2
    solid: list[tuple[float, float]] = []
    dashed: list[tuple[float, float]] = []
    points: list[dict[str, Any]] = []
    notes: list[list[dict[str, Any]]] = []
    for index, stage in enumerate(stages):
        cell = [i for i in items_by_stage.get(stage["id"], []) if i.get("score") is not None]
        for item in cell:
            item["score_color"] = EMOTION_COLORS[item["score"]]
            item["score_text"] = f"{item['score']:+d}" if item["score"] else "0"
        notes.append(cell)
        for order, item in enumerate(cell, start=1):
            x = (index + order / (len(cell) + 1)) * stage_mm
            y = mid - item["score"] * step
            (dashed if item.get("variant") == "to_be" else solid).append((x, y))
            points.append(
                {
                    "x": round(x, 2),
                    "y": round(y, 2),
                    "color": EMOTION_COLORS[item["score"]],
                    "to_be": item.get("variant") == "to_be",
                }
            )
    return EmotionCurve(
        width=round(len(stages) * stage_mm, 2),
        height=height,
        path=_smooth_path(solid),
        points=points,
        dashed_path=_smooth_path(dashed),
        baseline=mid,
        notes=notes,
        band=round(mid - step / 2, 2),
        lower=round(mid + step / 2, 2),
        separators=[round(i * stage_mm, 2) for i in range(1, len(stages))],
    )


def _number(value: Any, language: str) -> str:
    """A metric as people write it: thin spaces between thousands, a decimal comma in vi."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    text = f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f")
    return text.replace(".", ",") if language == "vi" else text


def _item_view(
    item: dict[str, Any],
    *,
    labels: dict[str, str],
    language: str,
    comments: dict[str, list[dict[str, Any]]],
    texts: dict[str, str],
) -> dict[str, Any]:
    view = {key: nfc(value) for key, value in item.items()}
    kind = item["kind"]
    if kind == "touchpoint":
        channel = CHANNELS_BY_KEY.get(item.get("channel") or "")
        view["channel_name"] = channel.name(language) if channel else nfc(item.get("channel"))
        view["icon"] = ICON_PATHS.get(channel.icon if channel else "dot", ICON_PATHS["dot"])
        if item.get("online") is not None:
            view["mode"] = labels["online"] if item["online"] else labels["offline"]
        view["impact_dots"] = range(item.get("impact") or 0)
        view["importance_dots"] = range(item.get("importance") or 0)
    elif kind == "metric":
        view["value_text"] = _number(item.get("value"), language)
        view["target_text"] = _number(item.get("target"), language)
        view["trend_path"] = TREND_PATHS.get(item.get("trend") or "", "")
        view["trend_color"] = TREND_COLORS.get(item.get("trend") or "", "#6b7280")
    elif kind == "action":
        view["status_label"] = labels.get(item.get("status") or "", "")
        view["fixes_text"] = texts.get(item.get("fixes") or "", "")
    view["evidence_label"] = (
        labels.get(item["evidence"], "") if item.get("evidence") not in {None, "assumption"} else ""
    )
    view["comments"] = comments.get(item["id"], [])
    return view


def _persona_view(persona: dict[str, Any]) -> dict[str, Any]:
    view = {key: nfc(value) for key, value in persona.items()}
    view["facts"] = [
        view[key] for key in ("job_title", "company", "age", "location") if view.get(key)
    ]
    return view


def print_context(
    *,
    document: Mapping[str, Any],
    options: ExportOptions,
    workspace_name: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    language = options.language or document.get("language") or "vi"
    labels = print_labels(language)
    lanes = document["lanes"]
    if options.lanes is not None:
        wanted = {str(lane) for lane in options.lanes}
        lanes = [lane for lane in lanes if lane["id"] in wanted]
    personas = document["personas"]
    if options.personas is not None:
        chosen = {str(p) for p in options.personas}
        personas = [p for p in personas if p["id"] in chosen]
    persona_ids = {p["id"] for p in personas}
    stages = [
        {key: nfc(value) for key, value in stage.items()}
        | {"number": number, "phase_label": labels.get(stage.get("phase") or "", "")}
        for number, stage in enumerate(document["stages"], start=1)
    ]
    comments: dict[str, list[dict[str, Any]]] = {}
    if options.comments:
        for comment in document["comments"]:
            if comment.get("item") and not comment.get("resolved"):
                comments.setdefault(comment["item"], []).append(
                    {"author": nfc(comment["author"]["name"]), "text": nfc(comment["text"])}
                )
    texts = {
        item["id"]: nfc(item.get("text") or item.get("name") or "") for item in document["items"]
    }
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in document["items"]:
        if item["kind"] == "emotion" and item.get("persona") and item["persona"] not in persona_ids:
            continue
        cells.setdefault((item["lane"], item["stage"]), []).append(
            _item_view(item, labels=labels, language=language, comments=comments, texts=texts)
        )
    layout = layout_for(stage_count=len(stages), options=options)
    pages = []
    for chunk in layout.chunks:
        page_stages = [stages[index] for index in chunk]
        rows = []
        for lane in lanes:
            by_stage = {s["id"]: cells.get((lane["id"], s["id"]), []) for s in page_stages}
            row: dict[str, Any] = {"lane": {k: nfc(v) for k, v in lane.items()}}
            if lane["kind"] == "emotions":
                row["curve"] = emotion_curve(
                    stages=page_stages, items_by_stage=by_stage, stage_mm=layout.stage_mm
                )
                rows.append(row)
                continue
            # A lane is printed as rows of at most CARDS_PER_ROW cards per stage, each row kept
            # whole and titled, so a lane running onto the next page is named there too.
            tallest = max((len(cell) for cell in by_stage.values()), default=0)
            for start in range(0, max(tallest, 1), CARDS_PER_ROW):
                rows.append(
                    row
                    | {
                        "continued": start > 0,
                        "cells": [
                            by_stage[s["id"]][start : start + CARDS_PER_ROW] for s in page_stages
                        ],
                    }
                )
        width = LANE_COLUMN_MM + len(page_stages) * layout.stage_mm
        pages.append({"stages": page_stages, "rows": rows, "width_mm": round(width, 2)})
    now = now or timezone.localtime()
    title = nfc(document["title"])
    footer = " · ".join(
        part
        for part in (title, f"{labels['exported']} {now:%d/%m/%Y}", nfc(workspace_name))
        if part
    )
    return {
        "language": language,
        "labels": labels,
        "map": {
            "title": title,
            "objective": nfc(document.get("objective") or ""),
            "scenario": nfc(document.get("scenario") or ""),
            "type_label": labels.get(document.get("type") or "", ""),
        },
        "personas": [_persona_view(p) for p in personas] if options.persona_header else [],
        "pages": pages,
        "layout": layout,
        "options": options,
        "lane_mm": LANE_COLUMN_MM,
        "margin_mm": MARGIN_MM,
        "footer_mm": MARGIN_MM + FOOTER_MM,
        # Already escaped for their context (a CSS string): see css_string.
        "footer_css": mark_safe(css_string(footer)) if options.footer else "",
        "page_label_css": mark_safe(css_string(labels["page"])),
        "poster": layout.page.poster,
    }


def print_html(
    *,
    document: Mapping[str, Any],
    options: ExportOptions,
    workspace_name: str,
    now: dt.datetime | None = None,
) -> str:
    context = print_context(
        document=document, options=options, workspace_name=workspace_name, now=now
    )
    return nfc(render_to_string("print/map.html", context))


# --------------------------------------------------------------------------- CSV

# Where and what each item is, then its attributes (maps/item_schema.py), then its id.
CSV_COLUMNS = (
    *("stage", "stage_number", "stage_phase", "lane", "lane_kind", "kind"),
    *CSV_ITEM_COLUMNS,
    "id",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Spreadsheet-safe text: a leading formula character is quoted (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        value = nfc(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def map_csv(*, document: Mapping[str, Any], options: ExportOptions) -> bytes:
    """One row per item, stages then lanes in map order, with every attribute (UTF-8 with a
    byte-order mark so spreadsheet programs read Vietnamese correctly)."""
    language = options.language or document.get("language") or "vi"
    stages = {s["id"]: (n, s) for n, s in enumerate(document["stages"], start=1)}
    lanes = {lane["id"]: (n, lane) for n, lane in enumerate(document["lanes"])}
    if options.lanes is not None:
        wanted = {str(lane) for lane in options.lanes}
        lanes = {key: value for key, value in lanes.items() if key in wanted}
    personas = {p["id"]: p["name"] for p in document["personas"]}
    texts = {i["id"]: i.get("text") or i.get("name") or "" for i in document["items"]}
    rows = [i for i in document["items"] if i["lane"] in lanes and i["stage"] in stages]
    rows.sort(key=lambda i: (stages[i["stage"]][0], lanes[i["lane"]][0]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in rows:
        number, stage = stages[item["stage"]]
        lane = lanes[item["lane"]][1]
        channel = CHANNELS_BY_KEY.get(item.get("channel") or "")
        record = {
            **item,
            "stage": stage["name"],
            "stage_number": number,
            "stage_phase": stage["phase"],
            "lane": lane["title"],
            "lane_kind": lane["kind"],
            "channel_name": channel.name(language) if channel else "",
            "persona": personas.get(item.get("persona") or "", ""),
            "fixes": texts.get(item.get("fixes") or "", ""),
        }
        writer.writerow([_cell(record.get(column)) for column in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------- jobs


def export_message(job: ExportJob) -> dict[str, Any]:
    """docs/protocol.md's `export` message."""
    return {
        "type": "export",
        "id": str(job.pk),
        "status": job.status,
        "progress": job.progress,
        "file": export_file_url(job),
    }


def export_file_url(job: ExportJob) -> str | None:
    if job.status != ExportJob.Status.DONE or not job.file:
        return None
    return f"/api/exports/{job.pk}/file/"


def export_create(*, journey_map: JourneyMap, actor: User, options: ExportOptions) -> ExportJob:
    """Record a job and queue its task once the job row is committed."""
    from exports.tasks import export_render

    pending = ExportJob.objects.filter(
        requested_by=actor,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        created_at__gte=timezone.now() - dt.timedelta(seconds=settings.EXPORT_TIME_LIMIT * 3),
    ).count()
    if pending >= MAX_PENDING_PER_USER:
        raise ExportBusy
    job = ExportJob.objects.create(
        map=journey_map,
        format=options.format,
        requested_by=actor,
        options=options.model_dump(mode="json"),
    )
    job_id = str(job.pk)

    def enqueue() -> None:
        try:
            export_render.delay(job_id)
        except OUTAGES:
            # No broker (Redis is down): leave no job that would wait forever; the request
            # answers 503 unavailable (journeymap/middleware.py).
            ExportJob.objects.filter(pk=job_id).delete()
            raise

    transaction.on_commit(enqueue)
    return job


def export_progress(*, job: ExportJob, progress: int, **fields: Any) -> None:
    """Save the job's state and push it to every browser on the map."""
    job.progress = progress
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", *fields])
    broadcast(group=f"map.{job.map_id}", message=export_message(job))


def _file_name(job: ExportJob, title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    ascii_title = ascii_title.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60] or "journey-map"
    return f"{slug}-{str(job.pk)[:8]}.{job.format}"


def download_name(job: ExportJob) -> str:
    return _file_name(job, job.map.title)


def export_claim(*, job_id: uuid.UUID | str) -> ExportJob | None:
    """Mark the job running, unless it is finished (a redelivered task does nothing then)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in {ExportJob.Status.DONE, ExportJob.Status.FAILED}:
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.progress = 5
        job.error = ""
        job.save(update_fields=["status", "started_at", "progress", "error"])
    broadcast(group=f"map.{job.map_id}", message=export_message(job))
    return job


def export_produce(*, job: ExportJob, engine: str | None = None) -> tuple[bytes, str]:
    """The file's bytes and name for a claimed job, reporting progress along the way."""
    journey_map = JourneyMap.objects.select_related("workspace").get(pk=job.map_id)
    options = ExportOptions.model_validate(job.options)
    document = map_document(journey_map=journey_map)
    # A card's evidence as the editor shows it: derived from its insights when it has any.
    derived = evidence_by_card(journey_map=journey_map)
    for item in document["items"]:
        item["evidence"] = derived.get(str(item["id"])) or item["evidence"]
    name = _file_name(job, journey_map.title)
    if options.format == "csv":
        return map_csv(document=document, options=options), name
    if options.format == "xlsx":
        language = options.language or document.get("language") or "vi"
        return workbook_bytes(document=document, language=language), name
    html = print_html(document=document, options=options, workspace_name=journey_map.workspace.name)
    export_progress(job=job, progress=20)
    layout = layout_for(stage_count=len(document["stages"]), options=options)
    pdf = html_to_pdf(html, layout.page, engine=engine)
    if options.format == "pdf":
        return pdf, name
    export_progress(job=job, progress=70)
    return pdf_to_png(pdf, scale=options.scale), name


def export_run(*, job_id: uuid.UUID | str, engine: str | None = None) -> ExportJob | None:
    """Render a job from start to finish; failures end as `failed` with a readable message."""
    job = export_claim(job_id=job_id)
    if job is None:
        return None
    try:
        content, name = export_produce(job=job, engine=engine)
    except RenderError as error:
        export_fail(job=job, message=error.message)
        return job
    if job.file:
        job.file.delete(save=False)
    job.file.save(name, ContentFile(content), save=False)
    export_progress(
        job=job,
        progress=100,
        status=ExportJob.Status.DONE,
        file=job.file,
        finished_at=timezone.now(),
    )
    export_finished.send(sender=ExportJob, job=job)
    logger.info(
        "export %s done (%s, %d bytes, engine %s)",
        job.pk,
        job.format,
        len(content),
        engine_name(engine) if job.format in {"pdf", "png"} else job.format,
    )
    return job


def export_fail(*, job: ExportJob, message: str) -> None:
    export_progress(
        job=job,
        progress=job.progress,
        status=ExportJob.Status.FAILED,
        error=message[:500],
        finished_at=timezone.now(),
    )
    export_finished.send(sender=ExportJob, job=job)


def export_requeue(*, job_id: uuid.UUID | str) -> None:
    """A run that will be retried goes back to `queued` so the retry can claim it."""
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.QUEUED
    )


def export_job_view(job: ExportJob) -> dict[str, Any]:
    """The REST shape of a job (docs/protocol.md: status, progress, file, error, and more)."""
    return {
        "id": str(job.pk),
        "map": str(job.map_id),
        "format": job.format,
        "options": job.options,
        "status": job.status,
        "progress": job.progress,
        "file": export_file_url(job),
        "filename": download_name(job) if job.file else None,
        "size": _file_size(job),
        "error": job.error or None,
        "requested_by": job.requested_by.get_username() if job.requested_by else None,
        "created": job.created_at.isoformat(),
        "started": job.started_at.isoformat() if job.started_at else None,
        "finished": job.finished_at.isoformat() if job.finished_at else None,
    }


def _file_size(job: ExportJob) -> int | None:
    if not job.file or job.status != ExportJob.Status.DONE:
        return None
    try:
        return int(job.file.size)
    except OSError:  # removed from disk (retention) while the row remained
        return None


def export_visible(*, user: User | AnonymousUser, job_id: uuid.UUID) -> ExportJob | None:
    """The job if the user can see its map (any role may export and download), else None."""
    try:
        job_uuid = uuid.UUID(str(job_id))
    except ValueError:
        return None
    job = ExportJob.objects.select_related("map", "requested_by").filter(pk=job_uuid).first()
    if job is None or job.map.role_of(user) is None:
        return None
    return job


def exports_recent(*, journey_map: JourneyMap) -> list[ExportJob]:
    return list(
        ExportJob.objects.filter(map=journey_map)
        .select_related("map", "requested_by")
        .order_by("-created_at")[:RECENT_EXPORTS]
    )


def export_fail_by_id(*, job_id: uuid.UUID | str, message: str) -> None:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None and job.status != ExportJob.Status.DONE:
        export_fail(job=job, message=message)


def exports_purge(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete export jobs (and their files) created more than `days` days ago."""
    days = settings.EXPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
