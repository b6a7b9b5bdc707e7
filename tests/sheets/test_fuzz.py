"""The importer under hostile input (hypothesis): random bytes, damaged workbooks and odd
CSV never raise anything but SheetError, and whatever previews can be created."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets.imports import sheet_import_preview
from sheets.reading import SheetError
from tests.sheets.helpers import GRID, xlsx

WORKBOOK = xlsx(GRID, merges=("B4:C4",))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def preview_or_sheet_error(data: bytes, name: str) -> None:
    try:
        result = sheet_import_preview(data=data, filename=name)
    except SheetError as error:
        assert error.code and error.message
        assert error.status in {400, 413}
        return
    assert isinstance(result["lanes"], list)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["a.xlsx", "a.csv", "a"]))
def test_random_bytes_give_a_preview_or_a_sheet_error(data, name):
    preview_or_sheet_error(data, name)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8))
def test_a_damaged_workbook_gives_a_preview_or_a_sheet_error(flips):
    data = bytearray(WORKBOOK)
    for index, value in flips:
        data[index] = value
    preview_or_sheet_error(bytes(data), "map.xlsx")


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)


@FUZZ
@given(st.lists(st.lists(st.one_of(cells, st.integers(-5, 5), st.none()), max_size=6), max_size=8))
def test_any_grid_of_cells_gives_a_preview_or_a_sheet_error(rows):
    preview_or_sheet_error(xlsx([list(row) for row in rows]), "map.xlsx")


@FUZZ
@given(st.text(max_size=500), st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]))
def test_any_csv_text_gives_a_preview_or_a_sheet_error(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    preview_or_sheet_error(data, "map.csv")


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
