"""A journey map from a spreadsheet: the grid read into stages, lanes and cards, a preview
with every problem and its cell, and the map created from it as one change.

The grid: the first row with stage names (column A may hold a label), column A with lane
titles, one card per non-empty line of a cell. A cell merged across stage columns is a card
of each stage it spans; a stage header merged across columns gathers their cards. Rows
above the stage row holding a single cell are the map's title. Optional sheets: Personas,
Metrics, Action plan (their names in Vietnamese too), and the hidden `journeymap` sheet an
XLSX export writes, which restores the lanes' kinds exactly.

Limits are the map's own (maps/ops.py), so what the preview accepts, apply_ops accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from pydantic import ValidationError

from maps.documents import PortableDocument, map_create
from maps.item_schema import limit_of
from maps.models import ItemKind, JourneyMap, LaneKind, Language, item_kind_for_lane
from maps.ops import MAX_ITEMS, MAX_LANES, MAX_STAGES
from sheets.kinds import channel_guess, emotion_read, kind_guess, plain
from sheets.reading import Book, Sheet, SheetError, address, book_read
from touchpoints.catalog import CHANNELS_BY_KEY
from workspaces.models import Workspace

MAX_CELL_CHARS = 5000
MAX_CARD_CHARS = limit_of("text")  # an item's text
MAX_NAME_CHARS = 120  # a stage's name, a lane's title
MAX_PERSONAS = 20
META_SHEET = "journeymap"
PERSONA_SHEETS = ("Personas", "Persona", "Chân dung khách hàng", "Chân dung")
METRIC_SHEETS = ("Metrics", "KPIs", "Chỉ số")
ACTION_SHEETS = ("Action plan", "Kế hoạch hành động")
COMMENT_SHEETS = ("Comments", "Bình luận")
SIDE_SHEETS = {plain(n) for n in (*PERSONA_SHEETS, *METRIC_SHEETS, *ACTION_SHEETS)}
SIDE_SHEETS |= {plain(n) for n in (*COMMENT_SHEETS, META_SHEET)}


@dataclass
class Problem:
    level: str  # "error": nothing can be created; "warning": created, but read differently
    code: str
    sheet: str
    cell: str
    message: str

    def view(self) -> dict[str, str]:
        return self.__dict__.copy()


@dataclass
class DraftLane:
    title: str
    cell: str  # where the title is
    kind: LaneKind
    guessed: bool  # False when the title named no kind (a text lane)
    # stage index -> [(cell address, line)]
    lines: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)  # rows of the side sheets


@dataclass
class Draft:
    title: str
    sheet: str
    stages: list[dict[str, Any]]
    lanes: list[DraftLane]
    personas: list[dict[str, Any]]
    problems: list[Problem]
    notices: list[str]
    encoding: str


# --------------------------------------------------------------------------- the grid


def _grid_sheet(book: Book) -> Sheet:
    for sheet in book.sheets:
        if plain(sheet.name) not in SIDE_SHEETS and sheet.cells:
            return sheet
    raise SheetError("empty", _("The file has no sheet with a journey map grid in it."))


def _header_row(sheet: Sheet) -> tuple[int, str]:
    """The stage row, and the title taken from single-cell rows above it."""
    title = ""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (r, c), v in sorted(sheet.cells.items()):
        rows.setdefault(r, []).append((c, v))
    for row, values in sorted(rows.items()):
        if len(values) == 1 and values[0][0] == 1 and not title:
            title = values[0][1]
            continue
        if any(c > 1 for c, _v in values):
            return row, title
    raise SheetError(
        "empty", _("No stage names found: the first row of the grid must name the stages.")
    )


def _spans(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    return {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}


BULLET = re.compile(r"^[•·*\-–]\s+")


def _lines(text: str) -> list[str]:
    """A cell's cards: its non-empty lines, without the bullets people type before them
    ("- ", "• "); "-2" stays a score."""
    lines = (BULLET.sub("", line.strip()).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def _grid_read(
    sheet: Sheet, problems: list[Problem]
) -> tuple[list[dict[str, Any]], list[DraftLane], str]:
    header, title = _header_row(sheet)
    spans = _spans(sheet)
    stages: list[dict[str, Any]] = []
    column_stage: dict[int, int] = {}
    for col in range(2, sheet.max_col + 1):
        name = sheet.cells.get((header, col))
        if name is None:
            continue
        _r1, _c1, _r2, last = spans.get((header, col), (header, col, header, col))
        for covered in range(col, last + 1):
            column_stage[covered] = len(stages)
        cell = address(header, col)
        if len(name) > MAX_NAME_CHARS:
            problems.append(
                Problem(
                    "error",
                    "too_long",
                    sheet.name,
                    cell,
                    _("A stage name is longer than %(n)d characters.") % {"n": MAX_NAME_CHARS},
                )
            )
        stages.append({"name": name, "cell": cell, "cards": 0})
    if len(stages) > MAX_STAGES:
        problems.append(
            Problem(
                "error",
                "too_many_stages",
                sheet.name,
                address(header, 1),
                _("The grid has %(count)d stages; a map holds at most %(max)d.")
                % {"count": len(stages), "max": MAX_STAGES},
            )
        )
    lanes: list[DraftLane] = []
    row_lane: dict[int, DraftLane] = {}
    for row in range(header + 1, sheet.max_row + 1):
        lane_title = sheet.cells.get((row, 1), "")
        has_cards = any(sheet.cells.get((row, c)) for c in range(2, sheet.max_col + 1))
        if not lane_title and not has_cards:
            continue
        if not lane_title:
            if row in row_lane:  # under a lane title merged down over several rows
                continue
            lane_title = _("Lane %(n)d") % {"n": len(lanes) + 1}
            problems.append(
                Problem(
                    "warning",
                    "untitled_lane",
                    sheet.name,
                    address(row, 1),
                    _("This row has cards but no lane title in column A; it was named “%(title)s”.")
                    % {"title": lane_title},
                )
            )
        if len(lane_title) > MAX_NAME_CHARS:
            problems.append(
                Problem(
                    "error",
                    "too_long",
                    sheet.name,
                    address(row, 1),
                    _("A lane title is longer than %(n)d characters.") % {"n": MAX_NAME_CHARS},
                )
            )
        kind = kind_guess(lane_title)
        lane = DraftLane(lane_title, address(row, 1), kind or LaneKind.TEXT, kind is not None)
        lanes.append(lane)
        _r1, _c1, last_row, _c2 = spans.get((row, 1), (row, 1, row, 1))
        for covered in range(row, last_row + 1):
            row_lane[covered] = lane
    for (row, col), text in sorted(sheet.cells.items()):
        if row <= header or col == 1 or row not in row_lane:
            continue
        cell = address(row, col)
        if col not in column_stage:
            problems.append(
                Problem(
                    "warning",
                    "no_stage",
                    sheet.name,
                    cell,
                    _("This cell has text but no stage above it; it was left out."),
                )
            )
            continue
        if len(text) > MAX_CELL_CHARS:
            problems.append(
                Problem(
                    "error",
                    "too_long",
                    sheet.name,
                    cell,
                    _("The cell holds more than %(n)d characters.") % {"n": MAX_CELL_CHARS},
                )
            )
            continue
        _r1, _c1, _r2, last = spans.get((row, col), (row, col, row, col))
        targets = sorted({column_stage[c] for c in range(col, last + 1) if c in column_stage})
        for line in _lines(text):
            if len(line) > MAX_CARD_CHARS:
                problems.append(
                    Problem(
                        "error",
                        "too_long",
                        sheet.name,
                        cell,
                        _("A card (one line of the cell) is longer than %(n)d characters.")
                        % {"n": MAX_CARD_CHARS},
                    )
                )
                continue
            for stage in targets:
                row_lane[row].lines.setdefault(stage, []).append((cell, line))
    return stages, lanes, title


def _meta_kinds(book: Book, lanes: list[DraftLane]) -> None:
    """The kinds an XLSX export recorded (sheet `journeymap`: lane title, kind per row)."""
    meta = book.sheet(META_SHEET)
    if meta is None:
        return
    recorded = {
        meta.cells.get((row, 1), ""): meta.cells.get((row, 2), "")
        for row in range(2, meta.max_row + 1)
    }
    for lane in lanes:
        kind = recorded.get(lane.title)
        if kind in LaneKind.values:
            lane.kind, lane.guessed = LaneKind(kind), True


# --------------------------------------------------------------------------- side sheets

PERSONA_COLUMNS = {
    "name": ("name", "ten", "ho ten", "persona"),
    "quote": ("quote", "cau noi", "trich dan"),
    "age": ("age", "tuoi", "do tuoi"),
    "location": ("location", "noi song", "dia diem", "khu vuc"),
    "gender": ("gender", "gioi tinh"),
    "income": ("income", "thu nhap"),
    "job_title": ("job title", "job", "nghe nghiep", "chuc danh", "cong viec"),
    "company": ("company", "cong ty"),
    "industry": ("industry", "nganh"),
    "interests": ("interests", "so thich"),
    "goals": ("goals", "muc tieu"),
    "challenges": ("challenges", "thach thuc"),
    "pain_points": ("pain points", "diem dau", "noi dau"),
    "buying_behaviour": ("buying behaviour", "buying behavior", "hanh vi mua"),
    "research": ("research", "nghien cuu"),
}
METRIC_COLUMNS = {
    "lane": ("lane", "hang muc"),
    "stage": ("stage", "giai doan"),
    "name": ("metric", "name", "chi so", "ten"),
    "value": ("actual", "current", "value", "hien tai", "thuc te", "gia tri"),
    "target": ("target", "muc tieu"),
    "unit": ("unit", "don vi"),
    "trend": ("trend", "xu huong"),
}
ACTION_COLUMNS = {
    "lane": ("lane", "hang muc"),
    "stage": ("stage", "giai doan"),
    "text": ("action", "text", "viec can lam", "hanh dong", "cai tien", "noi dung"),
    "owner": ("owner", "phu trach", "nguoi phu trach"),
    "due": ("due", "han", "deadline", "han chot"),
    "status": ("status", "trang thai"),
}
STATUS_WORDS = {
    "todo": ("todo", "to do", "can lam", "chua lam", "moi", "open"),
    "doing": ("doing", "in progress", "dang lam", "dang thuc hien"),
    "done": ("done", "xong", "hoan thanh", "da xong", "closed"),
}


def _columns(sheet: Sheet, names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col in range(1, sheet.max_col + 1):
        header = plain(sheet.cells.get((1, col), ""))
        for key, words in names.items():
            if key not in found and header in words:
                found[key] = col
    return found


def _rows(sheet: Sheet, columns: dict[str, int]) -> list[tuple[int, dict[str, str]]]:
    rows = []
    for row in range(2, sheet.max_row + 1):
        values = {key: sheet.cells.get((row, col), "") for key, col in columns.items()}
        if any(values.values()):
            rows.append((row, values))
    return rows


def _number(text: str) -> float | None:
    cleaned = text.replace("\u202f", "").replace(" ", "").rstrip("%")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):  # 1.234,5 (Vietnamese)
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(
            ",", "." if cleaned.count(",") == 1 and "." not in cleaned else ""
        )
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if abs(value) <= 1e15 else None


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.split(" ")[0], pattern).date()
        except ValueError:
            continue
    return None


def _personas_read(book: Book, problems: list[Problem]) -> list[dict[str, Any]]:
    sheet = book.sheet(*PERSONA_SHEETS)
    if sheet is None:
        return []
    columns = _columns(sheet, PERSONA_COLUMNS)
    if "name" not in columns:
        problems.append(
            Problem(
                "warning",
                "no_name_column",
                sheet.name,
                "A1",
                _("No “Name” column: the personas of this sheet were left out."),
            )
        )
        return []
    personas: list[dict[str, Any]] = []
    for row, values in _rows(sheet, columns):
        if not values["name"]:
            continue
        if len(personas) == MAX_PERSONAS:
            problems.append(
                Problem(
                    "warning",
                    "too_many_personas",
                    sheet.name,
                    f"A{row}",
                    _("Only the first %(n)d personas were read.") % {"n": MAX_PERSONAS},
                )
            )
            break
        personas.append({"id": f"p{row}", "cell": f"{sheet.name}!{row}", **values})
    return personas


def _side_lane(lanes: list[DraftLane], kind: LaneKind, title: str, cell: str) -> DraftLane:
    lane = next((lane for lane in lanes if lane.kind == kind), None)
    if lane is None:
        lane = DraftLane(title, cell, kind, True)
        lanes.append(lane)
    return lane


def _side_items(
    book: Book,
    *,
    names: tuple[str, ...],
    columns_of: dict[str, tuple[str, ...]],
    stages: list[dict[str, Any]],
    lanes: list[DraftLane],
    kind: LaneKind,
    title: str,
    problems: list[Problem],
) -> None:
    """The rows of the Metrics or Action plan sheet, as items of the map's lane of that kind
    (a new lane when the grid has none)."""
    sheet = book.sheet(*names)
    if sheet is None:
        return
    columns = _columns(sheet, columns_of)
    main = "name" if kind == LaneKind.METRICS else "text"
    if "stage" not in columns or main not in columns:
        problems.append(
            Problem(
                "warning",
                "no_columns",
                sheet.name,
                "A1",
                _("This sheet needs a “Stage” column and a “%(column)s” column; it was left out.")
                % {"column": _("Metric") if kind == LaneKind.METRICS else _("Action")},
            )
        )
        return
    stage_index = {plain(s["name"]): n for n, s in enumerate(stages)}
    lane: DraftLane | None = None
    for row, values in _rows(sheet, columns):
        stage = stage_index.get(plain(values["stage"]))
        if stage is None:
            problems.append(
                Problem(
                    "warning",
                    "unknown_stage",
                    sheet.name,
                    address(row, columns["stage"]),
                    _("“%(stage)s” is not a stage of the grid; the row was left out.")
                    % {"stage": values["stage"]},
                )
            )
            continue
        item = _side_item(kind, values, sheet=sheet, row=row, columns=columns, problems=problems)
        if item is None:
            continue
        named = next((x for x in lanes if x.kind == kind and x.title == values.get("lane")), None)
        lane = named or lane or _side_lane(lanes, kind, title, f"{sheet.name}!A1")
        lane.items.append({"stage": stage, **item})


def _side_item(
    kind: LaneKind,
    values: dict[str, str],
    *,
    sheet: Sheet,
    row: int,
    columns: dict[str, int],
    problems: list[Problem],
) -> dict[str, Any] | None:
    if kind == LaneKind.METRICS:
        if not values["name"]:
            return None
        item: dict[str, Any] = {"name": values["name"][: limit_of("name")]}
        for key in ("value", "target"):
            if values.get(key):
                number = _number(values[key])
                if number is None:
                    problems.append(
                        Problem(
                            "warning",
                            "not_a_number",
                            sheet.name,
                            address(row, columns[key]),
                            _("“%(text)s” is not a number; it was left out.")
                            % {"text": values[key][:40]},
                        )
                    )
                else:
                    item[key] = number
        if values.get("trend") in {"up", "down", "flat"}:
            item["trend"] = values["trend"]
        unit = values.get("unit") or ("%" if "%" in values.get("value", "") else "")
        if unit:
            item["unit"] = unit[: limit_of("unit")]
        return item
    if not values["text"]:
        return None
    item = {"text": values["text"][:MAX_CARD_CHARS]}
    if values.get("owner"):
        item["owner"] = values["owner"][: limit_of("owner")]
    if values.get("due"):
        due = _date(values["due"])
        if due is None:
            problems.append(
                Problem(
                    "warning",
                    "not_a_date",
                    sheet.name,
                    address(row, columns["due"]),
                    _("“%(text)s” is not a date (dd/mm/yyyy); it was left out.")
                    % {"text": values["due"][:40]},
                )
            )
        else:
            item["due"] = due.isoformat()
    if values.get("status"):
        status = plain(values["status"])
        item["status"] = next(
            (key for key, words in STATUS_WORDS.items() if status in words), "todo"
        )
    return item


# --------------------------------------------------------------------------- the draft


def draft_read(*, book: Book) -> Draft:
    problems: list[Problem] = []
    sheet = _grid_sheet(book)
    for cell in sheet.uncached:
        problems.append(
            Problem(
                "warning",
                "formula_without_value",
                sheet.name,
                cell,
                _(
                    "A formula without a saved value; open and save the file in Excel or "
                    "LibreOffice to keep its result."
                ),
            )
        )
    stages, lanes, title = _grid_read(sheet, problems)
    _meta_kinds(book, lanes)
    stage_args: dict[str, Any] = {"stages": stages, "lanes": lanes, "problems": problems}
    _side_items(
        book,
        names=METRIC_SHEETS,
        columns_of=METRIC_COLUMNS,
        kind=LaneKind.METRICS,
        title=_("Metrics"),
        **stage_args,
    )
    _side_items(
        book,
        names=ACTION_SHEETS,
        columns_of=ACTION_COLUMNS,
        kind=LaneKind.ACTION_PLAN,
        title=_("Action plan"),
        **stage_args,
    )
    if len(lanes) > MAX_LANES:
        problems.append(
            Problem(
                "error",
                "too_many_lanes",
                sheet.name,
                "A1",
                _("The grid has %(count)d lanes; a map holds at most %(max)d.")
                % {"count": len(lanes), "max": MAX_LANES},
            )
        )
    notices = list(book.notices)
    if book.sheet(*COMMENT_SHEETS) is not None:
        notices.append(_("The Comments sheet is not imported: comments belong to their authors."))
    return Draft(
        title=title,
        sheet=sheet.name,
        stages=stages,
        lanes=lanes,
        personas=_personas_read(book, problems),
        problems=problems,
        notices=notices,
        encoding=book.encoding,
    )


def lane_items(
    lane: DraftLane, kind: LaneKind, problems: list[Problem], sheet: str
) -> list[dict[str, Any]]:
    """The items of a lane read as `kind`: a card per line, an emotion point per line of an
    emotion lane, a metric or an action per line of those lanes, plus the side sheets' rows."""
    item_kind = item_kind_for_lane(kind)
    items: list[dict[str, Any]] = []
    if lane.items:
        # The Metrics or Action plan sheet holds this lane's items in full (values, owners,
        # dates): its rows replace the one-line summaries of the grid's cells.
        if item_kind in {ItemKind.METRIC, ItemKind.ACTION}:
            return [item for item in lane.items if _fits(item, item_kind)]
        return [
            {"stage": i["stage"], "text": i.get("text") or i.get("name", "")} for i in lane.items
        ]
    for stage, lines in sorted(lane.lines.items()):
        for cell, line in lines:
            if item_kind == ItemKind.EMOTION:
                read = emotion_read(line)
                if read is None:
                    problems.append(
                        Problem(
                            "warning",
                            "not_an_emotion",
                            sheet,
                            cell,
                            _(
                                "“%(text)s” is not an emotion (a number from −2 to +2, a word "
                                "such as “vui” or an emoji); it was read as 0 (neutral)."
                            )
                            % {"text": line[:40]},
                        )
                    )
                    read = (0, line)
                score, note = read
                items.append({"stage": stage, "score": score, "note": note[: limit_of("note")]})
            elif item_kind == ItemKind.METRIC:
                items.append({"stage": stage, "name": line[: limit_of("name")], "text": line})
            elif item_kind == ItemKind.TOUCHPOINT:
                items.append({"stage": stage, "text": line, **_channel(line)})
            else:
                items.append({"stage": stage, "text": line})
    return items


