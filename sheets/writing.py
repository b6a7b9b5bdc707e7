"""A journey map as an XLSX workbook (openpyxl): the grid people read and filter, and the
sheets that carry what a grid cannot (personas, metrics, action plan, comments).

The grid is the layout sheets/imports.py reads, so exporting and importing again gives the
same stages, lanes, kinds and card texts; a hidden `journeymap` sheet records each lane's kind.
Text is stored as text: a value that begins like a formula (= + - @) is written as a string
cell with Excel's quote prefix, so no spreadsheet program ever runs it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from maps.models import ItemKind

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "E8EEF7"
STAGE_WIDTH = 32  # characters
LINE_HEIGHT = 15  # points: one line of 11-point text
LANE_FILL = "F3F4F6"


def sheet_labels(language: str) -> dict[str, Any]:
    """The sheet names and column headings, in the export's language (not the request's)."""
    with translation.override(language):
        lane = pgettext("the column of lane titles in an export", "Lane")
        return {
            "grid": _("Journey map"),
            "stage": _("Stage"),
            "lane": lane,
            "personas": _("Personas"),
            "metrics": _("Metrics"),
            "actions": _("Action plan"),
            "comments": _("Comments"),
            "persona_columns": [
                _("Name"),
                _("Quote"),
                _("Age"),
                _("Location"),
                _("Job title"),
                _("Company"),
                _("Goals"),
                _("Pain points"),
            ],
            "metric_columns": [
                lane,
                _("Stage"),
                _("Metric"),
                _("Actual"),
                _("Target"),
                _("Unit"),
                _("Trend"),
            ],
            "action_columns": [
                lane,
                _("Stage"),
                _("Action"),
                pgettext("the team responsible", "Owner"),
                _("Due"),
                _("Status"),
                _("Fixes"),
            ],
            "comment_columns": [
                _("Stage"),
                lane,
                _("Card"),
                _("Author"),
                _("Comment"),
                _("Date"),
                _("Resolved"),
            ],
            "yes": _("Yes"),
            "no": _("No"),
        }


PERSONA_FIELDS: tuple[str, ...] = ("name", "quote", "age", "location", "job_title", "company")
PERSONA_FIELDS += ("goals", "pain_points")


def _put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _header(ws: Worksheet, names: list[str], widths: list[int]) -> None:
    for col, name in enumerate(names, start=1):
        cell = _put(ws, 1, col, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def header_fill(colour: str) -> str:
    """A stage's colour as a light tint behind its name: the editor's colours are strong
    accents (#4F46E5), and dark text on them would be hard to read."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) != 6:
        return HEADER_FILL
    channels = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(255 - (255 - c) * 0.3):02X}" for c in channels)


def card_line(item: dict[str, Any]) -> str:
    """One item as one line of its grid cell (a newline would make two cards on import)."""
    if item["kind"] == ItemKind.EMOTION:
        score = item.get("score") or 0
        text = f"{score:+d}" if score else "0"
        note = item.get("note") or item.get("text") or ""
        return f"{text} {note}".strip()
    text = item.get("text") or item.get("name") or ""
    return " ".join(text.split())


def _grid(ws: Worksheet, doc: Mapping[str, Any], labels: dict[str, str]) -> None:
    stages, lanes = doc["stages"], doc["lanes"]
    _put(ws, 1, 1, doc["title"]).font = Font(bold=True, size=14)
    _put(ws, 2, 1, labels["stage"]).font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    for col, stage in enumerate(stages, start=2):
        cell = _put(ws, 2, col, stage["name"])
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor=header_fill(stage.get("color") or ""))
        ws.column_dimensions[get_column_letter(col)].width = STAGE_WIDTH
    cells: dict[tuple[str, str], list[str]] = {}
    for item in doc["items"]:
        line = card_line(item)
        if line:
            cells.setdefault((item["lane"], item["stage"]), []).append(line)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, lane in enumerate(lanes, start=3):
        title = _put(ws, row, 1, lane["title"])
        title.font = Font(bold=True)
        title.fill = PatternFill("solid", fgColor=LANE_FILL)
        title.alignment = wrap
        tallest = 1
        for col, stage in enumerate(stages, start=2):
            lines = cells.get((lane["id"], stage["id"]))
            if lines:
                tallest = max(tallest, wrapped_lines(lines, STAGE_WIDTH))
                value: Any = "\n".join(lines)
                if (
                    lane["kind"] == "emotions"
                    and len(lines) == 1
                    and lines[0].lstrip("+-").isdigit()
                ):
                    value = int(lines[0])  # a bare score stays a number people can chart
                _put(ws, row, col, value).alignment = wrap
        # Neither Excel nor LibreOffice grows a row to its wrapped text when opening a file:
        # without a height, every cell would show its first line only.
        ws.row_dimensions[row].height = LINE_HEIGHT * tallest + 4
    ws.freeze_panes = "B3"
    _print_setup(ws)


