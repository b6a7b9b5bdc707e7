"""Live-editing latency: N editors on one map, in services mode (PostgreSQL, Redis, two uvicorn
processes), each sending changes at a set rate over /ws/maps/{id}/.

Reports the propagation latency (the author's send → each peer's receive) p50/p95/p99, the
changes/s sustained, errors, lost and duplicated changes; then a ramp of rates to find where
p99 passes 100 ms. Runs once per channel layer (RedisChannelLayer, RedisPubSubChannelLayer),
then drives a Yjs y-websocket server with the same number of clients, rate, seconds and ramp
(bench/yjs_latency.mjs, Node; skipped with a message when node or bench/node_modules is missing)
and prints both side by side.

    npm install --prefix bench   # once (Node >= 18): bench/package.json; node_modules not committed
    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_live \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/live_latency.py [--editors 25] [--rate 2] [--seconds 10]
            [--ports 8411,8412] [--yjs-port 8413] [--no-yjs] [--layers core,pubsub]

Ports default to 8411,8412 (uvicorn) and 8413 (y-websocket), or $BENCH_PORTS / $BENCH_YJS_PORT.
`--layers ''` runs the Yjs side alone. Loopback only. Creates a user and a map in
DATABASE_URL's database on each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import uuid
from typing import Any

from common import (
    ORIGIN,
    ROOT,
    Editor,
    cores_used,
    cpu_by_role,
    require_services,
    start_servers,
    stop_servers,
    wait_for_ports,
)

PORTS = (8411, 8412)
YJS_PORT = 8413
YJS_PACKAGES = ("@y/websocket-server", "yjs", "y-websocket", "ws")


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


def measure(
    map_id: str,
    token: str,
    stages: list[str],
    rate: float,
    seconds: float,
    ports: list[int],
    server_pids: list[int],
    client: str,
) -> dict:
    """One phase with fresh sockets, its figures and the cores each side used meanwhile."""
    if client == "python":
        return asyncio.run(measure_python(map_id, token, stages, rate, seconds, ports, server_pids))
    urls = [f"ws://127.0.0.1:{port}/ws/maps/{map_id}/" for port in ports]
    config: dict[str, Any] = {"urls": urls, "token": token, "origin": ORIGIN, "stages": stages}
    config |= {"rate": rate, "seconds": seconds}
    before, children = cpu_by_role(server_pids), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = ["node", str(ROOT / "bench" / "live_clients.mjs"), json.dumps(config)]
    done = subprocess.run(command, cwd=ROOT / "bench", capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench/live_clients.mjs failed: {done.stderr.strip()}")
    cores = cores_used(before, cpu_by_role(server_pids), wall)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    node_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    cores["clients"] = round(cores["clients"] + node_cpu / wall, 2)
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "cores": cores}


async def measure_python(
    map_id: str,
    token: str,
    stages: list[str],
    rate: float,
    seconds: float,
    ports: list[int],
    server_pids: list[int],
) -> dict:
    editors = [Editor(i, stage) for i, stage in enumerate(stages)]
    for editor in editors:
        port = ports[editor.index % len(ports)]
        await editor.open(f"ws://127.0.0.1:{port}/ws/maps/{map_id}/", token)
    listeners = [asyncio.create_task(editor.listen()) for editor in editors]
    sent: dict[str, tuple[int, float]] = {}
    cpu_before, started = cpu_by_role(server_pids), time.perf_counter()
    await run_phase(editors, rate, seconds, sent)
    # Let the tail arrive (a backlog shows as latency; only what never arrives is lost).
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and any(
        len(editor.received) < len(sent) for editor in editors
    ):
        await asyncio.sleep(0.1)
    cores = cores_used(cpu_before, cpu_by_role(server_pids), time.perf_counter() - started)
    for editor in editors:
        await editor.ws.close()
    for task in listeners:
        task.cancel()
    return {**summarise(editors, sent, seconds), "cores": cores}


def node_missing(packages: tuple[str, ...]) -> str | None:
    """Why Node clients cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm; Node >= 18)"
    modules = ROOT / "bench" / "node_modules"
    absent = [name for name in packages if not (modules / name / "package.json").exists()]
    if absent:
        return f"bench/node_modules lacks {', '.join(absent)}: run `npm install --prefix bench`"
    return None


def yjs_measure(args: argparse.Namespace) -> dict | None:
    """Runs bench/yjs_latency.mjs with this run's editors, rate, seconds and ramp; prints its
    phases as they finish and returns its result (None, with a message, when it cannot run)."""
    missing = node_missing(YJS_PACKAGES)
    if missing:
        print(f"yjs skipped: {missing}", file=sys.stderr, flush=True)
        return None
    command = ["node", str(ROOT / "bench" / "yjs_latency.mjs")]
    command += ["--editors", str(args.editors), "--rate", str(args.rate)]
    command += ["--seconds", str(args.seconds), "--port", str(args.yjs_port)]
    command += ["--ramp", args.ramp, "--ramp-seconds", str(args.ramp_seconds)]
    lines = []
    with subprocess.Popen(command, cwd=ROOT / "bench", stdout=subprocess.PIPE, text=True) as node:
        assert node.stdout is not None
        for line in node.stdout:
            lines.append(line)
            phase = json.loads(line)
            if "phase" in phase:
                print("yjs", phase.pop("phase"), phase.pop("rate"), json.dumps(phase), flush=True)
    if node.returncode != 0 or not lines:
        print(f"yjs failed (node exited {node.returncode})", file=sys.stderr, flush=True)
        return None
    result: dict = json.loads(lines[-1])
    return result


