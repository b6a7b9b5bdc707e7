"""The insights of a big map: `GET /api/maps/{id}/insights/` (what the editor fetches on
open and after every link change), the health check that reads them, one insight used by
many cards, and the workspace's list.

Builds bench/map_load.py's 600-item map through apply_ops in a throwaway database
(`bench_<your db name>`, dropped at the end), adds a workspace repository of 300 insights and
links every text card to one to three of them (one insight backs 100 cards), then times each
request through the Django test client (token authentication, access checks, queries, JSON)
and counts its SQL queries.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm15c \\
        .venv/bin/python bench/insights_load.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import map_load  # bench/ is not a package; map_load sets up sys.path and the settings

INSIGHTS = 300
KINDS = ["interview", "survey", "analytics", "support", "observation"]


def repository(journey_map: Any, owner: Any) -> tuple[int, Any]:
    """300 insights; each text card linked to one to three of them; insight 0 on 100 cards."""
    from insights.models import Insight, InsightLink
    from maps.models import Item

    insights = Insight.objects.bulk_create(
        Insight(
            workspace=journey_map.workspace,
            kind=KINDS[i % len(KINDS)],
            text=f"Khách hàng nói phí giao hàng làm họ bỏ giỏ hàng #{i}",
            source_title="Phỏng vấn tháng 10",
            participants=1 + i % 40,
            tag_text=",thanh toán,phí ship,",
            created_by=owner,
        )
        for i in range(INSIGHTS)
    )
    cards = list(Item.objects.filter(map=journey_map, kind="card").values_list("pk", flat=True))
    links = []
    for index, card in enumerate(cards):
        picks = {0 if index < 100 else 1 + index % (INSIGHTS - 1)}
        picks |= {1 + (index * 7 + n) % (INSIGHTS - 1) for n in range(index % 3)}
        links += [InsightLink(insight=insights[i], item_id=card, created_by=owner) for i in picks]
    InsightLink.objects.bulk_create(links)
    return len(links), insights[0]


def timed(client: Any, path: str, runs: int) -> dict[str, Any]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    for _ in range(5):
        client.get(path)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "queries": len(queries),
        "kib": len(response.content) / 1024,
        "median": statistics.median(timings),
        "p95": timings[max(0, round(0.95 * len(timings)) - 1)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    from common import throwaway_database

    with throwaway_database("bench"):
        from django.test import Client
        from rest_framework.authtoken.models import Token

        journey_map, owner, _ = map_load.build(600)
        links, popular = repository(journey_map, owner)
        token = Token.objects.create(user=owner)
        client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        workspace = journey_map.workspace_id
        paths = [
            f"/api/maps/{journey_map.pk}/insights/",
            f"/api/maps/{journey_map.pk}/health/",
            f"/api/insights/{popular.pk}/",
            f"/api/workspaces/{workspace}/insights/",
        ]
        results = {path: timed(client, path, args.runs) for path in paths}

    print(f"map: 600 items, {INSIGHTS} insights in the workspace, {links} links")
    names = ["map's insights", "health check", "insight on 100 cards", "workspace list"]
    for name, (path, r) in zip(names, results.items(), strict=True):
        print(
            f"{name:22} GET {path.split('/api/')[1][:14]}… ({r['kib']:.0f} KiB), {args.runs} "
            f"runs: {r['queries']} queries, median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
