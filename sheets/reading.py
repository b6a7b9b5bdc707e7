"""Reading a spreadsheet file (XLSX with openpyxl, CSV with the csv module) into plain cells.

Nothing here knows about journey maps: `book_read` turns bytes into a `Book` of sheets whose
cells are text, or raises `SheetError` with a code and a message a person can act on. The
checks that run before a parser sees the file (size, zip bomb, encryption) are here because
openpyxl trusts its input: it would inflate a zip bomb into memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

# The uncompressed XML a workbook may hold, and how much it may inflate: a 10 MB upload of
# real spreadsheets stays far below both; a zip bomb passes neither.
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 2000
# Cells read per sheet: a grid of 100 lanes x 100 stages is 10,000; anything past this is
# not a journey map.
MAX_SHEET_ROWS = 1000
MAX_SHEET_COLUMNS = 300
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class SheetError(Exception):
    """A file that cannot be read; `code` is stable for clients, `message` is for people."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Sheet:
    name: str
    # (row, column) -> text, both 1-based; only non-empty cells are kept.
    cells: dict[tuple[int, int], str]
    # Merged ranges as (min_row, min_col, max_row, max_col).
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Cells whose formula had no value saved with the file (A1 addresses).
    uncached: list[str] = field(default_factory=list)

    @cached_property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @cached_property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)


@dataclass
class Book:
    kind: str  # "xlsx" or "csv"
    sheets: list[Sheet]
    encoding: str = ""  # the encoding a CSV was read in
    notices: list[str] = field(default_factory=list)

    def sheet(self, *names: str) -> Sheet | None:
        wanted = {name.casefold() for name in names}
        return next((s for s in self.sheets if s.name.strip().casefold() in wanted), None)


def address(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _text(value: Any) -> str:
    """A cell's value as text people typed: whole numbers without ".0", dates as dd/mm/yyyy,
    NFC, without the control characters no stored text may hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = value.isoformat()
    text = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ch != "\x7f")).strip()


def book_read(*, data: bytes, filename: str) -> Book:
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise SheetError(
            "too_large",
            _("The file is larger than %(n)d MB.")
            % {"n": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            status=413,
        )
    if not data.strip():
        raise SheetError("empty", _("The file is empty."))
    if data.startswith(OLE_SIGNATURE):
        if ENCRYPTED_STREAM in data:
            raise SheetError(
                "encrypted",
                _(
                    "The file is protected with a password. Remove the password in Excel "
                    "(File → Info → Protect Workbook) and upload it again."
                ),
            )
        raise SheetError(
            "old_format",
            _(
                "This is an old Excel file (.xls). Save it as .xlsx (Excel Workbook) and upload it "
                "again."
            ),
        )
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_read(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SheetError("not_a_spreadsheet", _("The file is not a valid .xlsx workbook."))
    return _csv_read(data)


# --------------------------------------------------------------------------- XLSX


def _zip_check(data: bytes) -> bool:
    """Refuse a zip bomb before anything inflates it; True if the workbook carries macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError(
            "not_a_spreadsheet", _("The file is not a valid .xlsx workbook.")
        ) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SheetError("zip_bomb", _("The workbook has too many parts to be a spreadsheet."))
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(packed, 1024):
        raise SheetError(
            "zip_bomb",
            _("The workbook unpacks to far more data than a spreadsheet holds; it was not opened."),
        )
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise SheetError(
            "not_a_spreadsheet", _("The file is a zip archive, not an .xlsx workbook.")
        )
    return any(name.lower().endswith("vbaproject.bin") for name in names)


def _load(data: bytes, *, data_only: bool) -> Any:
    try:
        # keep_vba=False: macros are dropped, never kept or run.
        return load_workbook(io.BytesIO(data), data_only=data_only, keep_vba=False)
    except SheetError:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML errors on bad files
        raise SheetError(
            "not_a_spreadsheet", _("The workbook is damaged or not an .xlsx file.")
        ) from None


def _rows(ws: Any) -> Any:
    """The sheet's cells up to the bounds; a value past them is refused, not dropped."""
    if ws.max_row > MAX_SHEET_ROWS or ws.max_column > MAX_SHEET_COLUMNS:
        beyond = ws.iter_rows(min_row=MAX_SHEET_ROWS + 1, values_only=True)
        wide = ws.iter_cols(min_col=MAX_SHEET_COLUMNS + 1, values_only=True)
        if any(v not in (None, "") for row in beyond for v in row) or any(
            v not in (None, "") for col in wide for v in col
        ):
            raise SheetError(
                "too_large",
                _("The sheet “%(sheet)s” has cells past row %(rows)d or column %(cols)d.")
                % {"sheet": ws.title, "rows": MAX_SHEET_ROWS, "cols": MAX_SHEET_COLUMNS},
            )
    return ws.iter_rows(
        max_row=min(ws.max_row, MAX_SHEET_ROWS), max_col=min(ws.max_column, MAX_SHEET_COLUMNS)
    )


def _xlsx_read(data: bytes) -> Book:
    macros = _zip_check(data)
    formulas = _load(data, data_only=False)
    has_formula = any(
        cell.data_type == "f" for ws in formulas.worksheets for row in _rows(ws) for cell in row
    )
    # Formulas are read as the values Excel saved with them (never computed here).
    values = _load(data, data_only=True) if has_formula else formulas
    sheets = []
    for ws_f, ws_v in zip(formulas.worksheets, values.worksheets, strict=True):
        cells: dict[tuple[int, int], str] = {}
        uncached: list[str] = []
        for row_f, row_v in zip(_rows(ws_f), _rows(ws_v), strict=True):
            for cell_f, cell_v in zip(row_f, row_v, strict=True):
                text = _text(cell_v.value)
                if text:
                    cells[(cell_f.row, cell_f.column)] = text
                elif cell_f.data_type == "f":
                    uncached.append(cell_f.coordinate)
        merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws_f.merged_cells.ranges]
        sheets.append(Sheet(name=str(ws_f.title), cells=cells, merges=merges, uncached=uncached))
    notices = []
    if macros:
        notices.append(_("The workbook contains macros; they were ignored and never run."))
    return Book(kind="xlsx", sheets=sheets, notices=notices)


