"""The grid import: the preview (stages, lanes, kinds, counts, problems at their cells) and
the map created from it in one change, or nothing at all."""

from __future__ import annotations

import pytest

from maps.models import Change, Item, JourneyMap
from maps.ops import MAX_ITEMS, MAX_LANES, MAX_STAGES
from sheets.imports import sheet_import_create, sheet_import_preview
from sheets.reading import SheetError
from tests.sheets.helpers import GRID, xlsx

pytestmark = pytest.mark.django_db


def preview(data: bytes, name: str = "map.xlsx", **kwargs):
    return sheet_import_preview(data=data, filename=name, **kwargs)


def test_the_preview_shows_stages_lanes_guessed_kinds_and_card_counts():
    result = preview(xlsx(GRID, merges=("B4:C4",)))

    assert result["title"] == "Hành trình mua sắm của chị Hoa"
    assert [s["name"] for s in result["stages"]] == ["Nhận thức", "Cân nhắc", "Mua hàng"]
    lanes = [
        (lane["title"], lane["kind"], lane["guessed"], lane["cards"]) for lane in result["lanes"]
    ]
    assert lanes == [
        ("Hành động", "actions", True, 4),
        ("Điểm chạm", "touchpoints", True, 3),
        ("Cảm xúc", "emotions", True, 3),
        ("Pain points", "obstacles", True, 2),
        ("Ghi chú", "text", False, 1),
    ]
    assert result["cards"] == 13
    assert result["can_create"] is True


def test_a_cell_merged_across_stages_is_a_card_of_each_stage():
    result = preview(xlsx(GRID, merges=("B4:C4",)))

    touchpoints = result["lanes"][1]
    assert touchpoints["cards"] == 3  # Facebook twice (B4:C4), Website once


def test_a_stage_header_merged_over_two_columns_gathers_their_cards():
    rows = [["", "Nhận thức", None, "Mua"], ["Hành động", "a", "b", "c"]]

    result = preview(xlsx(rows, merges=("B1:C1",)))

    assert [(s["name"], s["cards"]) for s in result["stages"]] == [("Nhận thức", 2), ("Mua", 1)]


def test_a_lane_title_merged_down_several_rows_is_one_lane():
    rows = [["", "A", "B"], ["Hành động", "a1", "b1"], [None, "a2", None]]

    result = preview(xlsx(rows, merges=("A2:A3",)))

    assert [(lane["title"], lane["cards"]) for lane in result["lanes"]] == [("Hành động", 3)]


def test_an_unreadable_emotion_is_a_warning_at_its_cell_and_reads_as_neutral():
    rows = [["", "A", "B"], ["Cảm xúc", "hmm", "-2"]]

    result = preview(xlsx(rows, title="Bản đồ"))

    assert result["problems"] == [
        {
            "level": "warning",
            "code": "not_an_emotion",
            "sheet": "Bản đồ",
            "cell": "B2",
            "message": result["problems"][0]["message"],
        }
    ]
    assert "hmm" in result["problems"][0]["message"]
    assert result["can_create"] is True


def test_cards_without_a_stage_or_a_lane_title_are_reported_at_their_cells():
    rows = [["", "A", None, None], ["Hành động", "a", None, "lạc"], [None, "không tên"]]

    result = preview(xlsx(rows))

    assert [(p["code"], p["cell"]) for p in result["problems"]] == [
        ("untitled_lane", "A3"),
        ("no_stage", "D2"),
    ]


def test_a_csv_grid_previews_like_a_workbook_and_names_its_encoding():
    data = "\ufeffGiai đoạn,Nhận thức,Mua hàng\nRào cản,Giá cao,Phí ship\n".encode()

    result = preview(data, "map.csv")

    assert result["encoding"] == "UTF-8"
    assert [(lane["kind"], lane["cards"]) for lane in result["lanes"]] == [("obstacles", 2)]


def test_more_stages_than_a_map_holds_is_an_error_with_the_limit():
    rows = [["", *[f"Giai đoạn {n}" for n in range(MAX_STAGES + 1)]], ["Hành động", "a"]]

    result = preview(xlsx(rows))

    errors = [p for p in result["problems"] if p["level"] == "error"]
    assert [e["code"] for e in errors] == ["too_many_stages"]
    assert str(MAX_STAGES) in errors[0]["message"]
    assert result["can_create"] is False


def test_more_lanes_than_a_map_holds_is_an_error():
    rows = [["", "A"], *[[f"Làn {n}", "x"] for n in range(MAX_LANES + 1)]]

    assert preview(xlsx(rows))["problems"][0]["code"] == "too_many_lanes"


