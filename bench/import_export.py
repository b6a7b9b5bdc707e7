"""Spreadsheets in and out (issue 16): import a 12 x 10 grid of 600 cards, export XLSX.

Import: a workbook laid out as teams keep journeys (stages across row 1, lanes down column A,
five lines a cell) goes through the real endpoints with the Django test client, as the
dashboard's dialog does: `POST …/imports/preview/` (read + preview) then `POST …/imports/`
(read again + create the map in one apply_ops change). A run is the two requests together.
Export: `export_produce` (the service the Celery task calls) on the 600-item map of
bench/map_load.py, built through apply_ops, for format xlsx.

Both run in a throwaway database made by Django's test-database machinery
(`bench_<your db name>`, dropped at the end):

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm \\
        .venv/bin/python bench/import_export.py [--runs 15]

Targets (issue 16): import median <= 1 s, XLSX export median <= 1 s.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.pop("REDIS_URL", None)  # no sockets here: an in-memory layer is enough

STAGES = 12
LANE_TITLES = [
    "Hành động",
    "Động cơ",
    "Suy nghĩ",
    "Điểm chạm",
    "Cảm xúc",
    "Rào cản",
    "Cơ hội",
    "Người phụ trách",
    "Nội dung",
    "Ghi chú",
]
LINES_PER_CELL = 5  # 12 stages x 10 lanes x 5 = 600 cards
TARGET_MS = 1000.0


def grid_workbook() -> bytes:
    """A 12 x 10 grid of 600 cards as a person's workbook: text lines, emotion scores."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Hành trình"
    sheet.append(["Giai đoạn", *(f"Giai đoạn {n + 1}" for n in range(STAGES))])
    for title in LANE_TITLES:
        cells = []
        for stage in range(STAGES):
            if title == "Cảm xúc":
                lines = [f"{(stage + n) % 5 - 2:+d} cảm thấy {n}" for n in range(LINES_PER_CELL)]
            else:
                lines = [
                    f"{title} {stage + 1}.{n + 1}: khách hàng đọc đánh giá và hỏi bạn bè"
                    for n in range(LINES_PER_CELL)
                ]
            cells.append("\n".join(lines))
        sheet.append([title, *cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stats(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "min_ms": timings[0],
        "max_ms": timings[-1],
    }


def measure_import(owner: Any, workspace: Any, data: bytes, runs: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from maps.models import JourneyMap

    client = Client()
    client.force_login(owner)
    base = f"/api/workspaces/{workspace.pk}/imports/"

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("hanh-trinh.xlsx", data)

    def once() -> tuple[float, float, Any]:
        started = time.perf_counter()
        preview = client.post(f"{base}preview/", {"file": upload()})
        previewed = time.perf_counter()
        assert preview.status_code == 200, preview.content[:300]
        created = client.post(base, {"file": upload()})
        assert created.status_code == 201, created.content[:300]
        return (previewed - started) * 1000, (time.perf_counter() - started) * 1000, created

    _, _, created = once()  # warm: imports, translations, the connection
    made = JourneyMap.objects.get(pk=created.json()["id"])
    cards = made.items.count()
    previews, totals = [], []
    for _ in range(runs):
        preview_ms, total_ms, _ = once()
        previews.append(preview_ms)
        totals.append(total_ms)
    return {"cards": cards, "preview": _stats(previews), "total": _stats(totals)}


def measure_export(journey_map: Any, owner: Any, runs: int) -> dict[str, Any]:
    from exports.models import ExportJob
    from exports.services import export_produce

    job = ExportJob.objects.create(
        map=journey_map, requested_by=owner, format="xlsx", options={"format": "xlsx"}
    )
    content, name = export_produce(job=job)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        content, name = export_produce(job=job)
        timings.append((time.perf_counter() - started) * 1000)
    return {"bytes": len(content), "name": name, **_stats(timings)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from common import throwaway_database

    with throwaway_database("bench"):
        from map_load import build

        journey_map, owner, _ = build(600)
        data = grid_workbook()
        imported = measure_import(owner, journey_map.workspace, data, args.runs)
        exported = measure_export(journey_map, owner, args.runs)

    load = os.getloadavg()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    preview, total = imported["preview"], imported["total"]
    print(
        f"import {len(data) / 1024:.0f} KiB workbook ({STAGES} stages x {len(LANE_TITLES)} "
        f"lanes, {imported['cards']} cards), {args.runs} runs: preview median "
        f"{preview['median_ms']:.0f} ms; preview + create median {total['median_ms']:.0f} ms, "
        f"p95 {total['p95_ms']:.0f} ms, min {total['min_ms']:.0f} ms"
    )
    print(
        f"export xlsx of the 600-item map ({exported['bytes'] / 1024:.0f} KiB), {args.runs} "
        f"runs: median {exported['median_ms']:.0f} ms, p95 {exported['p95_ms']:.0f} ms, "
        f"min {exported['min_ms']:.0f} ms"
    )
    ok = total["median_ms"] <= TARGET_MS and exported["median_ms"] <= TARGET_MS
    print(f"targets: import <= 1 s, export <= 1 s median: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