def wrapped_lines(lines: list[str], width: int) -> int:
    """How many lines a cell of `width` characters shows for these lines, wrapped."""
    return sum(max(1, math.ceil(len(line) / (width - 2))) for line in lines)


def _print_setup(ws: Worksheet) -> None:
    """Printed from Excel: landscape, as wide as one page, stages and lanes on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_title_cols = "A:A"


def _kinds(ws: Worksheet, doc: Mapping[str, Any]) -> None:
    _put(ws, 1, 1, "lane")
    _put(ws, 1, 2, "kind")
    for row, lane in enumerate(doc["lanes"], start=2):
        _put(ws, row, 1, lane["title"])
        _put(ws, row, 2, lane["kind"])
    ws.sheet_state = "hidden"


def _rows(ws: Worksheet, start: int, rows: list[list[Any]]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, values in enumerate(rows, start=start):
        for col, value in enumerate(values, start=1):
            if value not in (None, ""):
                _put(ws, row, col, value).alignment = wrap


def workbook_bytes(*, document: Mapping[str, Any], language: str) -> bytes:
    labels = sheet_labels("en" if language == "en" else "vi")
    doc = document
    stages = {s["id"]: s["name"] for s in doc["stages"]}
    lanes = {lane["id"]: lane["title"] for lane in doc["lanes"]}
    items = {i["id"]: i for i in doc["items"]}
    book = Workbook()
    grid = book.active
    assert grid is not None
    grid.title = labels["grid"]
    _grid(grid, doc, labels)

    ws = book.create_sheet(labels["personas"])
    _header(ws, labels["persona_columns"], [20, 36, 10, 18, 20, 20, 40, 40])
    _rows(ws, 2, [[p.get(f) or "" for f in PERSONA_FIELDS] for p in doc["personas"]])

    in_map = [i for i in doc["items"] if i["stage"] in stages and i["lane"] in lanes]
    ws = book.create_sheet(labels["metrics"])
    _header(ws, labels["metric_columns"], [20, 20, 36, 12, 12, 10, 10])
    metrics = [i for i in in_map if i["kind"] == ItemKind.METRIC]
    _rows(
        ws,
        2,
        [
            [
                lanes[i["lane"]],
                stages[i["stage"]],
                i.get("name") or i.get("text") or "",
                i.get("value"),
                i.get("target"),
                i.get("unit") or "",
                i.get("trend") or "",
            ]
            for i in metrics
        ],
    )

    ws = book.create_sheet(labels["actions"])
    _header(ws, labels["action_columns"], [20, 20, 44, 18, 12, 12, 36])
    actions = [i for i in in_map if i["kind"] == ItemKind.ACTION]
    _rows(
        ws,
        2,
        [
            [
                lanes[i["lane"]],
                stages[i["stage"]],
                i.get("text") or "",
                i.get("owner") or "",
                dt.date.fromisoformat(i["due"]) if i.get("due") else None,
                i.get("status") or "",
                card_line(items[i["fixes"]]) if i.get("fixes") in items else "",
            ]
            for i in actions
        ],
    )
    for row in range(2, len(actions) + 2):
        ws.cell(row=row, column=5).number_format = "DD/MM/YYYY"

    ws = book.create_sheet(labels["comments"])
    _header(ws, labels["comment_columns"], [20, 20, 36, 20, 48, 18, 10])
    rows = []
    for comment in doc.get("comments", []):
        item = items.get(comment.get("item") or "")
        stage_id = item["stage"] if item else comment.get("stage")
        rows.append(
            [
                stages.get(stage_id or "", ""),
                lanes.get(item["lane"], "") if item else "",
                card_line(item) if item else "",
                comment["author"]["name"],
                comment["text"],
                comment["created"][:10],
                labels["yes"] if comment.get("resolved") else labels["no"],
            ]
        )
    _rows(ws, 2, rows)

    _kinds(book.create_sheet("journeymap"), doc)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
