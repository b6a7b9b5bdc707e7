"""The XLSX workbook of a map: its sheets, its grid's layout, text kept as text, and the
round trip through the importer."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from maps.services import apply_ops, map_document
from sheets.imports import sheet_import_create
from sheets.writing import header_fill, workbook_bytes, wrapped_lines
from tests.exports.helpers import build_map

pytestmark = pytest.mark.django_db

KINDS = (
    "actions",
    "touchpoints",
    "emotions",
    "obstacles",
    "opportunities",
    "metrics",
    "action_plan",
    "thoughts",
)


def rich_map(journey_map, owner):
    """Stages and lanes of many kinds, with emotion points, a metric, an action and texts
    that begin like formulas."""
    made = build_map(journey_map=journey_map, actor=owner, stages=3, lanes=("actions", "obstacles"))
    doc = map_document(journey_map=journey_map)
    stage = doc["stages"][0]["id"]
    lanes = {}
    ops: list[dict[str, Any]] = []
    for kind in ("emotions", "metrics", "action_plan", "touchpoints"):
        lanes[kind] = str(uuid.uuid4())
        ops.append(
            {
                "type": "lane.create",
                "id": lanes[kind],
                "kind": kind,
                "title": f"Làn {kind}",
                "position": f"z{len(ops)}",
            }
        )
    ops += [
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": lanes["emotions"],
            "stage": stage,
            "position": "a0",
            "score": -2,
            "note": "chờ lâu",
        },
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": lanes["metrics"],
            "stage": stage,
            "position": "a0",
            "name": "NPS",
            "value": 31,
            "target": 50,
        },
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": lanes["action_plan"],
            "stage": stage,
            "position": "a0",
            "text": "Rút ngắn thời gian chờ",
            "owner": "CSKH",
            "due": "2027-01-15",
            "status": "doing",
        },
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": lanes["touchpoints"],
            "stage": stage,
            "position": "a0",
            "text": '=HYPERLINK("http://x")',
        },
        {
            "type": "item.create",
            "id": str(uuid.uuid4()),
            "lane": lanes["touchpoints"],
            "stage": stage,
            "position": "a1",
            "text": "@SUM(1)",
        },
    ]
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))
    return made


def card_texts(doc):
    lanes = {lane["id"]: lane["title"] for lane in doc["lanes"]}
    stages = {s["id"]: s["name"] for s in doc["stages"]}
    return sorted(
        (stages[i["stage"]], lanes[i["lane"]], i.get("text") or i.get("name") or "", i.get("score"))
        for i in doc["items"]
    )


def test_the_workbook_has_the_grid_and_the_sheets_for_personas_metrics_actions_comments(
    journey_map, owner
):
    rich_map(journey_map, owner)

    book = load_workbook(
        io.BytesIO(workbook_bytes(document=map_document(journey_map=journey_map), language="vi"))
    )

    assert book.sheetnames == [
        "Bản đồ hành trình",
        "Chân dung khách hàng",
        "Chỉ số",
        "Kế hoạch hành động",
        "Bình luận",
        "journeymap",
    ]
    grid = book["Bản đồ hành trình"]
    assert grid.freeze_panes == "B3"
    assert grid["B2"].value == "Giai đoạn 1 – Cân nhắc"
    assert grid["B3"].alignment.wrap_text is True
    assert grid.column_dimensions["B"].width == 32
    assert book["journeymap"].sheet_state == "hidden"
    metrics = book["Chỉ số"]
    assert [c.value for c in metrics[2]] == [
        "Làn metrics",
        "Giai đoạn 1 – Cân nhắc",
        "NPS",
        31,
        50,
        None,
        None,
    ]
    actions = book["Kế hoạch hành động"]
    assert [c.value for c in actions[2]][2:4] == ["Rút ngắn thời gian chờ", "CSKH"]


def test_a_stage_header_is_a_light_tint_of_the_stage_colour_so_its_name_stays_readable():
    assert header_fill("#4F46E5") == "CAC8F7"
    assert header_fill("#000000") == "B2B2B2"
    assert header_fill("") == header_fill("red") == "E8EEF7"


def test_a_row_is_as_tall_as_its_longest_wrapped_cell_and_the_grid_prints_one_page_wide(
    journey_map, owner
):
    rich_map(journey_map, owner)
    book = load_workbook(
        io.BytesIO(workbook_bytes(document=map_document(journey_map=journey_map), language="en"))
    )
    grid = book["Journey map"]
    heights = {row: grid.row_dimensions[row].height for row in range(3, grid.max_row + 1)}
    assert all(height and height >= 19 for height in heights.values())
    assert grid.page_setup.orientation == "landscape"
    assert grid.sheet_properties.pageSetUpPr.fitToPage is True
    assert grid.print_title_rows == "$2:$2"


def test_wrapped_lines_count_each_line_and_its_wraps():
    assert wrapped_lines(["short"], 32) == 1
    assert wrapped_lines(["short", "x" * 31], 32) == 3
    assert wrapped_lines([""], 32) == 1


def test_text_that_begins_like_a_formula_is_stored_as_text_never_as_a_formula(journey_map, owner):
    rich_map(journey_map, owner)
    data = workbook_bytes(document=map_document(journey_map=journey_map), language="en")

    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets = [
        archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
    ]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)
    grid = load_workbook(io.BytesIO(data))["Journey map"]
    cell = next(
        c
        for row in grid.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    )
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_export_then_import_gives_the_same_stages_lanes_kinds_and_card_texts(
    journey_map, owner, workspace
):
    rich_map(journey_map, owner)
    before = map_document(journey_map=journey_map)

    data = workbook_bytes(document=before, language="vi")
    copy = sheet_import_create(workspace=workspace, actor=owner, data=data, filename="m.xlsx")

    after = map_document(journey_map=copy)
    assert [s["name"] for s in after["stages"]] == [s["name"] for s in before["stages"]]
    assert [(lane["title"], lane["kind"]) for lane in after["lanes"]] == [
        (lane["title"], lane["kind"]) for lane in before["lanes"]
    ]
    assert card_texts(after) == card_texts(before)
    metric = next(i for i in after["items"] if i["kind"] == "metric")
    assert (metric["value"], metric["target"]) == (31, 50)
    action = next(i for i in after["items"] if i["kind"] == "action")
    assert (action["owner"], action["due"], action["status"]) == ("CSKH", "2027-01-15", "doing")
    assert after["title"] == before["title"]
