"""Export benchmark: a 12-stage × 10-lane × 600-item map to PDF and to PNG at 2×.

Warm figures use the worker's renderer (Chromium launched once with one page kept open,
each job's HTML written into it); peers on the same HTML: a cold `chromium --headless
--print-to-pdf` and WeasyPrint. "job" lines time what the export task does: the map document
from the database, the print HTML, the render (and the PNG). CPU is the time used by this
process and every process under it (exited ones included), minus the memory sampler's own
thread. Peak memory is the PSS (and, for reference, the summed RSS, which counts shared pages
once per process) of this Python process plus every Chromium process under it, sampled every
50 ms. Runs on a throwaway SQLite database unless DATABASE_URL is set.

    .venv/bin/python bench/export.py [--runs 7] [--samples docs/samples]

`--samples DIR` also writes DIR/buyer-journey-vi.pdf and .png: the 5-stage buyer journey
template in Vietnamese, as a marketer would export it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="jm-bench-export-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from fractional_indexing import generate_n_keys_between  # noqa: E402

from exports import engines as export_engines  # noqa: E402
from exports.services import ExportOptions, layout_for, print_html  # noqa: E402
from maps.documents import map_create  # noqa: E402
from maps.services import apply_ops, map_document  # noqa: E402
from method.library import get_template  # noqa: E402
from workspaces.services import workspace_create  # noqa: E402

LANES = (
    ("touchpoints", "Điểm chạm"),
    ("actions", "Hành động"),
    ("motivations", "Động cơ"),
    ("thoughts", "Suy nghĩ / câu hỏi"),
    ("obstacles", "Rào cản / điểm đau"),
    ("emotions", "Cảm xúc"),
    ("opportunities", "Cơ hội"),
    ("owners", "Bộ phận phụ trách"),
    ("metrics", "Chỉ số"),
    ("action_plan", "Kế hoạch hành động"),
)
STAGES = (
    "Nhận thức",
    "Tìm hiểu",
    "Cân nhắc",
    "So sánh",
    "Quyết định",
    "Mua hàng",
    "Nhận hàng",
    "Sử dụng",
    "Hỗ trợ",
    "Gia hạn",
    "Giới thiệu",
    "Ủng hộ",
)
CHANNELS = ("search", "social", "website", "store", "email", "hotline", "live_chat", "reviews")


def item_fields(kind: str, stage: int, n: int) -> dict[str, Any]:
    text = (
        f"{STAGES[stage]} · thẻ {n + 1}: khách hàng đọc đánh giá, so sánh giá "
        f"và hỏi ý kiến bạn bè trước khi quyết định"
    )
    if kind == "touchpoints":
        return {
            "text": text,
            "channel": CHANNELS[(stage + n) % len(CHANNELS)],
            "online": n % 2 == 0,
            "owner": "Marketing",
            "impact": 1 + n % 5,
            "importance": 1 + (n + 2) % 5,
        }
    if kind == "emotions":
        return {"score": ((stage + n) % 5) - 2, "note": f"Cảm xúc bước {n + 1}"}
    if kind == "metrics":
        return {
            "name": f"Tỷ lệ chuyển đổi {n + 1}",
            "value": 12.5 + n,
            "target": 20,
            "unit": "%",
            "trend": ("up", "down", "flat")[n % 3],
        }
    if kind == "action_plan":
        return {
            "text": text,
            "owner": "Chăm sóc khách hàng",
            "due": "2026-12-31",
            "status": ("todo", "doing", "done")[n % 3],
        }
    return {"text": text}


def build_big_map(workspace: Any, user: Any) -> Any:
    journey_map = map_create(workspace=workspace, actor=user, title="Bản đồ 600 thẻ: mua sắm")
    stage_ids = [str(uuid.uuid4()) for _ in STAGES]
    lane_ids = [str(uuid.uuid4()) for _ in LANES]
    ops: list[dict[str, Any]] = []
    for sid, name, key in zip(
        stage_ids, STAGES, generate_n_keys_between(None, None, 12), strict=True
    ):
        ops.append({"type": "stage.create", "id": sid, "name": name, "position": key})
    for lid, (kind, title), key in zip(
        lane_ids, LANES, generate_n_keys_between(None, None, 10), strict=True
    ):
        ops.append(
            {"type": "lane.create", "id": lid, "kind": kind, "title": title, "position": key}
        )
    keys = list(generate_n_keys_between(None, None, 5))
    for s, sid in enumerate(stage_ids):
        for (kind, _), lid in zip(LANES, lane_ids, strict=True):
            for n in range(5):
                ops.append(
                    {
                        "type": "item.create",
                        "id": str(uuid.uuid4()),
                        "lane": lid,
                        "stage": sid,
                        "position": keys[n],
                        **item_fields(kind, s, n),
                    }
                )
    apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))
    journey_map.refresh_from_db()
    return journey_map


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in kB; PSS counts pages shared between processes once."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def other_chromiums() -> int:
    """Chromium processes not under this one. They map the same binary, so while they run
    the PSS of ours is lower (its shared pages are split with them): a figure to read with."""
    ours = set(descendants(os.getpid()))
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in ours:
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"chromium" in handle.read().split(b"\0")[0]:
                        count += 1
            except OSError:
                continue
    return count


class MemorySampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        # CPU seconds this thread has used (reading /proc costs some): not the job's.
        self.cpu_s = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        global SAMPLER
        SAMPLER = self
        me = os.getpid()
        while not self.stop.is_set():
            samples = [memory_kb(pid) for pid in [me, *descendants(me)]]
            self.peak_rss_kb = max(self.peak_rss_kb, sum(rss for rss, _ in samples))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(pss for _, pss in samples))
            self.cpu_s = time.thread_time()
            time.sleep(0.05)
        SAMPLER = None


SAMPLER: MemorySampler | None = None


def sampler_cpu() -> float:
    return SAMPLER.cpu_s if SAMPLER is not None else 0.0


def cpu_seconds() -> float:
    """CPU time used so far by this process and every process under it (Chromium and its
    helpers), including processes that have exited: Chromium starts a print compositor per
    PDF, whose time lands in its parent's cutime/cstime once it is reaped."""
    ticks = 0
    for pid in [os.getpid(), *descendants(os.getpid())]:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ticks += sum(int(value) for value in fields[11:15])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