# --------------------------------------------------------------------------- CSV

# Letters only Windows-1258 (Vietnamese) gives those bytes: ă â đ ê ô ơ ư and the combining
# tone marks. In Windows-1252 the same bytes are Western letters rarely seen together.
VIETNAMESE_ONLY = set("ăĂđĐơƠưƯ\u0300\u0301\u0303\u0309\u0323")


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if data[:200].count(b"\x00") > len(data[:200]) // 4:
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, "UTF-16"
        raise SheetError("encoding", _("The file is not text: it looks binary."))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        vietnamese = data.decode("cp1258")
    except UnicodeDecodeError:
        vietnamese = ""
    if vietnamese and VIETNAMESE_ONLY & set(vietnamese):
        return unicodedata.normalize("NFC", vietnamese), "Windows-1258"
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise SheetError(
            "encoding",
            _(
                "The file's encoding is not UTF-8, UTF-16, Windows-1258 or Windows-1252. Save it "
                "as CSV UTF-8 and upload it again."
            ),
        ) from None


def _csv_read(data: bytes) -> Book:
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError:
        raise SheetError("encoding", _("The file is not valid UTF-8 or UTF-16 text.")) from None
    if "\x00" in text:
        raise SheetError("not_a_spreadsheet", _("The file is not a spreadsheet or a CSV file."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    cells: dict[tuple[int, int], str] = {}
    try:
        for row_number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if row_number > MAX_SHEET_ROWS:
                raise SheetError(
                    "too_large", _("The file has more than %(n)d rows.") % {"n": MAX_SHEET_ROWS}
                )
            if len(row) > MAX_SHEET_COLUMNS:
                raise SheetError(
                    "too_large",
                    _("Row %(row)d has more than %(n)d columns.")
                    % {"row": row_number, "n": MAX_SHEET_COLUMNS},
                )
            for col_number, value in enumerate(row, start=1):
                value = _text(value)
                if value:
                    cells[(row_number, col_number)] = value
    except csv.Error as error:
        raise SheetError(
            "not_a_spreadsheet", _("The CSV file cannot be read: %(error)s.") % {"error": error}
        ) from None
    return Book(kind="csv", sheets=[Sheet(name="CSV", cells=cells)], encoding=encoding)