def _channel(text: str) -> dict[str, Any]:
    key = channel_guess(text)
    if key is None:
        return {}
    return {"channel": key, "online": CHANNELS_BY_KEY[key].online}


def _fits(item: dict[str, Any], kind: str) -> bool:
    return ("name" in item) == (kind == ItemKind.METRIC)


def draft_kinds(draft: Draft, kinds: list[str] | None) -> list[LaneKind]:
    """The lanes' kinds: the guesses, or the ones the person chose in the preview."""
    if kinds is None:
        return [lane.kind for lane in draft.lanes]
    if len(kinds) != len(draft.lanes) or any(k not in LaneKind.values for k in kinds):
        raise SheetError(
            "invalid",
            _("The lane kinds must be a list with one known kind per lane (%(n)d lanes).")
            % {"n": len(draft.lanes)},
        )
    return [LaneKind(k) for k in kinds]


def draft_preview(*, draft: Draft, kinds: list[str] | None = None) -> dict[str, Any]:
    """What the dialog shows before anything is created."""
    chosen = draft_kinds(draft, kinds)
    problems = list(draft.problems)
    lanes = []
    stage_cards = [0] * len(draft.stages)
    total = 0
    for lane, kind in zip(draft.lanes, chosen, strict=True):
        items = lane_items(lane, kind, problems, draft.sheet)
        for item in items:
            stage_cards[item["stage"]] += 1
        total += len(items)
        lanes.append(
            {
                "title": lane.title,
                "cell": lane.cell,
                "kind": kind.value,
                "guessed": lane.guessed,
                "cards": len(items),
            }
        )
    if total > MAX_ITEMS:
        problems.append(
            Problem(
                "error",
                "too_many_cards",
                draft.sheet,
                "A1",
                _("The file has %(count)d cards; a map holds at most %(max)d.")
                % {"count": total, "max": MAX_ITEMS},
            )
        )
    if not draft.stages:
        problems.append(
            Problem(
                "error",
                "empty",
                draft.sheet,
                "A1",
                _("No stage names found: the first row of the grid must name the stages."),
            )
        )
    return {
        "title": draft.title,
        "sheet": draft.sheet,
        "encoding": draft.encoding,
        "stages": [
            {"name": s["name"], "cell": s["cell"], "cards": n}
            for s, n in zip(draft.stages, stage_cards, strict=True)
        ],
        "lanes": lanes,
        "cards": total,
        "personas": [p["name"] for p in draft.personas],
        "problems": [p.view() for p in problems],
        "notices": draft.notices,
        "can_create": not any(p.level == "error" for p in problems),
    }