def side_by_side(report: dict[str, Any], layers: list[str]) -> str:
    """One table row per system and rate, Python layers first, then Yjs."""
    rows: list[tuple[str, ...]] = [
        ("system", "rate", "changes/s", "p50", "p95", "p99", "lost", "dup", "errors")
    ]
    names = {"core": "RedisChannelLayer", "pubsub": "RedisPubSubChannelLayer"}
    systems = [(names.get(layer, layer), report.get(layer)) for layer in layers]
    systems.append(("Yjs y-websocket", report.get("yjs")))
    for name, result in systems:
        if not result:
            continue
        phases = [{"rate_per_editor": report["rate"], **result["steady"]}, *result["ramp"]]
        for phase in phases:
            rows.append(
                (
                    name,
                    f"{report['editors']} x {phase['rate_per_editor']:g}/s",
                    f"{phase['changes_per_s']:g}",
                    *(f"{phase[key]:g} ms" for key in ("p50_ms", "p95_ms", "p99_ms")),
                    *(str(phase[key]) for key in ("lost", "duplicated", "errors")),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def port_list(text: str) -> list[int]:
    return [int(port) for port in text.split(",") if port]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editors", type=int, default=25)
    parser.add_argument("--rate", type=float, default=2.0, help="changes/s per editor")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, choices=(1, 2))
    parser.add_argument(
        "--ports",
        type=port_list,
        default=port_list(os.environ.get("BENCH_PORTS", ",".join(map(str, PORTS)))),
        help="uvicorn ports, one per worker (default 8411,8412 or $BENCH_PORTS)",
    )
    parser.add_argument(
        "--yjs-port",
        type=int,
        default=int(os.environ.get("BENCH_YJS_PORT", YJS_PORT)),
        help="y-websocket server port (default 8413 or $BENCH_YJS_PORT)",
    )
    parser.add_argument("--no-yjs", action="store_true", help="skip the Yjs y-websocket side")
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument(
        "--client",
        choices=("node", "python"),
        default=None,
        help="who runs the editors: node (bench/live_clients.mjs, the default when node and "
        "bench/node_modules are there) or python (this process)",
    )
    parser.add_argument("--ramp", default="4,8,12,16,20,24,28,32", help="per-editor rates to ramp")
    parser.add_argument("--ramp-seconds", type=float, default=5.0)
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="the servers' sys.setswitchinterval in seconds (GIL hand-off experiment)",
    )
    args = parser.parse_args()
    ports = args.ports[: args.workers]
    if len(ports) < args.workers:
        parser.error(f"--ports needs {args.workers} ports for --workers {args.workers}")
    if args.client is None:
        missing = node_missing(("ws",))
        args.client = "python" if missing else "node"
        if missing:
            print(f"python clients: {missing}", file=sys.stderr, flush=True)
    layers = [layer for layer in args.layers.split(",") if layer]
    if layers:
        require_services()
    report: dict[str, Any] = {"editors": args.editors, "rate": args.rate, "workers": args.workers}
    report["client"] = args.client
    report["loadavg_before"] = os.getloadavg()
    for layer in layers:
        servers = start_servers(ports, layer=layer, switch_interval=args.switch_interval)
        pids = [server.pid for server in servers]
        try:
            asyncio.run(wait_for_ports(ports))
            map_id, token, stages = setup_map(args.editors)
            steady = measure(
                map_id, token, stages, args.rate, args.seconds, ports, pids, args.client
            )
            print(layer, "steady", json.dumps(steady), flush=True)
            ramp = []
            for rate in [float(r) for r in args.ramp.split(",") if r]:
                map_id, token, stages = setup_map(args.editors)
                step = measure(
                    map_id, token, stages, rate, args.ramp_seconds, ports, pids, args.client
                )
                print(layer, "ramp", rate, json.dumps(step), flush=True)
                ramp.append({"rate_per_editor": rate, **step})
                if step["p99_ms"] > 100:
                    break
            report[layer] = {"steady": steady, "ramp": ramp}
        finally:
            stop_servers(servers)
    report["yjs"] = None if args.no_yjs else yjs_measure(args)
    report["loadavg_after"] = os.getloadavg()
    print(json.dumps(report, indent=1))
    print(side_by_side(report, layers))
    print(
        "load average before/after (1, 5, 15 min):",
        report["loadavg_before"],
        report["loadavg_after"],
    )


if __name__ == "__main__":
    main()
