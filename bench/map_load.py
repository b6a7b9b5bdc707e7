"""Loading a big map: `GET /api/maps/{id}/` on a 12-stage x 10-lane x 600-item map.

Builds the map through apply_ops (the real change path) in a throwaway database made by
Django's test-database machinery (`bench_<your db name>`, dropped at the end), so it never
touches real data. Then times the request through the Django test client (the whole server
side: authentication, access check, queries, JSON rendering) and counts its SQL queries.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_found \\
        .venv/bin/python bench/map_load.py [--runs 50] [--items 600]

Targets (issue 2): at most 10 queries and a median of at most 60 ms on this machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.pop("REDIS_URL", None)  # no sockets here: an in-memory layer is enough

STAGES = 12
LANES = [
    ("actions", "Hành động"),
    ("motivations", "Động cơ"),
    ("obstacles", "Rào cản"),
    ("thoughts", "Suy nghĩ"),
    ("emotions", "Cảm xúc"),
    ("touchpoints", "Điểm chạm"),
    ("opportunities", "Cơ hội"),
    ("owners", "Người phụ trách"),
    ("metrics", "Chỉ số"),
    ("action_plan", "Kế hoạch hành động"),
]
TARGET_QUERIES = 10
TARGET_MEDIAN_MS = 60.0


def _item(kind: str, index: int) -> dict[str, Any]:
    """Realistic attributes for an item of the lane kind: Vietnamese text of typical length."""
    text = f"Khách hàng tìm hiểu đánh giá sản phẩm trên mạng xã hội và hỏi bạn bè #{index}"
    if kind == "emotions":
        return {"score": index % 5 - 2, "note": text}
    if kind == "touchpoints":
        return {
            "text": text,
            "channel": "website",
            "online": True,
            "owner": "Marketing",
            "impact": 1 + index % 5,
            "importance": 1 + index % 5,
            "phase": "before",
        }
    if kind == "metrics":
        return {"name": "Tỷ lệ chuyển đổi", "value": 2.5, "target": 4.0, "unit": "%", "text": text}
    if kind == "action_plan":
        return {"text": text, "owner": "CSKH", "due": "2026-06-30", "status": "doing"}
    return {"text": text, "evidence": "research", "source": "Phỏng vấn 12 khách hàng"}


def build(items: int, stage_count: int = STAGES) -> tuple[Any, Any, float]:
    from django.contrib.auth import get_user_model

    from maps.documents import map_create
    from maps.services import apply_ops
    from workspaces.services import workspace_create

    owner = get_user_model().objects.create_user("bench", password="bench")
    workspace = workspace_create(name="Bench", creator=owner)
    journey_map = map_create(workspace=workspace, actor=owner, title="Bản đồ lớn")
    stages = [str(uuid.uuid4()) for _ in range(stage_count)]
    lanes = [str(uuid.uuid4()) for _ in LANES]
    started = time.perf_counter()
    ops: list[dict[str, Any]] = [
        {
            "type": "stage.create",
            "id": stage,
            "name": f"Giai đoạn {i + 1}",
            "position": f"a{i:02d}",
            "phase": "before",
        }
        for i, stage in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lane, "kind": kind, "title": title, "position": f"a{i:02d}"}
        for i, (lane, (kind, title)) in enumerate(zip(lanes, LANES, strict=True))
    ]
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    # Items arrive as editors add them: many changes of a few ops each.
    batch: list[dict[str, Any]] = []
    item_ids: list[str] = []
    for index in range(items):
        lane_index = index % len(LANES)
        item_id = str(uuid.uuid4())
        item_ids.append(item_id)
        batch.append(
            {
                "type": "item.create",
                "id": item_id,
                "lane": lanes[lane_index],
                "stage": stages[(index // len(LANES)) % stage_count],
                "position": f"a{index:04d}",
                **_item(LANES[lane_index][0], index),
            }
        )
        if len(batch) == 20:
            apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=batch)
            batch = []
    batch += [
        {
            "type": "link.create",
            "id": str(uuid.uuid4()),
            "source": item_ids[i],
            "target": item_ids[i + 1],
            "label": "dẫn tới",
        }
        for i in range(0, min(40, items - 1), 2)
    ]
    batch += [
        {
            "type": "comment.create",
            "id": str(uuid.uuid4()),
            "item": item_ids[i],
            "text": "Cần thêm số liệu @bench",
        }
        for i in range(0, min(60, items), 3)
    ]
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=batch)
    journey_map.refresh_from_db()
    return journey_map, owner, time.perf_counter() - started


def measure(journey_map: Any, owner: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=owner)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = f"/api/maps/{journey_map.pk}/"
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    document = response.json()
    for _ in range(5):  # warm caches, connection and code paths
        client.get(path)
    from maps.document_cache import documents

    timings = []
    for _ in range(runs):
        documents.clear()  # each request builds the document, as the first reader of a revision
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    warm, not_modified = [], []
    etag = response["ETag"]
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(path).status_code == 200  # kept built: the JSON as it was sent
        warm.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        not_modified.append((time.perf_counter() - started) * 1000)
    return {
        "warm": _summary(warm),
        "not_modified": _summary(not_modified),
        "queries": len(queries),
        "bytes": len(response.content),
        "counts": {k: len(document[k]) for k in ("stages", "lanes", "items", "links", "comments")},
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "min_ms": timings[0],
        "max_ms": timings[-1],
    }


def _summary(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "min_ms": timings[0],
        "max_ms": timings[-1],
    }


def measure_http(journey_map: Any, owner: Any, runs: int, port: int, db: str) -> dict[str, Any]:
    """The same request from a real uvicorn (ASGI, its thread pool, HTTP) on the bench db."""
    import http.client
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=owner)
    parts = urlsplit(os.environ["DATABASE_URL"])
    # Production settings (DEBUG off), as behind a TLS-terminating proxy.
    env = dict(
        os.environ,
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{db}")),
        DEBUG="0",
        SECRET_KEY=uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="127.0.0.1",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "journeymap.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {
            "Authorization": f"Token {token.key}",
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
        }
        path = f"/api/maps/{journey_map.pk}/"
        for _ in range(100):  # wait for the server to answer
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                break
            except OSError:
                conn.close()
                time.sleep(0.2)
        assert response.status == 200, response.status
        for _ in range(5):
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            body = conn.getresponse().read()
            timings.append((time.perf_counter() - started) * 1000)
        assert len(body) > 1000
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _summary(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--stages", type=int, default=STAGES)
    parser.add_argument(
        "--http-port",
        type=int,
        default=0,
        help="also time the request over HTTP from a real uvicorn on this port",
    )
    args = parser.parse_args()
    from common import throwaway_database

    with throwaway_database("bench"):
        from django.db import connection

        journey_map, owner, build_s = build(args.items, args.stages)
        result = measure(journey_map, owner, args.runs)
        if args.http_port:
            bench_db = connection.settings_dict["NAME"]
            result["http"] = measure_http(journey_map, owner, args.runs, args.http_port, bench_db)

    ok = result["queries"] <= TARGET_QUERIES and result["median_ms"] <= TARGET_MEDIAN_MS
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, PostgreSQL via {connection.vendor}"
    )
    print(f"map: {result['counts']} built through apply_ops in {build_s:.1f} s")
    print(
        f"GET /api/maps/{{id}}/ ({result['bytes'] / 1024:.0f} KiB), {args.runs} runs, built"
        " each time: "
        f"{result['queries']} queries, median {result['median_ms']:.1f} ms, "
        f"p95 {result['p95_ms']:.1f} ms, min {result['min_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms"
    )
    for label, key in (("kept built", "warm"), ("304 (If-None-Match)", "not_modified")):
        r = result[key]
        print(
            f"  {label}: median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms,"
            f" min {r['min_ms']:.1f} ms"
        )
    if "http" in result:
        http = result["http"]
        print(
            f"over HTTP (uvicorn, keep-alive), {args.runs} runs: median {http['median_ms']:.1f} "
            f"ms, p95 {http['p95_ms']:.1f} ms, min {http['min_ms']:.1f} ms"
        )
    print(
        f"targets: <= {TARGET_QUERIES} queries, median <= {TARGET_MEDIAN_MS:.0f} ms: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