CPU: dict[str, list[float]] = {}


def timed(runs: int, work: Any, label: str = "") -> list[float]:
    """Wall times of `runs` calls; CPU seconds per call are kept in CPU[label]. On a shared
    machine the CPU figure is the steadier one: it does not count time spent waiting."""
    times = []
    for _ in range(runs):
        cpu, sampling = cpu_seconds(), sampler_cpu()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
        used = cpu_seconds() - cpu - (sampler_cpu() - sampling)
        CPU.setdefault(label, []).append(used)
    return times


def fmt(times: list[float], label: str = "") -> str:
    text = (
        f"median {statistics.median(times):.2f} s (min {min(times):.2f}, "
        f"max {max(times):.2f}, n={len(times)})"
    )
    if CPU.get(label):
        text += f"; CPU {statistics.median(CPU[label]):.2f} s per job (median)"
    return text


def cold_chromium(html: str, page: export_engines.PageSpec) -> float:
    """The same HTML printed by a fresh `chromium --headless --print-to-pdf` process."""
    static = (ROOT / "static").as_uri()
    work = Path(tempfile.mkdtemp(prefix="jm-cold-"))
    source = work / "map.html"
    source.write_text(html.replace('href="/static/', f'href="{static}/'), encoding="utf-8")
    target = work / "map.pdf"
    chromium = export_engines.chromium_path() or "chromium"
    start = time.perf_counter()
    subprocess.run(
        [
            chromium,
            "--headless",
            *export_engines.CHROMIUM_ARGS,
            "--no-pdf-header-footer",
            f"--user-data-dir={work / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    assert target.read_bytes().startswith(b"%PDF")
    return elapsed


def samples(directory: Path, workspace: Any, user: Any) -> None:
    spec = get_template("buyer_journey_5")
    assert spec is not None
    journey_map = map_create(
        workspace=workspace,
        actor=user,
        title=spec.names["vi"],
        document=spec.document("vi"),
        template=spec.key,
    )
    document = map_document(journey_map=journey_map)
    directory.mkdir(parents=True, exist_ok=True)
    pdf_options = ExportOptions(format="pdf", paper="A3", orientation="landscape")
    html = print_html(document=document, options=pdf_options, workspace_name=workspace.name)
    page = layout_for(stage_count=len(document["stages"]), options=pdf_options).page
    pdf = export_engines.html_to_pdf(html, page)
    (directory / "buyer-journey-vi.pdf").write_bytes(pdf)
    png_options = ExportOptions(format="png", scale=2)
    html = print_html(document=document, options=png_options, workspace_name=workspace.name)
    page = layout_for(stage_count=len(document["stages"]), options=png_options).page
    png = export_engines.pdf_to_png(export_engines.html_to_pdf(html, page), scale=2)
    (directory / "buyer-journey-vi.png").write_bytes(png)
    print(
        f"samples: {directory}/buyer-journey-vi.pdf ({len(pdf) // 1024} KB), "
        f"buyer-journey-vi.png ({len(png) // 1024} KB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--samples", type=Path)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}", password="x")
    workspace = workspace_create(name="Nhóm Marketing", creator=user)
    if args.samples:
        samples(args.samples, workspace, user)
    journey_map = build_big_map(workspace, user)
    document = map_document(journey_map=journey_map)
    pdf_options = ExportOptions(format="pdf", paper="A3", orientation="landscape")
    png_options = ExportOptions(format="png", scale=2)
    start = time.perf_counter()
    pdf_html = print_html(document=document, options=pdf_options, workspace_name=workspace.name)
    html_s = time.perf_counter() - start
    png_html = print_html(document=document, options=png_options, workspace_name=workspace.name)
    pdf_page = layout_for(stage_count=12, options=pdf_options).page
    png_page = layout_for(stage_count=12, options=png_options).page
    print(
        f"map: {len(document['stages'])} stages × {len(document['lanes'])} lanes × "
        f"{len(document['items'])} items; HTML built in {html_s * 1000:.0f} ms "
        f"({len(pdf_html) // 1024} KB)"
    )
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"other Chromium processes on the machine: {other_chromiums()}"
    )

    sampler = MemorySampler()
    sampler.start()
    renderer = export_engines.chromium_renderer()
    if renderer is None:
        print("no Chromium installed: warm figures skipped")
    else:
        start = time.perf_counter()
        renderer.render_pdf(pdf_html, pdf_page)
        print(f"first render (launch + render): {time.perf_counter() - start:.2f} s")
        pdf_times = timed(args.runs, lambda: renderer.render_pdf(pdf_html, pdf_page), "pdf")
        pdf_peak = sampler.peak_pss_kb
        pages = len(
            __import__("pypdf")
            .PdfReader(__import__("io").BytesIO(renderer.render_pdf(pdf_html, pdf_page)))
            .pages
        )
        print(f"warm Chromium, PDF (A3 landscape, {pages} pages): {fmt(pdf_times, 'pdf')}")
        png_size: tuple[int, int] = (0, 0)

        def png_job() -> None:
            nonlocal png_size
            png = export_engines.pdf_to_png(renderer.render_pdf(png_html, png_page), scale=2)
            # Width and height from the IHDR chunk (importing an image library to read them
            # would add its memory to the peak).
            width, height = struct.unpack(">II", png[16:24])
            png_size = (width, height)

        sampler.peak_pss_kb = 0
        png_times = timed(args.runs, png_job, "png")
        print(
            f"peak PSS while rendering PDFs: {pdf_peak / 1024:.0f} MB; "
            f"while rendering PNGs: {sampler.peak_pss_kb / 1024:.0f} MB"
        )
        print(
            f"warm Chromium, PNG 2× (poster, {png_size[0]}×{png_size[1]} px): "
            f"{fmt(png_times, 'png')}"
        )

        def job(options: ExportOptions) -> bytes:
            fresh = map_document(journey_map=journey_map)
            html = print_html(document=fresh, options=options, workspace_name=workspace.name)
            page = layout_for(stage_count=len(fresh["stages"]), options=options).page
            pdf = export_engines.html_to_pdf(html, page)
            return pdf if options.format == "pdf" else export_engines.pdf_to_png(pdf, scale=2)

        pdf_jobs = timed(args.runs, lambda: job(pdf_options), "pdf-job")
        print(f"PDF job (document from the database + HTML + PDF): {fmt(pdf_jobs, 'pdf-job')}")
        png_jobs = timed(args.runs, lambda: job(png_options), "png-job")
        print(f"PNG job (document + HTML + PDF + PNG 2×): {fmt(png_jobs, 'png-job')}")
    sampler.stop.set()
    sampler.join()
    print(
        f"peak memory (this process + Chromium, whole run): "
        f"PSS {sampler.peak_pss_kb / 1024:.0f} MB, sum of RSS {sampler.peak_rss_kb / 1024:.0f} MB"
    )

    if export_engines.chromium_path():
        # Interleaved with warm renders, so both face the same load on a shared machine.
        cold, warm = [], []
        for _ in range(3):
            cold.append(cold_chromium(pdf_html, pdf_page))
            if renderer is not None:
                warm += timed(1, lambda: renderer.render_pdf(pdf_html, pdf_page), "warm")
        print(f"peer: cold `chromium --headless --print-to-pdf`, same HTML: {fmt(cold)}")
        if warm:
            print(f"  warm Chromium in the same rounds: {fmt(warm, 'warm')}")
    weasy = timed(3, lambda: export_engines.weasyprint_pdf(pdf_html, pdf_page), "weasy")
    print(f"peer: WeasyPrint, same HTML (A3): {fmt(weasy, 'weasy')}")
    print(
        f"load average after: {os.getloadavg()[0]:.2f}; "
        f"other Chromium processes on the machine: {other_chromiums()}"
    )
    export_engines.chromium_close()


if __name__ == "__main__":
    main()
