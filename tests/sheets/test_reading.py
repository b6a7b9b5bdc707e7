"""Reading files into cells: XLSX and CSV, encodings, and the files refused before parsing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from sheets.reading import OLE_SIGNATURE, SheetError, book_read
from tests.sheets.helpers import cp1258, with_cached_values, with_part, xlsx

ROWS = "Giai đoạn,Nhận thức,Cân nhắc\nHành động,Đọc đánh giá,So sánh giá\n"


def read_error(data: bytes, name: str = "map.xlsx") -> SheetError:
    with pytest.raises(SheetError) as caught:
        book_read(data=data, filename=name)
    return caught.value


def test_an_xlsx_grid_is_read_as_text_cells_with_their_merges():
    data = xlsx([["", "Nhận thức", "Cân nhắc"], ["Kênh", "Facebook", None]], merges=("B2:C2",))

    book = book_read(data=data, filename="map.xlsx")

    sheet = book.sheets[0]
    assert sheet.cells == {
        (1, 2): "Nhận thức",
        (1, 3): "Cân nhắc",
        (2, 1): "Kênh",
        (2, 2): "Facebook",
    }
    assert sheet.merges == [(2, 2, 2, 3)]


def test_numbers_and_dates_read_as_people_typed_them():
    import datetime as dt

    book = book_read(data=xlsx([[2.0, 1.5, dt.datetime(2026, 3, 1), True]]), filename="a.xlsx")

    assert list(book.sheets[0].cells.values()) == ["2", "1.5", "2026-03-01", "TRUE"]


def test_a_formula_is_read_as_the_value_excel_saved_with_it():
    data = with_cached_values(xlsx([["Tổng", "=1+1"]]), {"B1": "2"})

    sheet = book_read(data=data, filename="a.xlsx").sheets[0]

    assert sheet.cells[(1, 2)] == "2"
    assert sheet.uncached == []


def test_a_formula_without_a_saved_value_is_reported_not_computed():
    sheet = book_read(data=xlsx([["Tổng", "=1+1"]]), filename="a.xlsx").sheets[0]

    assert (1, 2) not in sheet.cells
    assert sheet.uncached == ["B1"]


def test_macros_in_a_workbook_are_ignored_and_said_so():
    data = with_part(xlsx([["a", "b"]]), "xl/vbaProject.bin", b"Attribute VB_Name = x")

    with translation.override("en"):
        book = book_read(data=data, filename="map.xlsm")

    assert book.sheets[0].cells == {(1, 1): "a", (1, 2): "b"}
    assert "macros" in book.notices[0]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "UTF-8"),
        (ROWS.encode("utf-16"), "UTF-16"),
        (ROWS.encode("utf-16-le"), "UTF-16"),
        (cp1258(ROWS), "Windows-1258"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le-without-bom", "windows-1258"],
)
def test_a_vietnamese_csv_reads_the_same_in_every_common_encoding(data, encoding):
    book = book_read(data=data, filename="map.csv")

    assert book.encoding == encoding
    assert book.sheets[0].cells[(2, 2)] == "Đọc đánh giá"
    assert book.sheets[0].cells[(1, 3)] == "Cân nhắc"


def test_a_western_csv_in_windows_1252_is_read_as_such():
    book = book_read(data="Stage,Café,Entrée\n".encode("cp1252"), filename="map.csv")

    assert book.encoding == "Windows-1252"
    assert book.sheets[0].cells[(1, 2)] == "Café"


def test_a_semicolon_separated_csv_is_read_by_its_separator():
    book = book_read(data=b"Stage;A;B\nActions;x;y\n", filename="map.csv")

    assert book.sheets[0].cells[(2, 3)] == "y"


def test_bytes_no_encoding_can_read_are_refused_clearly():
    error = read_error(b"\x81\x8d\x8f\x90\x9d" * 20, "map.csv")

    assert error.code == "encoding"
    assert "UTF-8" in error.message


def test_a_password_protected_workbook_is_refused_with_what_to_do():
    data = OLE_SIGNATURE + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100

    with translation.override("en"):
        error = read_error(data)
    with translation.override("vi"):
        in_vietnamese = read_error(data)

    assert error.code == "encrypted"
    assert "password" in error.message
    assert "mật khẩu" in in_vietnamese.message


def test_an_old_xls_file_is_refused_with_what_to_do():
    error = read_error(OLE_SIGNATURE + b"\x00" * 600, "map.xls")

    assert (error.code, error.status) == ("old_format", 400)
    assert ".xlsx" in error.message


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))

    error = read_error(out.getvalue())

    assert error.code == "zip_bomb"


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", b"hello")

    assert read_error(out.getvalue()).code == "not_a_spreadsheet"


def test_a_damaged_workbook_is_refused():
    data = xlsx([["a"]])

    assert read_error(data[: len(data) // 2]).code == "not_a_spreadsheet"


def test_a_file_over_the_upload_limit_is_refused_as_too_large(settings):
    settings.MAX_UPLOAD_BYTES = 1024

    error = read_error(b"a,b\n" * 1000, "map.csv")

    assert (error.code, error.status) == ("too_large", 413)


def test_an_empty_file_is_refused():
    assert read_error(b"  \n", "map.csv").code == "empty"
