"""Writes the spreadsheet samples of docs/import.md (run from the repository root):

    .venv/bin/python docs/samples/make_sheets.py

hanh-trinh-mua-sam.xlsx is laid out as people lay maps out in LibreOffice Calc or Excel: a
title row merged across the grid, coloured stage headers, a lane title merged down two rows,
a touchpoint merged across two stages, emotions as numbers and emoji, and the Personas,
Metrics and Action plan sheets. buyer-journey-en.csv is the same kind of grid as a CSV
(UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8"); hanh-trinh-windows-1258.csv is a
Vietnamese CSV in the old Windows code page.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

STAGES = ["Nhận biết", "Tìm hiểu", "Cân nhắc", "Mua hàng", "Sử dụng", "Giới thiệu"]
COLOURS = ["C7D2FE", "BAE6FD", "99F6E4", "D9F99D", "FDE68A", "FBCFE8"]
ROWS: list[tuple[str, list[Any]]] = [
    (
        "Hành động",
        [
            "Thấy quảng cáo trên Facebook\nNghe bạn bè nhắc đến",
            "Đọc đánh giá trên Shopee\nXem video review",
            "So sánh giá 3 cửa hàng",
            "Đặt hàng qua website\nThanh toán bằng ví MoMo",
            "Dùng thử trong tuần đầu",
            "Chia sẻ ảnh lên Instagram",
        ],
    ),
    ("Suy nghĩ", ["Sản phẩm này có hợp với mình không?", "", "Có mã giảm giá không?", "", "", ""]),
    (
        "Điểm chạm",
        ["Fanpage Facebook", None, "Website", "Website\nTổng đài", "Ứng dụng", "Instagram"],
    ),
    ("Cảm xúc", [1, "🙂 tò mò", "-1 phân vân vì giá", 2, "+1", "😍 hài lòng"]),
    (
        "Rào cản",
        [
            "",
            "Quá nhiều thông tin trái chiều",
            "Phí giao hàng cao",
            "Form đặt hàng dài",
            "Hướng dẫn sử dụng khó hiểu",
            "",
        ],
    ),
    (
        "Cơ hội",
        [
            "",
            "Video so sánh ngắn",
            "Miễn phí giao hàng từ 300.000đ",
            "Thanh toán một chạm",
            "Email hướng dẫn từng bước",
            "Chương trình giới thiệu bạn bè",
        ],
    ),
    (
        "Bộ phận phụ trách",
        ["Marketing", "Marketing", "Kinh doanh", "Kinh doanh", "CSKH", "Marketing"],
    ),
]


def workbook() -> bytes:
    book = Workbook()
    grid = book.active
    assert grid is not None
    grid.title = "Hành trình"
    grid["A1"] = "Hành trình mua sắm online của chị Hoa (hiện tại)"
    grid["A1"].font = Font(bold=True, size=14)
    grid.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(STAGES) + 1)
    grid["A2"] = "Giai đoạn"
    grid["A2"].font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, (stage, colour) in enumerate(zip(STAGES, COLOURS, strict=True), start=2):
        cell = grid.cell(row=2, column=col, value=stage)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=colour)
        grid.column_dimensions[cell.column_letter].width = 28
    grid.column_dimensions["A"].width = 22
    rows: list[tuple[str, list[Any]]] = [
        ROWS[0],
        ("", ["Tìm trên Google", "", "", "Gọi tổng đài hỏi size", "", ""]),
        *ROWS[1:],
    ]
    for row, (title, cells) in enumerate(rows, start=3):
        if title:
            grid.cell(row=row, column=1, value=title).font = Font(bold=True)
        for col, value in enumerate(cells, start=2):
            if value not in ("", None):
                grid.cell(row=row, column=col, value=value).alignment = wrap
    # "Hành động" continues on a second row; "Fanpage Facebook" covers the first two stages.
    grid.merge_cells("A3:A4")
    grid.merge_cells("B6:C6")
    grid.freeze_panes = "B3"

    personas = book.create_sheet("Personas")
    personas.append(["Tên", "Tuổi", "Nơi sống", "Nghề nghiệp", "Câu nói", "Mục tiêu", "Điểm đau"])
    personas.append(
        [
            "Chị Hoa",
            "32",
            "TP. Hồ Chí Minh",
            "Nhân viên văn phòng",
            "Mình muốn mua nhanh, đúng giá.",
            "Mua đồ chất lượng, giao nhanh",
            "Sợ hàng giả, phí ship cao",
        ]
    )
    metrics = book.create_sheet("Metrics")
    metrics.append(["Giai đoạn", "Chỉ số", "Hiện tại", "Mục tiêu", "Đơn vị"])
    metrics.append(["Cân nhắc", "Tỷ lệ thêm vào giỏ", 8, 12, "%"])
    metrics.append(["Mua hàng", "Tỷ lệ chuyển đổi", "2,4%", "3,5%", ""])
    metrics.append(["Giới thiệu", "NPS", 31, 45, ""])
    plan = book.create_sheet("Action plan")
    plan.append(["Giai đoạn", "Việc cần làm", "Phụ trách", "Hạn", "Trạng thái"])
    plan.append(
        ["Cân nhắc", "Thử miễn phí giao hàng từ 300.000đ", "Kinh doanh", "15/01/2027", "Đang làm"]
    )
    plan.append(["Mua hàng", "Rút form đặt hàng còn 3 bước", "Sản phẩm", "28/02/2027", "Cần làm"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def grid_csv(encoding: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    if encoding == "cp1258":
        from tests.sheets.helpers import cp1258

        return cp1258(out.getvalue())
    return out.getvalue().encode(encoding)


EN = [
    ["Stage", "Awareness", "Consideration", "Purchase", "Retention", "Advocacy"],
    [
        "Actions",
        "Sees an ad\nHears from a friend",
        "Reads reviews",
        "Orders online",
        "Uses the app weekly",
        "Posts a review",
    ],
    ["Touchpoints", "Social ads", "Review sites", "Website", "Mobile app", "Review sites"],
    ["Emotions", "0", "-1 unsure about price", "+2", "1", "😍"],
    ["Pain points", "", "Too many choices", "Long checkout", "", ""],
    [
        "Opportunities",
        "",
        "Comparison page",
        "One-tap checkout",
        "Loyalty points",
        "Referral reward",
    ],
]
VI = [
    ["Giai đoạn", "Nhận biết", "Cân nhắc", "Mua hàng"],
    ["Hành động", "Thấy quảng cáo", "Đọc đánh giá", "Đặt hàng"],
    ["Rào cản", "", "Giá cao hơn đối thủ", "Phí giao hàng"],
    ["Cảm xúc", "1", "-1", "2"],
]

if __name__ == "__main__":
    (HERE / "hanh-trinh-mua-sam.xlsx").write_bytes(workbook())
    (HERE / "buyer-journey-en.csv").write_bytes(grid_csv("utf-8-sig", EN))
    (HERE / "hanh-trinh-windows-1258.csv").write_bytes(grid_csv("cp1258", VI))
