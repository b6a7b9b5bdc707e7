"""The opportunity portfolio of a big workspace: `GET /api/workspaces/{id}/portfolio/` on 50
maps × 600 items (60 opportunity cards and 60 action items on each: 3,000 opportunities).

Builds the maps through apply_ops (the real change path; one change per map) in a throwaway
database made by Django's test-database machinery (`bench_<your db name>`, dropped at the end),
so it never touches real data, with 100 solution links across maps. Then times the request
through the Django test client (token authentication, access, queries, JSON) for a workspace
member and for a user granted half the maps, and the 304 answer to a poll with If-None-Match;
it counts the SQL queries of each, and checks they do not grow with the number of maps.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm15b \\
        .venv/bin/python bench/portfolio.py [--maps 50] [--items 600] [--runs 30]

Targets (issue 15): at most 10 queries whatever the number of maps, median at most 150 ms.
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

from bench.map_load import LANES, STAGES, _item  # noqa: E402

TARGET_QUERIES = 10
TARGET_MEDIAN_MS = 150.0
STATUSES = ["idea", "planned", "in_progress", "done", "dropped"]


def _opportunity(index: int) -> dict[str, Any]:
    return {
        "text": f"Cơ hội cải thiện trải nghiệm thanh toán cho khách hàng #{index}",
        "impact": 1 + index % 5,
        "effort": 1 + (index // 5) % 5,
        "reach": 100 * (1 + index % 40),
        "confidence": 10 * (1 + index % 10),
        "status": STATUSES[index % 5],
        "owner": f"Nhóm {index % 7}",
        "due": "2027-03-31",
    }


def build_map(workspace: Any, owner: Any, title: str, items: int) -> tuple[Any, list, list]:
    from maps.documents import map_create
    from maps.services import apply_ops

    journey_map = map_create(workspace=workspace, actor=owner, title=title)
    stages = [str(uuid.uuid4()) for _ in range(STAGES)]
    lanes = [str(uuid.uuid4()) for _ in LANES]
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": stage, "name": f"Giai đoạn {i + 1}", "position": f"a{i:02d}"}
        for i, stage in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lane, "kind": kind, "title": name, "position": f"a{i:02d}"}
        for i, (lane, (kind, name)) in enumerate(zip(lanes, LANES, strict=True))
    ]
    opportunities, actions = [], []
    for index in range(items):
        lane_index = index % len(LANES)
        kind = LANES[lane_index][0]
        item_id = str(uuid.uuid4())
        fields = _opportunity(index) if kind == "opportunities" else _item(kind, index)
        if kind == "opportunities":
            opportunities.append(item_id)
        elif kind == "action_plan":
            actions.append(item_id)
        ops.append(
            {
                "type": "item.create",
                "id": item_id,
                "lane": lanes[lane_index],
                "stage": stages[(index // len(LANES)) % STAGES],
                "position": f"a{index:04d}",
                **fields,
            }
        )
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))
    return journey_map, opportunities, actions


def build(maps: int, items: int) -> tuple[Any, Any, Any, float]:
    from django.contrib.auth import get_user_model

    from portfolio.models import SolutionLink
    from workspaces.models import MapAccess
    from workspaces.services import workspace_create

    users = get_user_model().objects
    owner = users.create_user("bench", password="bench")
    granted = users.create_user("granted", password="bench")
    workspace = workspace_create(name="Bench", creator=owner)
    started = time.perf_counter()
    built = [build_map(workspace, owner, f"Hành trình {i:02d}", items) for i in range(maps)]
    for journey_map, _, _ in built[::2]:
        MapAccess.objects.create(map=journey_map, user=granted, role="editor")
    links = []
    for index in range(100):
        _, _, actions = built[index % maps]
        _, opportunities, _ = built[(index + 1) % maps]
        links.append(
            SolutionLink(
                workspace=workspace,
                action_id=actions[index % len(actions)],
                opportunity_id=opportunities[index % len(opportunities)],
                created_by=owner,
            )
        )
    SolutionLink.objects.bulk_create(links, ignore_conflicts=True)
    return workspace, owner, granted, time.perf_counter() - started


def _client(user: Any) -> Any:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _count(client: Any, path: str, **headers: Any) -> tuple[int, Any]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path, **headers)
    return len(queries), response


def _timed(client: Any, path: str, runs: int, status: int, **headers: Any) -> dict[str, float]:
    for _ in range(3):  # warm caches, connection and code paths
        client.get(path, **headers)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, response.status_code
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
        "min_ms": timings[0],
        "max_ms": timings[-1],
    }


def measure(workspace: Any, user: Any, runs: int) -> dict[str, Any]:
    client = _client(user)
    path = f"/api/workspaces/{workspace.pk}/portfolio/"
    queries, response = _count(client, path)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    etag = response["ETag"]
    not_modified_queries, again = _count(client, path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    return {
        "queries": queries,
        "bytes": len(response.content),
        "maps": len(body["maps"]),
        "opportunities": len(body["opportunities"]),
        "actions": len(body["actions"]),
        "links": len(body["links"]),
        "full": _timed(client, path, runs, 200),
        "304_queries": not_modified_queries,
        "304": _timed(client, path, runs, 304, HTTP_IF_NONE_MATCH=etag),
    }


def _line(label: str, result: dict[str, Any], runs: int) -> str:
    full, poll = result["full"], result["304"]
    return (
        f"{label}: {result['maps']} maps, {result['opportunities']} opportunities, "
        f"{result['actions']} actions, {result['links']} links ({result['bytes'] / 1024:.0f} KiB)\n"
        f"  200, {runs} runs: {result['queries']} queries, median {full['median_ms']:.1f} ms, "
        f"p95 {full['p95_ms']:.1f} ms, min {full['min_ms']:.1f} ms, max {full['max_ms']:.1f} ms\n"
        f"  304 (If-None-Match), {runs} runs: {result['304_queries']} queries, "
        f"median {poll['median_ms']:.1f} ms, p95 {poll['p95_ms']:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=50)
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from common import throwaway_database

    with throwaway_database("bench"):
        workspace, owner, granted, build_s = build(args.maps, args.items)
        member = measure(workspace, owner, args.runs)
        half = measure(workspace, granted, args.runs)

    worst = max(member["queries"], half["queries"])
    ok = worst <= TARGET_QUERIES and member["full"]["median_ms"] <= TARGET_MEDIAN_MS
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"workspace: {args.maps} maps × {args.items} items, built through apply_ops "
        f"in {build_s:.0f} s"
    )
    print(_line("workspace member (admin)", member, args.runs))
    print(_line("granted every other map", half, args.runs))
    print(
        f"targets: <= {TARGET_QUERIES} queries whatever the number of maps, median <= "
        f"{TARGET_MEDIAN_MS:.0f} ms: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