def test_more_cards_than_a_map_holds_is_an_error():
    cell = "\n".join(f"t{n}" for n in range(MAX_ITEMS // 60 + 1))
    rows = [
        ["", *[f"G{n}" for n in range(30)]],
        ["Hành động", *[cell] * 30],
        ["Rào cản", *[cell] * 30],
    ]

    result = preview(xlsx(rows))

    assert [p["code"] for p in result["problems"]] == ["too_many_cards"]
    assert str(MAX_ITEMS) in result["problems"][0]["message"]


def test_a_cell_over_5000_characters_is_an_error_at_that_cell():
    rows = [["", "A"], ["Hành động", "x" * 5001]]

    problem = preview(xlsx(rows))["problems"][0]

    assert (problem["level"], problem["code"], problem["cell"]) == ("error", "too_long", "B2")


def test_an_empty_sheet_is_refused():
    with pytest.raises(SheetError) as caught:
        preview(xlsx([]))

    assert caught.value.code == "empty"


def test_personas_metrics_and_action_plan_sheets_are_read():
    extra = {
        "Personas": [["Tên", "Tuổi", "Mục tiêu"], ["Chị Hoa", "32", "Mua nhanh"]],
        "Metrics": [
            ["Giai đoạn", "Chỉ số", "Hiện tại", "Mục tiêu"],
            ["Mua hàng", "CR", "2,5%", "4"],
        ],
        "Action plan": [
            ["Stage", "Action", "Owner", "Due", "Status"],
            ["Cân nhắc", "Bảng so sánh giá", "Marketing", "15/01/2027", "Đang làm"],
            ["Không có", "x", "", "", ""],
        ],
    }

    result = preview(xlsx(GRID, extra=extra))

    assert result["personas"] == ["Chị Hoa"]
    by_kind = {lane["kind"]: lane for lane in result["lanes"]}
    assert by_kind["metrics"]["cards"] == 1
    assert by_kind["action_plan"]["cards"] == 1
    assert [(p["sheet"], p["code"], p["cell"]) for p in result["problems"]] == [
        ("Action plan", "unknown_stage", "A3")
    ]


def test_confirming_creates_the_map_in_one_change(workspace, owner):
    data = xlsx(GRID, merges=("B4:C4",))

    journey_map = sheet_import_create(
        workspace=workspace, actor=owner, data=data, filename="map.xlsx", title="Hành trình Hoa"
    )

    assert journey_map.title == "Hành trình Hoa"
    assert Change.objects.filter(map=journey_map).values("change_id").distinct().count() == 1
    assert list(journey_map.stages.values_list("name", flat=True)) == [
        "Nhận thức",
        "Cân nhắc",
        "Mua hàng",
    ]
    assert Item.objects.filter(map=journey_map).count() == 13
    scores = sorted(  # type: ignore[type-var]
        Item.objects.filter(map=journey_map, kind="emotion").values_list("score", flat=True)
    )
    assert scores == [-1, 1, 2]
    assert set(
        Item.objects.filter(map=journey_map, kind="touchpoint").values_list("text", flat=True)
    ) == {
        "Facebook",
        "Website",
    }
    channels = Item.objects.filter(map=journey_map, kind="touchpoint").values_list(
        "text", "channel", "online"
    )
    assert set(channels) == {("Facebook", "social", True), ("Website", "website", True)}


def test_a_kind_changed_in_the_preview_is_the_kind_created(workspace, owner):
    data = xlsx(GRID)
    kinds = ["actions", "touchpoints", "emotions", "obstacles", "opportunities"]

    journey_map = sheet_import_create(
        workspace=workspace, actor=owner, data=data, filename="map.xlsx", kinds=kinds
    )

    assert list(journey_map.lanes.order_by("position").values_list("kind", flat=True)) == kinds


def test_kinds_that_do_not_match_the_lanes_are_refused(workspace, owner):
    with pytest.raises(SheetError) as caught:
        sheet_import_create(
            workspace=workspace, actor=owner, data=xlsx(GRID), filename="m.xlsx", kinds=["text"]
        )

    assert caught.value.code == "invalid"


def test_a_file_with_an_error_creates_nothing(workspace, owner):
    rows = [["", "A"], ["Hành động", "x" * 5001]]
    before = JourneyMap.objects.count()

    with pytest.raises(SheetError) as caught:
        sheet_import_create(workspace=workspace, actor=owner, data=xlsx(rows), filename="m.xlsx")

    assert "B2" in caught.value.message
    assert JourneyMap.objects.count() == before


def test_personas_from_the_file_join_the_workspace_and_the_map(workspace, owner):
    extra = {"Personas": [["Name", "Age"], ["Anh Nam", "40"]]}

    journey_map = sheet_import_create(
        workspace=workspace, actor=owner, data=xlsx(GRID, extra=extra), filename="m.xlsx"
    )

    assert list(journey_map.personas.values_list("name", "age")) == [("Anh Nam", "40")]
