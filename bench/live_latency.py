"""Live-editing latency: N editors on one map, in services mode (PostgreSQL, Redis, two uvicorn
processes), each sending changes at a set rate over /ws/maps/{id}/.

Reports the propagation latency (the author's send → each peer's receive) p50/p95/p99, the
changes/s sustained, errors, lost and duplicated changes; then a ramp of rates to find where
p99 passes 100 ms. Runs once per channel layer (RedisChannelLayer, RedisPubSubChannelLayer),
and, when bench/node_modules holds `@y/websocket-server`, `yjs` and `y-websocket`, drives a
Yjs y-websocket server with the same number of clients and rate (bench/yjs_latency.mjs).

    npm install --prefix bench @y/websocket-server yjs y-websocket ws   # once, not committed
    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_live \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/live_latency.py [--editors 25] [--rate 2] [--seconds 10]

Loopback only. Creates a user and a map in DATABASE_URL's database on each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from typing import Any

from common import ROOT, Editor, require_services, start_servers, stop_servers, wait_for_ports

PORTS = (8411, 8412)
YJS_PORT = 8413


def setup_map(editors: int) -> tuple[str, str, list[str]]:
    """A fresh map with one stage per editor; returns (map id, token, stage ids)."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from maps.documents import map_create
    from maps.services import apply_ops
    from workspaces.services import workspace_create

    name = f"bench-{uuid.uuid4().hex[:8]}"
    user = User.objects.create_user(username=name, password=uuid.uuid4().hex)
    workspace = workspace_create(name=name, creator=user)
    journey_map = map_create(workspace=workspace, actor=user, title="Bench")
    stages = [str(uuid.uuid4()) for _ in range(editors)]
    ops = [
        {"type": "stage.create", "id": sid, "name": f"S{i}", "position": f"a{i:03d}"}
        for i, sid in enumerate(stages)
    ]
    apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=ops, max_ops=1000)
    token = Token.objects.create(user=user).key
    return str(journey_map.pk), token, stages


async def run_phase(
    editors: list[Editor], rate: float, seconds: float, sent: dict[str, tuple[int, float]]
) -> None:
    """Every editor sends `rate` changes a second for `seconds`, phases offset evenly."""

    async def drive(editor: Editor) -> None:
        interval = 1.0 / rate
        await asyncio.sleep(interval * editor.index / len(editors))
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            change_id = str(uuid.uuid4())
            op = {"type": "stage.update", "id": editor.stage, "fields": {"name": f"E{n}"}}
            sent[change_id] = (editor.index, time.perf_counter())
            await editor.ws.send(json.dumps({"type": "change", "id": change_id, "ops": [op]}))
            n += 1
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)

    await asyncio.gather(*(drive(editor) for editor in editors))


def summarise(editors: list[Editor], sent: dict[str, tuple[int, float]], seconds: float) -> dict:
    latencies = []
    lost = 0
    for change_id, (author, at) in sent.items():
        for editor in editors:
            if editor.index == author:
                continue
            got = editor.received.get(change_id)
            if got is None:
                lost += 1
            else:
                latencies.append((got - at) * 1000)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    ordered = all(e.revisions == sorted(e.revisions) for e in editors)
    return {
        "changes": len(sent),
        "changes_per_s": round(len(sent) / seconds, 1),
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "lost": lost,
        "duplicated": sum(e.duplicates for e in editors),
        "errors": sum(e.errors for e in editors),
        "in_order": ordered,
    }


async def measure(
    map_id: str, token: str, stages: list[str], rate: float, seconds: float, workers: int
) -> dict:
    editors = [Editor(i, stage) for i, stage in enumerate(stages)]
    for editor in editors:
        port = PORTS[editor.index % workers]
        await editor.open(f"ws://127.0.0.1:{port}/ws/maps/{map_id}/", token)
    listeners = [asyncio.create_task(editor.listen()) for editor in editors]
    sent: dict[str, tuple[int, float]] = {}
    await run_phase(editors, rate, seconds, sent)
    # Let the tail arrive (a backlog shows as latency; only what never arrives is lost).
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and any(
        len(editor.received) < len(sent) for editor in editors
    ):
        await asyncio.sleep(0.1)
    for editor in editors:
        await editor.ws.close()
    for task in listeners:
        task.cancel()
    return summarise(editors, sent, seconds)


def yjs_measure(editors: int, rate: float, seconds: float) -> dict | None:
    script = ROOT / "bench" / "yjs_latency.mjs"
    if not (ROOT / "bench" / "node_modules" / "@y" / "websocket-server").exists():
        return None
    command = ["node", str(script), str(editors), str(rate), str(seconds), str(YJS_PORT)]
    done = subprocess.run(command, cwd=ROOT / "bench", capture_output=True, timeout=600)
    if done.returncode != 0:
        print(done.stderr.decode()[-2000:], file=sys.stderr)
        return None
    result: dict = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editors", type=int, default=25)
    parser.add_argument("--rate", type=float, default=2.0, help="changes/s per editor")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, choices=(1, 2))
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--ramp", default="4,8,12,16,20,24", help="per-editor rates to ramp")
    parser.add_argument("--ramp-seconds", type=float, default=5.0)
    args = parser.parse_args()
    require_services()
    report: dict[str, Any] = {"editors": args.editors, "rate": args.rate, "workers": args.workers}
    for layer in args.layers.split(","):
        servers = start_servers(PORTS[: args.workers], layer=layer)
        try:
            asyncio.run(wait_for_ports(PORTS[: args.workers]))
            map_id, token, stages = setup_map(args.editors)
            steady = asyncio.run(
                measure(map_id, token, stages, args.rate, args.seconds, args.workers)
            )
            print(layer, "steady", json.dumps(steady), flush=True)
            ramp = []
            for rate in [float(r) for r in args.ramp.split(",") if r]:
                map_id, token, stages = setup_map(args.editors)
                step = asyncio.run(
                    measure(map_id, token, stages, rate, args.ramp_seconds, args.workers)
                )
                print(layer, "ramp", rate, json.dumps(step), flush=True)
                ramp.append({"rate_per_editor": rate, **step})
                if step["p99_ms"] > 100:
                    break
            report[layer] = {"steady": steady, "ramp": ramp}
        finally:
            stop_servers(servers)
    yjs = yjs_measure(args.editors, args.rate, args.seconds)
    report["yjs"] = yjs
    print("yjs", json.dumps(yjs), flush=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
