"""The journey landscape of a big workspace: 50 maps x 600 items (issue 15).

Builds the workspace through apply_ops (the real change path) in a throwaway PostgreSQL
database made by Django's test-database machinery (`bench_<your db name>`, dropped at the
end): 10 macro journeys whose first 4 stages each open one of the 40 other maps, every map
with 12 stages x 10 lanes x 600 items (emotion points of 2 personas, metrics with targets,
touchpoints on 6 channels). Then measures

- `GET /api/workspaces/{id}/landscape/` through the Django test client (authentication,
  access, queries, JSON): its SQL queries and the median of several runs;
- the landscape page in headless Chromium served by uvicorn (DEBUG off): navigation start to
  the page's `jm-landscape-ready` mark (data parsed, tree drawn, filters bound).

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm15 \\
        .venv/bin/python bench/landscape.py [--maps 50] [--items 600] [--runs 20] [--port 8395]

Targets: a fixed number of queries (at most 8), the page interactive in at most 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.pop("REDIS_URL", None)  # no sockets here: an in-memory layer is enough

LANES = [
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
STATUSES = ["draft", "in_review", "approved"]
TYPES = ["current", "future", "day_in_life"]
TARGET_QUERIES = 8
TARGET_PAGE_MS = 1000.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def key(index: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "a" + digits[index // 62] + digits[index % 62]


def item_op(kind: str, lane: str, stage: str, n: int, personas: list[str]) -> dict[str, Any]:
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
        op |= {"score": (n % 5) - 2, "text": "", "persona": personas[n % 2]}
    elif kind == "metrics":
        op |= {"name": "Tỷ lệ chuyển đổi", "value": 2.5, "target": 4.0, "unit": "%"}
    elif kind == "action_plan":
        op |= {"owner": "CSKH", "due": "2026-12-31", "status": "doing"}
    return op


def build_map(workspace: Any, user: Any, index: int, items: int, personas: list[str]) -> Any:
    from maps.documents import map_create
    from maps.services import apply_ops

    journey_map = map_create(workspace=workspace, actor=user, title=f"Hành trình {index + 1:02d}")
    stages = [str(uuid.uuid4()) for _ in range(12)]
    lanes = [str(uuid.uuid4()) for _ in LANES]
    fields = {"status": STATUSES[index % 3], "type": TYPES[index % 3], "objective": "Vì sao?"}
    ops: list[dict[str, Any]] = [{"type": "map.update", "fields": fields}]
    ops += [{"type": "persona.attach", "persona": p} for p in personas]
    ops += [
        {"type": "stage.create", "id": sid, "name": f"Giai đoạn {i + 1}", "position": key(i)}
        for i, sid in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lid, "kind": kind, "title": kind, "position": key(i)}
        for i, (lid, kind) in enumerate(zip(lanes, LANES, strict=True))
    ]
    for n in range(items):
        lane = n % len(LANES)
        ops.append(item_op(LANES[lane], lanes[lane], stages[(n // 10) % 12], n, personas))
    apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))
    return journey_map


def build(maps: int, items: int) -> tuple[Any, Any, float]:
    from django.contrib.auth import get_user_model

    from maps.models import Stage
    from maps.services import apply_ops
    from personas.models import Persona
    from workspaces.services import workspace_create

    started = time.perf_counter()
    user = get_user_model().objects.create_user("bench", password="bench", first_name="Lan")
    workspace = workspace_create(name="Bench", creator=user)
    personas = [
        str(Persona.objects.create(workspace=workspace, name=name, created_by=user).pk)
        for name in ("Chị Hoa", "Anh Nam")
    ]
    built = [build_map(workspace, user, i, items, personas) for i in range(maps)]
    macros, subs = built[: maps // 5], built[maps // 5 :]
    for m, macro in enumerate(macros):
        stages = list(Stage.objects.filter(map=macro).order_by("position")[:4])
        ops = [
            {"type": "stage.update", "id": str(stage.pk), "fields": {"subjourney": str(sub.pk)}}
            for stage, sub in zip(stages, subs[m * 4 : m * 4 + 4], strict=False)
        ]
        if ops:
            apply_ops(map_id=macro.pk, actor=user, change_id=uuid.uuid4(), ops=ops)
    return workspace, user, time.perf_counter() - started


def summary(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return (
        f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, "
        f"min {timings[0]:.0f} ms, max {timings[-1]:.0f} ms"
    )


def measure_api(workspace: Any, user: Any, runs: int) -> tuple[int, int, list[float]]:
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = f"/api/workspaces/{workspace.pk}/landscape/"
    client.get(path)  # warm caches and code paths
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return len(queries), len(response.content), timings


def measure_page(workspace: Any, user: Any, runs: int, port: int, db: str) -> list[float]:
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = dict(
        os.environ,
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{db}")),
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,  # the session cookie was signed with it
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback, as behind a TLS-terminating proxy
    )
    command = [sys.executable, "-m", "uvicorn", "journeymap.asgi:application", "--lifespan"]
    command += ["off", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    # As deployed (the Dockerfile): hashed, compressed static files served by WhiteNoise.
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/workspaces/{workspace.pk}/landscape/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
            page.set_extra_http_headers({"X-Forwarded-Proto": "https"})
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
            )
            for _ in range(100):  # wait for the server, then warm static files
                try:
                    page.goto(url)
                    break
                except Exception:
                    time.sleep(0.2)
            page.wait_for_selector("body[data-ready=true]")
            times = []
            for _ in range(runs):
                page.goto(url)
                page.wait_for_selector("body[data-ready=true]")
                times.append(
                    page.evaluate(
                        "() => performance.getEntriesByName('jm-landscape-ready')[0].startTime"
                    )
                )
            cards = page.locator(".jm-ls-card").count()
            browser.close()
        print(f"page: {cards} map cards drawn in the tree")
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=50)
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--port", type=int, default=8395)
    args = parser.parse_args()
    from common import throwaway_database

    with throwaway_database("bench"):
        from django.db import connection

        workspace, user, build_s = build(args.maps, args.items)
        queries, size, api_times = measure_api(workspace, user, args.runs)
        bench_db = connection.settings_dict["NAME"]
        page_times = measure_page(workspace, user, args.runs, args.port, bench_db)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {connection.vendor}; load {os.getloadavg()[0]:.2f}"
    )
    print(f"workspace: {args.maps} maps x {args.items} items, built in {build_s:.0f} s")
    print(
        f"GET /api/workspaces/{{id}}/landscape/ ({size / 1024:.0f} KiB), {args.runs} runs: "
        f"{queries} queries, {summary(api_times)}"
    )
    print(f"landscape page interactive in Chromium, {args.runs} loads: {summary(page_times)}")
    ok = queries <= TARGET_QUERIES and statistics.median(page_times) <= TARGET_PAGE_MS
    print(
        f"targets: <= {TARGET_QUERIES} queries, page <= {TARGET_PAGE_MS:.0f} ms: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
