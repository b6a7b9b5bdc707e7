"""Rebuilding an old revision on a map with 10,000 changes: bounded time thanks to snapshots.

Builds a map through apply_ops (the real change path, so snapshots are taken as in
production), then times `document_at` for revisions spread over the whole history, and one
rebuild without snapshots (replay from revision 0) for contrast.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_sharing \
        .venv/bin/python bench/history_replay.py [--changes 10000] [--samples 60]

Without DATABASE_URL it uses a throwaway SQLite file under var/.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var").mkdir(exist_ok=True)
    target = ROOT / "var" / "bench_history.sqlite3"
    target.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ.pop("REDIS_URL", None)  # no sockets here: an in-memory layer is enough

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from maps import revisions as history  # noqa: E402
from maps.documents import map_create  # noqa: E402
from maps.models import JourneyMap, Version  # noqa: E402
from maps.services import apply_ops  # noqa: E402
from workspaces.services import workspace_create  # noqa: E402

LANES = [
    ("actions", "Hành động"),
    ("touchpoints", "Điểm chạm"),
    ("emotions", "Cảm xúc"),
    ("obstacles", "Rào cản"),
    ("opportunities", "Cơ hội"),
    ("metrics", "Chỉ số"),
]
KIND = {"touchpoints": "touchpoint", "emotions": "emotion", "metrics": "metric"}


def build(changes: int, seed: int) -> tuple[JourneyMap, float]:
    r = random.Random(seed)
    user_model = get_user_model()
    user = user_model.objects.create_user(f"bench{uuid.uuid4().hex[:8]}", password="x")
    workspace = workspace_create(name="Bench", creator=user)
    journey_map = map_create(workspace=workspace, actor=user, title="Bench history")
    stages = [str(uuid.uuid4()) for _ in range(8)]
    lanes = [(str(uuid.uuid4()), kind) for kind, _ in LANES]
    ops = [
        {"type": "stage.create", "id": s, "name": f"Giai đoạn {i}", "position": f"a{i}"}
        for i, s in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lane, "kind": kind, "title": title, "position": f"a{i}"}
        for i, ((lane, kind), (_, title)) in enumerate(zip(lanes, LANES, strict=True))
    ]
    apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=ops)
    items: list[tuple[str, str]] = []
    started = time.perf_counter()
    for n in range(changes - 1):
        roll = r.random()
        op: dict[str, Any]
        if roll < 0.3 or len(items) < 20:
            lane, kind = r.choice(lanes)
            item = str(uuid.uuid4())
            op = {
                "type": "item.create",
                "id": item,
                "lane": lane,
                "stage": r.choice(stages),
                "position": f"a{r.randint(0, 999)}",
                "text": f"Thẻ số {n}",
            }
            if len(items) < 1500:
                items.append((item, KIND.get(kind, "card")))
            else:
                op = {
                    "type": "item.update",
                    "id": r.choice(items)[0],
                    "fields": {"text": f"Sửa {n}"},
                }
        elif roll < 0.75:
            op = {
                "type": "item.update",
                "id": r.choice(items)[0],
                "fields": {"text": f"Nội dung {n}", "color": "#ff8800"},
            }
        elif roll < 0.9:
            op = {
                "type": "item.move",
                "id": r.choice(items)[0],
                "stage": r.choice(stages),
                "position": f"a{r.randint(0, 999)}",
            }
        elif roll < 0.97:
            op = {"type": "stage.update", "id": r.choice(stages), "fields": {"name": f"GĐ {n}"}}
        else:
            op = {
                "type": "comment.create",
                "id": str(uuid.uuid4()),
                "stage": r.choice(stages),
                "text": f"Ý kiến {n}",
            }
        apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=[op])
    journey_map.refresh_from_db()
    return journey_map, time.perf_counter() - started


def timed(journey_map: JourneyMap, revision: int) -> float:
    started = time.perf_counter()
    history.document_at(journey_map=journey_map, revision=revision)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    journey_map, build_seconds = build(args.changes, seed=7)
    revision = journey_map.revision
    snapshots = Version.objects.filter(map=journey_map).count()
    r = random.Random(1)
    wanted = [r.randint(0, revision - 1) for _ in range(args.samples)]
    timings = sorted(timed(journey_map, n) for n in wanted)
    print(f"database: {django.db.connection.vendor}")
    print(f"map: {revision} changes, {snapshots} snapshots, built in {build_seconds:.1f} s")
    print(
        f"rebuild a past revision ({len(wanted)} random revisions): "
        f"median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms"
    )
    old = revision - 1  # the worst case for a replay from zero
    saved = list(Version.objects.filter(map=journey_map).values_list("pk", flat=True))
    history_every = history.SNAPSHOT_EVERY
    Version.objects.filter(pk__in=saved).update(revision=revision + 1)  # hide the snapshots
    try:
        without = timed(journey_map, old)
    finally:
        Version.objects.filter(pk__in=saved).delete()
    print(
        f"for contrast, revision {old} replayed from 0 without snapshots: {without:.0f} ms "
        f"(snapshot interval {history_every})"
    )


if __name__ == "__main__":
    main()