def draft_document(
    *, draft: Draft, kinds: list[str] | None, title: str, language: str
) -> PortableDocument:
    chosen = draft_kinds(draft, kinds)
    problems: list[Problem] = []
    items: list[dict[str, Any]] = []
    for index, (lane, kind) in enumerate(zip(draft.lanes, chosen, strict=True)):
        for item in lane_items(lane, kind, problems, draft.sheet):
            item = dict(item)
            stage = item.pop("stage")
            items.append(
                {"id": f"i{len(items)}", "lane": f"l{index}", "stage": f"s{stage}", **item}
            )
    persona_fields = set(PERSONA_COLUMNS)
    raw = {
        "format": "journeymap",
        "version": 1,
        "map": {"title": title, "language": language},
        "personas": [
            {"id": p["id"], **{k: v for k, v in p.items() if k in persona_fields and v}}
            for p in draft.personas
        ],
        "stages": [{"id": f"s{n}", "name": s["name"]} for n, s in enumerate(draft.stages)],
        "lanes": [
            {"id": f"l{n}", "kind": kind.value, "title": lane.title}
            for n, (lane, kind) in enumerate(zip(draft.lanes, chosen, strict=True))
        ],
        "items": items,
    }
    try:
        return PortableDocument.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SheetError(
            "invalid",
            _("The file cannot become a map: %(where)s: %(message)s")
            % {"where": where, "message": first["msg"]},
        ) from None


# --------------------------------------------------------------------------- services


def sheet_import_preview(
    *, data: bytes, filename: str, kinds: list[str] | None = None
) -> dict[str, Any]:
    return draft_preview(
        draft=draft_read(book=book_read(data=data, filename=filename)), kinds=kinds
    )


def sheet_import_create(
    *,
    workspace: Workspace,
    actor: User,
    data: bytes,
    filename: str,
    title: str = "",
    kinds: list[str] | None = None,
    language: str = Language.VI,
) -> JourneyMap:
    """The map the preview showed, created in one change; nothing when the file has an error."""
    draft = draft_read(book=book_read(data=data, filename=filename))
    preview = draft_preview(draft=draft, kinds=kinds)
    errors = [p for p in preview["problems"] if p["level"] == "error"]
    if errors:
        first = errors[0]
        raise SheetError(first["code"], f"{first['sheet']}!{first['cell']}: {first['message']}")
    title = (title.strip() or draft.title or _("Imported journey map"))[:200]
    document = draft_document(draft=draft, kinds=kinds, title=title, language=language)
    return map_create(
        workspace=workspace, actor=actor, title=title, language=language, document=document
    )
