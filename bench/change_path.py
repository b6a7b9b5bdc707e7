"""The live change path in-process: what one socket change costs the server between the frame
and the broadcast (apply_ops_batch of a single change, as live/lanes.py calls it).

Builds a map in a throwaway PostgreSQL database (`bench_<db name>`, dropped at the end), then
applies `--runs` single-change batches of one kind and prints the wall time, the process CPU
and the queries of each. The kinds: a stage rename (what bench/live_latency.py's editors send),
the same with the role unknown (the socket's role past LIVE_ROLE_TTL), a card's text, a card
created (not a plain write: the ORM path), a viewer's rename (refused: the write path's
fallbacks) and a batch of five cards created (one transaction for the batch). Then a bare
`UPDATE … ; COMMIT` of the same row, PostgreSQL's floor for a committed change.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm19 \\
        .venv/bin/python bench/change_path.py [--runs 300]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from common import percentile, throwaway_database


def timed(run: Callable[[int], Any], runs: int, gap: float = 0.0) -> dict[str, float]:
    from django.db import connection

    walls, cpus, queries = [], [], []
    count = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        for n in range(runs + 10):
            time.sleep(gap)
            count[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            run(n)
            wall, used = time.perf_counter() - started, time.process_time() - cpu
            if n >= 10:  # warm-up
                walls.append(wall * 1000)
                cpus.append(used * 1000)
                queries.append(count[0])
    walls.sort()
    return {
        "wall_p50": round(statistics.median(walls), 2),
        "wall_p99": round(percentile(walls, 0.99), 2),
        "cpu_p50": round(statistics.median(cpus), 2),
        "statements": statistics.median(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--gap-ms",
        type=float,
        default=0.0,
        help="idle time before each change (20: bench/live_latency.py's 50 changes/s)",
    )
    args = parser.parse_args()
    with throwaway_database("bench"):
        measure(args.runs, args.gap_ms / 1000)


def measure(runs: int, gap: float = 0.0) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from maps.documents import map_create
    from maps.services import ChangeRequest, apply_ops, apply_ops_batch
    from workspaces.models import MapAccess, MapRole
    from workspaces.services import workspace_create

    user = User.objects.create_user(username="bench", password=uuid.uuid4().hex)
    workspace = workspace_create(name="Bench", creator=user)
    journey_map = map_create(workspace=workspace, actor=user, title="Bench")
    stage, lane, card = (str(uuid.uuid4()) for _ in range(3))
    apply_ops(
        map_id=journey_map.pk,
        actor=user,
        change_id=uuid.uuid4(),
        ops=[
            {"type": "stage.create", "id": stage, "name": "S", "position": "a0"},
            {"type": "lane.create", "id": lane, "kind": "actions", "title": "L", "position": "a0"},
            {"type": "item.create", "id": card, "lane": lane, "stage": stage, "position": "a0"},
        ],
    )

    viewer = User.objects.create_user(username="viewer", password=uuid.uuid4().hex)
    MapAccess.objects.create(map=journey_map, user=viewer, role=MapRole.VIEWER)

    def one(ops: list[dict[str, Any]], role: str | None, author: Any = user) -> None:
        request = ChangeRequest(
            actor=author, change_id=uuid.uuid4(), ops=ops, session="bench", role=role
        )
        [result] = apply_ops_batch(map_id=journey_map.pk, requests=[request])
        assert isinstance(result, Exception) == (author is viewer), result

    def created(n: int, k: int = 0) -> list[dict[str, Any]]:
        new = {"type": "item.create", "id": str(uuid.uuid4()), "lane": lane, "stage": stage}
        return [new | {"position": f"b{n:05d}{k}"}]

    def five_created(n: int) -> None:
        requests = [
            ChangeRequest(actor=user, change_id=uuid.uuid4(), ops=created(n, k), role="owner")
            for k in range(5)
        ]
        results = apply_ops_batch(map_id=journey_map.pk, requests=requests)
        assert not any(isinstance(result, Exception) for result in results), results

    kinds: dict[str, Callable[[int], Any]] = {
        "stage rename, role known": lambda n: one(
            [{"type": "stage.update", "id": stage, "fields": {"name": f"E{n}"}}], "owner"
        ),
        "stage rename, role read": lambda n: one(
            [{"type": "stage.update", "id": stage, "fields": {"name": f"R{n}"}}], None
        ),
        "card text, role known": lambda n: one(
            [{"type": "item.update", "id": card, "fields": {"text": f"Thẻ {n}"}}], "owner"
        ),
        "card created, role known": lambda n: one(created(n), "owner"),
        "stage rename, viewer refused": lambda n: one(
            [{"type": "stage.update", "id": stage, "fields": {"name": f"V{n}"}}], None, viewer
        ),
        "5 cards created, one batch": five_created,
    }
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}, {gap * 1000:g} ms idle "
        "before each change"
    )
    for name, run in kinds.items():
        print(f"{name:28} {timed(run, runs, gap)}")

    def bare(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("UPDATE maps_stage SET name = %s WHERE id = %s", [f"B{n}", stage])
            cursor.execute("COMMIT")

    print(f"{'bare UPDATE + COMMIT':28} {timed(bare, runs, gap)}")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
