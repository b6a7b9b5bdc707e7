"""Workbooks for the sheet tests, built with openpyxl as a person's spreadsheet would be."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook


def xlsx(
    rows: list[Any],
    *,
    merges: tuple[str, ...] = (),
    title: str = "Sheet1",
    extra: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for name, extra_rows in (extra or {}).items():
        other = book.create_sheet(name)
        for row in extra_rows:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell carries its last computed value
    (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?',
                        rf"\1<f>\2</f><v>{value}</v>",
                        text,
                    )
                content = text.encode()
            target.writestr(entry, content)
    return out.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry.filename))
        target.writestr(name, content)
    return out.getvalue()


GRID: list[list[Any]] = [
    ["Hành trình mua sắm của chị Hoa"],
    ["Giai đoạn", "Nhận thức", "Cân nhắc", "Mua hàng"],
    ["Hành động", "Thấy quảng cáo\nĐọc đánh giá", "So sánh giá", "Đặt hàng online"],
    ["Điểm chạm", "Facebook", None, "Website"],
    ["Cảm xúc", 1, "😟 lo về giá", "+2 Rất vui"],
    ["Pain points", "Quá nhiều lựa chọn", "", "Phí giao hàng cao"],
    ["Ghi chú", "Một ý", "", ""],
]


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 holds Vietnamese: letters it has precomposed (â ê ô ơ ư ă đ),
    tone marks as combining characters (Python's codec does not decompose by itself)."""
    import unicodedata

    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        # Compose the base with whichever mark the code page has precomposed ("ậ": â + dot).
        for index in [*range(len(marks)), None]:
            head = base if index is None else unicodedata.normalize("NFC", base + marks[index])
            rest = marks if index is None else marks[:index] + marks[index + 1 :]
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", char, 0, 1, "no Windows-1258 form")
    return out
