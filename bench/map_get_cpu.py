"""CPU per REST request for what bench/load.py's readers ask: the map (200 and 304), the map
list, the workspace list and a page of the change log.

Same data as one map of bench/load.py's busy scenario near the end of its run: a workspace
with 10 editors and 1 reader, one map from the `retail_example` template (5 stages, 7 lanes,
35 items) and 500 logged `item.update` changes (a full change-log page). Built through
apply_ops in a throwaway database (`bench_<db name>`, made and dropped by Django's test
database machinery). Each request goes through the whole server side in-process (Django test
client, token authentication as the readers use, the throttle on an in-memory cache); the
figure is this process's CPU time per request (time.process_time: PostgreSQL's own work is
not in it, the driver's is), median of `--runs` after 5 warm-up requests, with the wall time
beside it.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_cpu \\
        .venv/bin/python bench/map_get_cpu.py [--runs 200] [--only map-304,map-cold]

Targets (issue 19): a 304 at most 5 ms of CPU, the 35-item map at most 12 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from typing import Any

from common import throwaway_database

os.environ.pop("REDIS_URL", None)  # in-process: the throttle counts in memory
os.environ["API_RATE_USER"] = "1000000/min"  # counted as usual, never reached
TARGETS_MS = {"map-304": 5.0, "map-cold": 12.0, "map-warm": 12.0}


def build(changes: int) -> tuple[Any, Any, Any]:
    """The workspace, its map and a reader's token, as bench/load.py makes them."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from maps.documents import map_create
    from maps.services import apply_ops, map_document
    from method.workspace_templates import template_document
    from workspaces.services import membership_set, workspace_create

    owner = User.objects.create_user(username="e0", password=None)
    workspace = workspace_create(name="Bench", creator=owner)
    people = [owner] + [User.objects.create_user(username=f"e{i}") for i in range(1, 10)]
    reader = User.objects.create_user(username="r0")
    for user in [*people[1:], reader]:
        membership_set(workspace=workspace, user=user, role="member")
    document = template_document(workspace=workspace, key="retail_example", language="vi")
    journey_map = map_create(workspace=workspace, actor=owner, title="Load", document=document)
    items = [item["id"] for item in map_document(journey_map=journey_map)["items"]]
    for n in range(changes):
        op = {"type": "item.update", "id": items[n % 10], "fields": {"text": f"E{n % 10}-{n}"}}
        apply_ops(map_id=journey_map.pk, actor=people[n % 10], change_id=uuid.uuid4(), ops=[op])
    journey_map.refresh_from_db()
    return workspace, journey_map, Token.objects.create(user=reader)


def measure(client: Any, path: str, runs: int, before: Any = None, **headers: str) -> dict:
    for _ in range(5):
        if before:
            before()
        client.get(path, **headers)
    cpu, wall = [], []
    status = 0
    for _ in range(runs):
        if before:
            before()
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path, **headers)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return {
        "status": status,
        "bytes": len(response.content),
        "cpu_ms": round(statistics.median(cpu), 2),
        "cpu_p90_ms": round(sorted(cpu)[int(0.9 * len(cpu))], 2),
        "wall_ms": round(statistics.median(wall), 2),
    }


def scenarios(workspace: Any, journey_map: Any) -> dict[str, tuple[str, Any, dict[str, str]]]:
    """name → (path, what to do before each request, request headers)."""
    import importlib.util

    forget = None
    if importlib.util.find_spec("maps.document_cache"):  # not in the code before the cache
        from maps.document_cache import documents

        forget = documents.clear
    map_path = f"/api/maps/{journey_map.pk}/"
    return {
        "map-304": (map_path, None, {"HTTP_IF_NONE_MATCH": "*"}),
        "map-cold": (map_path, forget, {}),
        "map-warm": (map_path, None, {}),
        "map list": (f"/api/maps/?workspace={workspace.pk}", None, {}),
        "workspaces": ("/api/workspaces/", None, {}),
        "changes": (f"{map_path}changes/?since=0", None, {}),  # a full page: kept
        "changes tail": (f"{map_path}changes/?since={journey_map.revision - 20}", None, {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    results = {}
    with throwaway_database("bench_cpu"):
        from django.test import Client

        workspace, journey_map, token = build(args.changes)
        client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        wanted = [name for name in args.only.split(",") if name]
        load_before = os.getloadavg()[0]
        for name, (path, before, headers) in scenarios(workspace, journey_map).items():
            if not wanted or name in wanted:
                results[name] = measure(client, path, args.runs, before, **headers)
        load_after = os.getloadavg()[0]
    print(
        f"{args.runs} requests each, map revision {journey_map.revision};"
        f" load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} cores"
    )
    print(f"{'request':<14}{'status':>5}{'bytes':>8}{'CPU ms':>9}{'CPU p90':>9}{'wall ms':>9}")
    for name, r in results.items():
        print(
            f"{name:<14}{r['status']:>5}{r['bytes']:>8}{r['cpu_ms']:>9}{r['cpu_p90_ms']:>9}"
            f"{r['wall_ms']:>9}"
        )
    met = [
        f"{name} <= {limit:g} ms: {'met' if results[name]['cpu_ms'] <= limit else 'NOT met'}"
        for name, limit in TARGETS_MS.items()
        if name in results
    ]
    print("targets (CPU median): " + "; ".join(met))
    return 0


if __name__ == "__main__":
    sys.exit(main())
