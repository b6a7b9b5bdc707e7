"""The editor on a big map: 12 stages x 10 lanes x 600 items in headless Chromium.

Measures time to interactive (navigation start to the editor's `jm-ready` mark: document
fetched, grid drawn, handlers bound), the median of several loads; and frame times
(requestAnimationFrame deltas) while a card is dragged across stages and while a card is
edited and saved (the optimistic redraw included).

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_editor \
        .venv/bin/python bench/editor_render.py [--loads 7] [--port 8302] \
            [--stages 12 --items 600]

Without DATABASE_URL it uses a throwaway SQLite file under var/. Targets: median time to
interactive <= 1 s (<= 1.5 s for the big map, `--stages 30 --items 2000`); frames during a
drag or an edit < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var").mkdir(exist_ok=True)
    target = ROOT / "var" / "bench_editor.sqlite3"
    target.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from maps.documents import map_create  # noqa: E402
from maps.services import apply_ops  # noqa: E402
from workspaces.services import workspace_create  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LANE_KINDS = [
    "touchpoints",
    "actions",
    "motivations",
    "obstacles",
    "emotions",
    "thoughts",
    "opportunities",
    "metrics",
    "action_plan",
    "content",
]
CHANNELS = ["website", "social", "email", "store", "hotline", "search"]


def key(index: int) -> str:
    # Fixed-width base-62 keys sort in index order and are valid fractional-index keys.
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "a" + digits[index // 62] + digits[index % 62]


def item_op(kind: str, lane: str, stage: str, n: int) -> dict[str, Any]:
    op: dict[str, Any] = {
        "type": "item.create",
        "id": str(uuid.uuid4()),
        "lane": lane,
        "stage": stage,
        "position": key(n),
        "text": f"Thẻ số {n}: khách hàng tìm hiểu, so sánh và quyết định",
    }
    if kind == "touchpoints":
        op |= {"channel": CHANNELS[n % 6], "owner": "Marketing", "impact": 3, "importance": 4}
    elif kind == "emotions":
        op |= {"score": (n % 5) - 2, "text": ""}
    elif kind == "metrics":
        op |= {"name": "Tỷ lệ chuyển đổi", "value": 2.5, "target": 4.0, "unit": "%", "trend": "up"}
    elif kind == "action_plan":
        op |= {"owner": "CSKH", "due": "2026-12-31", "status": "doing"}
    return op


def build_map(stage_count: int = 12, item_count: int = 600) -> tuple[Any, str]:
    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    user = user_model.objects.create_user(username=f"bench{uuid.uuid4().hex[:6]}", password="pw")
    workspace = workspace_create(name="Bench", creator=user)
    title = f"Bản đồ lớn {stage_count} × 10 × {item_count}"
    journey_map = map_create(workspace=workspace, actor=user, title=title)
    stages = [str(uuid.uuid4()) for _ in range(stage_count)]
    lanes = [str(uuid.uuid4()) for _ in LANE_KINDS]
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": sid, "name": f"Giai đoạn {i + 1}", "position": key(i)}
        for i, sid in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lid, "kind": kind, "title": kind, "position": key(i)}
        for i, (lid, kind) in enumerate(zip(lanes, LANE_KINDS, strict=True))
    ]
    n = 0
    for s, stage in enumerate(stages):  # one emotion point per stage
        ops.append(item_op("emotions", lanes[4], stage, s))
        n += 1
    text_lanes = [i for i, kind in enumerate(LANE_KINDS) if kind != "emotions"]
    per_stage = max(1, (item_count - stage_count) // stage_count)
    while n < item_count:
        lane_index = text_lanes[n % len(text_lanes)]
        stage = stages[((n - stage_count) // per_stage) % stage_count]
        ops.append(item_op(LANE_KINDS[lane_index], lanes[lane_index], stage, n))
        n += 1
    for at in range(0, len(ops), 200):  # a change holds a bounded number of ops
        batch = ops[at : at + 200]
        apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=batch)
    return journey_map, user.username


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own http://127.0.0.1 server)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


FRAME_RECORDER = """() => {
  window.__frames = [];
  window.__long = [];
  if (!window.__observer) {
    window.__observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push(entry.duration);
    });
    window.__observer.observe({ type: "longtask" });
  }
  let last = performance.now();
  window.__recording = true;
  const tick = (now) => { window.__frames.push(now - last); last = now;
    if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def frames(page: Any) -> tuple[list[float], list[float]]:
    page.evaluate("() => { window.__recording = false; }")
    page.wait_for_timeout(50)
    return (
        list(page.evaluate("() => window.__frames.slice(1)")),
        list(page.evaluate("() => window.__long")),
    )


def summary(measured: tuple[list[float], list[float]]) -> str:
    values, long_tasks = measured
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"{len(values)} frames, median {statistics.median(values):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(values):.1f} ms; "
        f"long tasks (> 50 ms): {len(long_tasks)}"
        + (f", longest {max(long_tasks):.0f} ms" if long_tasks else "")
    )


def session_for(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def measure(base: str, map_id: str, session: str, loads: int, shape: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
        )
        url = f"{base}/maps/{map_id}/"
        page.goto(url)  # warm the static files and the server
        page.wait_for_selector("body[data-ready=true]")
        times = []
        for _ in range(loads):
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            times.append(
                page.evaluate("() => performance.getEntriesByName('jm-ready')[0].startTime")
            )
        cards = page.locator(".jm-card").count()
        print(f"map: {shape} ({cards} cards drawn)")
        print(
            f"time to interactive ({loads} loads): median {statistics.median(times):.0f} ms, "
            f"min {min(times):.0f} ms, max {max(times):.0f} ms"
        )

        card = page.locator(".jm-lane-actions .jm-card").first
        box = card.bounding_box()
        assert box is not None
        page.evaluate(FRAME_RECORDER)
        page.mouse.move(box["x"] + 40, box["y"] + 10)
        page.mouse.down()
        for step in range(1, 41):
            page.mouse.move(box["x"] + 40 + step * 20, box["y"] + 10 + step * 3)
            page.wait_for_timeout(16)
        page.mouse.up()
        page.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
        page.wait_for_timeout(100)
        print(f"drag a card across 3 stages, drop included: {summary(frames(page))}")

        card = page.locator(".jm-lane-thoughts .jm-card").first
        card.scroll_into_view_if_needed()
        page.evaluate(FRAME_RECORDER)
        card.dblclick()
        page.keyboard.type(" đã sửa", delay=20)
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.jmEditor.ed.store.pending.length === 0")
        page.wait_for_timeout(100)
        print(f"edit a card (open, type, save, redraw): {summary(frames(page))}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--port", type=int, default=8302)
    parser.add_argument("--stages", type=int, default=12)
    parser.add_argument("--items", type=int, default=600)
    args = parser.parse_args()
    journey_map, username = build_map(args.stages, args.items)
    shape = f"{args.stages} stages, 10 lanes, {args.items} items"
    print(f"database: {django.db.connection.vendor}")
    env = dict(os.environ, DEBUG="1")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        measure(base, str(journey_map.pk), session_for(username), args.loads, shape)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
