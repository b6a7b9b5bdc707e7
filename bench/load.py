"""Load: many maps edited at once, plus REST readers, in services mode; then many idle sockets
on one ASGI process (issue 8).

Scenario 1 (busy): `--maps` maps (from the `--template` template), each with `--editors`
socket editors (distinct users) sending one `item.update` change every 1/`--rate` seconds,
open loop, split over two uvicorn processes sharing PostgreSQL and Redis, and `--readers`
REST readers per map cycling through GET /api/maps/{id}/ (If-None-Match: the last ETag, as
the editor and the share view send it), GET /api/maps/?workspace=,
GET /api/maps/{id}/changes/?since= and GET /api/workspaces/ at `--read-rate` requests/s,
for `--seconds`. Reports REST latency, socket propagation latency (the author's send → each
peer's receive) and acknowledgement latency (send → the author's own copy), p50/p99, errors,
lost and duplicated changes, and the peak PSS/RSS of each uvicorn process (sampled every
second from /proc/<pid>/smaps_rollup).

Scenario 2 (idle): `--idle` sockets opened on ONE uvicorn process (spread over the same
maps) and left idle; reports that process's PSS/RSS before and after they connect.

    DATABASE_URL=postgres://journeymap:journeymap@127.0.0.1:5432/jm_load \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/load.py [--quick] [--seconds 120] [--maps 20] [--editors 10]

Loopback only (ports 8540-8542 and 8550, or from --port-base). Creates users, workspaces and maps in
DATABASE_URL's database on each run. Prints a table, then the figures as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets
from common import (
    Editor,
    MemorySampler,
    cpu_seconds,
    django_setup,
    memory_kb,
    percentile,
    raise_nofile,
    require_services,
    start_servers,
    stop_servers,
    wait_for_ports,
)

# Moved together by --port-base (or BENCH_LOAD_PORT_BASE) when several runs share a machine.
BUSY_PORTS = (8540, 8541)
REST_PORT = 8542  # with --rest-apart: a third process serving only the REST readers
IDLE_PORT = 8550


def use_ports(base: int) -> None:
    """Serve on base, base + 1 (busy), base + 2 (--rest-apart) and base + 10 (idle)."""
    global BUSY_PORTS, REST_PORT, IDLE_PORT
    BUSY_PORTS, REST_PORT, IDLE_PORT = (base, base + 1), base + 2, base + 10


NOFILE = 8192


@dataclass
class MapSetup:
    map_id: str
    workspace_id: str
    editor_tokens: list[str]
    reader_tokens: list[str]
    targets: list[str]  # the item each editor edits


def setup_maps(*, maps: int, editors: int, readers: int, template: str) -> list[MapSetup]:
    """Fresh workspaces and maps: per map one workspace, `editors` editing members (the first
    owns the map) and `readers` reading members, each with an API token."""
    django_setup()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from maps.documents import map_create
    from maps.services import map_document
    from method.workspace_templates import template_document
    from workspaces.services import membership_set, workspace_create

    run = uuid.uuid4().hex[:6]
    made = []
    for m in range(maps):
        prefix = f"load-{run}-{m}"

        def person(suffix: str, prefix: str = prefix) -> Any:
            # No password: these accounts only use tokens (and hashing one costs ~0.5 s).
            return User.objects.create_user(username=f"{prefix}-{suffix}", password=None)

        owner = person("e0")
        workspace = workspace_create(name=prefix, creator=owner)
        people = [owner] + [person(f"e{i}") for i in range(1, editors)]
        watchers = [person(f"r{i}") for i in range(readers)]
        for user in people[1:] + watchers:
            membership_set(workspace=workspace, user=user, role="member")
        document = template_document(workspace=workspace, key=template, language="vi")
        if document is None:
            raise SystemExit(f"unknown template {template!r}")
        journey_map = map_create(
            workspace=workspace, actor=owner, title=f"Load {m}", document=document
        )
        items = [item["id"] for item in map_document(journey_map=journey_map)["items"]]
        if not items:
            raise SystemExit(f"template {template!r} has no items to edit")
        made.append(
            MapSetup(
                map_id=str(journey_map.pk),
                workspace_id=str(workspace.pk),
                editor_tokens=[Token.objects.create(user=u).key for u in people],
                reader_tokens=[Token.objects.create(user=u).key for u in watchers],
                targets=[str(items[i % len(items)]) for i in range(editors)],
            )
        )
    return made


def database_connections() -> tuple[int, int]:
    """(connections open to this database other than this process's own, sessions ever
    opened to it: pg_stat_database.sessions, PostgreSQL 14+)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()),"
            " (SELECT sessions FROM pg_stat_database WHERE datname = current_database())"
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def redis_clients() -> int:
    """Clients connected to REDIS_URL's server that use its database number (CLIENT LIST)."""
    import redis

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    try:
        db = client.connection_pool.connection_kwargs.get("db", 0)
        clients: list[dict[str, Any]] = client.client_list()  # type: ignore[assignment]
        return len([c for c in clients if int(c.get("db", -1)) == db]) - 1
    finally:
        client.close()


class DatabaseSampler:
    """Samples the connections open to the database (and Redis clients on our Redis database)
    every `interval` s; keeps the peaks."""

    def __init__(self, interval: float = 1.0, limit: int = 60) -> None:
        self.interval = interval
        self.limit = limit
        self.tripped = False
        self._main: asyncio.Task[Any] | None = None
        self.peak = 0
        self.redis_peak = 0
        self.first_sessions = self.sessions = 0
        self._task: asyncio.Task[None] | None = None

    async def sample(self) -> None:
        open_now, self.sessions = await asyncio.to_thread(database_connections)
        self.peak = max(self.peak, open_now)
        self.redis_peak = max(self.redis_peak, await asyncio.to_thread(redis_clients))
        if open_now > self.limit and not self.tripped and self._main is not None:
            # The PostgreSQL server may be shared (max_connections is 100 by default):
            # stop before this run starves anyone else of connections.
            self.tripped = True
            print(f"{open_now} connections open to the database: stopping the run", flush=True)
            self._main.cancel()
        if not self.first_sessions:
            self.first_sessions = self.sessions

    async def _run(self) -> None:
        while True:
            await self.sample()
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        self._main = asyncio.current_task()
        await self.sample()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, int]:
        if self._task is not None:
            self._task.cancel()
        await self.sample()
        return {
            "peak_open": self.peak,
            "sessions_opened": self.sessions - self.first_sessions,
            "redis_clients_peak": self.redis_peak,
        }


async def warm_up(setup: MapSetup, ports: tuple[int, ...]) -> None:
    """One request per endpoint and process: imports and first queries are not measured."""
    for port in ports:
        client = HttpClient(port, setup.editor_tokens[0])
        for path in (
            f"/api/maps/{setup.map_id}/",
            f"/api/maps/?workspace={setup.workspace_id}",
            f"/api/maps/{setup.map_id}/changes/?since=0",
            "/api/workspaces/",
        ):
            await client.get(path)
        await client.close()
        editor = Editor(0, "")
        await editor.open(f"ws://127.0.0.1:{port}/ws/maps/{setup.map_id}/", setup.editor_tokens[0])
        await editor.ws.close()


class HttpClient:
    """A minimal keep-alive HTTP/1.1 GET client on asyncio streams (no extra dependency)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.headers: dict[str, str] = {}

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, etag: str | None = None) -> tuple[int, bytes]:
        """GET `path` (with If-None-Match: `etag` when given); the response's headers are
        in `self.headers` afterwards."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.reader, self.writer
        condition = f"If-None-Match: {etag}\r\n" if etag else ""
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Authorization: Token {self.token}\r\nAccept: application/json\r\n"
                # As the TLS proxy says (SECURE_PROXY_SSL_HEADER); else DEBUG=0 redirects.
                f"{condition}X-Forwarded-Proto: https\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(part[:-2] for part in parts)
        else:
            body = await reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body


@dataclass
class RestStats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0  # map reads answered 304

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def read_loop(
    client: HttpClient, setup: MapSetup, rate: float, until: float, stats: RestStats
) -> None:
    """GET the map, the map list, recent changes and the workspace list, in turn."""
    endpoints = [
        ("map", f"/api/maps/{setup.map_id}/"),
        ("map list", f"/api/maps/?workspace={setup.workspace_id}"),
        ("changes", f"/api/maps/{setup.map_id}/changes/?since=0"),
        ("workspaces", "/api/workspaces/"),
    ]
    interval = 1.0 / rate
    await asyncio.sleep(random.uniform(0, interval))
    n = 0
    etag = None  # the map is read as the editor and the share view read it: conditionally
    start = time.perf_counter()
    while time.perf_counter() < until:
        name, path = endpoints[n % len(endpoints)]
        began = time.perf_counter()
        try:
            status, _body = await client.get(path, etag if name == "map" else None)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            stats.error(f"{name}: {type(error).__name__}")
            await client.close()
        else:
            if status == 200 or (status == 304 and name == "map"):
                stats.latencies.setdefault(name, []).append((time.perf_counter() - began) * 1000)
                if name == "map":
                    etag = client.headers.get("etag")
                    stats.not_modified += status == 304
            else:
                stats.error(f"{name}: HTTP {status}")
        n += 1
        delay = start + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await client.close()


async def edit_loop(
    editor: Editor, rate: float, until: float, sent: dict[str, tuple[int, float]]
) -> None:
    """Open loop: one `item.update` every 1/rate s whether or not earlier ones were answered."""
    interval = 1.0 / rate
    await asyncio.sleep(random.uniform(0, interval))
    start = time.perf_counter()
    n = 0
    while time.perf_counter() < until:
        change_id = str(uuid.uuid4())
        op = {"type": "item.update", "id": editor.stage, "fields": {"text": f"E{editor.index}-{n}"}}
        if editor.ws.close_code is not None:
            return  # the server closed this socket (counted as closed early)
        sent[change_id] = (editor.index, time.perf_counter())
        with contextlib.suppress(websockets.ConnectionClosed):
            await editor.ws.send(json.dumps({"type": "change", "id": change_id, "ops": [op]}))
        n += 1
        delay = start + n * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)


async def loop_lag(samples: list[float], interval: float = 0.05) -> None:
    """How late this (client) event loop wakes up: if it lags, the latencies it measures
    include its own delay, and the figures are the client's, not the server's."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(interval)
        samples.append((time.perf_counter() - asked - interval) * 1000)


async def open_all(jobs: list[tuple[Editor, str, str]], batch: int) -> list[asyncio.Task[None]]:
    """Open sockets `batch` at a time (a connection storm is not what this measures), each
    one read from as soon as it is open: an unread socket stops answering the server's
    pings once its queue fills (peers' join messages) and the server closes it."""
    listeners: list[asyncio.Task[None]] = []

    async def one(editor: Editor, url: str, token: str) -> None:
        await editor.open(url, token)
        listeners.append(asyncio.create_task(editor.listen()))

    for at in range(0, len(jobs), batch):
        await asyncio.gather(*(one(*job) for job in jobs[at : at + batch]))
    return listeners


def _ms(values: list[float]) -> dict[str, float]:
    values.sort()
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(values[-1], 1) if values else 0.0,
    }


async def busy(setups: list[MapSetup], args: argparse.Namespace, pids: list[int]) -> dict:
    per_map: list[tuple[list[Editor], dict[str, tuple[int, float]]]] = []
    jobs = []
    k = 0
    for setup in setups:
        editors = []
        for i, (token, target) in enumerate(zip(setup.editor_tokens, setup.targets, strict=True)):
            editor = Editor(i, target)
            port = BUSY_PORTS[k % len(BUSY_PORTS)]  # every map has editors on both processes
            k += 1
            jobs.append((editor, f"ws://127.0.0.1:{port}/ws/maps/{setup.map_id}/", token))
            editors.append(editor)
        per_map.append((editors, {}))
    rest_ports = (REST_PORT,) if args.rest_apart else BUSY_PORTS
    ports = BUSY_PORTS + ((REST_PORT,) if args.rest_apart else ())
    await warm_up(setups[0], ports)
    sampler = MemorySampler(pids)
    sampler.start()
    database = DatabaseSampler(limit=args.max_db_connections)
    await database.start()
    cpu_before = [cpu_seconds(pid) for pid in pids]
    client_cpu = time.process_time()
    lags: list[float] = []
    lag_task = asyncio.create_task(loop_lag(lags))
    listeners = await open_all(jobs, batch=20)
    stats = RestStats()
    until = time.perf_counter() + args.seconds
    tasks = []
    readers = 0
    for setup, (editors, sent) in zip(setups, per_map, strict=True):
        tasks += [edit_loop(editor, args.rate, until, sent) for editor in editors]
        for token in setup.reader_tokens:
            client = HttpClient(rest_ports[readers % len(rest_ports)], token)
            readers += 1
            tasks.append(read_loop(client, setup, args.read_rate, until, stats))
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    # Let the tail arrive: a backlog shows as latency; only what never arrives is lost.
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and any(
        e.ws.close_code is None and len(e.received) < len(sent)
        for editors, sent in per_map
        for e in editors
    ):
        await asyncio.sleep(0.2)
    connections = await database.stop()
    cpu = [cpu_seconds(pid) - at for pid, at in zip(pids, cpu_before, strict=True)]
    client_cpu = time.process_time() - client_cpu
    lag_task.cancel()
    await sampler.stop()
    closed_early = sum(1 for editors, _ in per_map for e in editors if e.ws.close_code is not None)
    close_codes: dict[str, int] = {}
    for editors, _ in per_map:
        for e in editors:
            if e.ws.close_code is not None:
                key = f"{e.ws.close_code} {e.ws.close_reason}".strip()
                close_codes[key] = close_codes.get(key, 0) + 1
    for editors, _ in per_map:
        for e in editors:
            await e.ws.close()
    for task in listeners:
        task.cancel()

    propagation: list[float] = []
    acks: list[float] = []
    lost = duplicated = socket_errors = changes = unacknowledged = missed_closed = 0
    error_codes: dict[str, int] = {}
    in_order = True
    for editors, sent in per_map:
        changes += len(sent)
        for change_id, (author, at) in sent.items():
            if change_id not in editors[author].received and editors[author].ws.close_code:
                # Never acknowledged and the author's socket was closed: a real editor sends
                # it again after reconnecting. Not a loss, but counted.
                unacknowledged += 1
                continue
            for editor in editors:
                got = editor.received.get(change_id)
                if got is None and editor.ws.close_code is not None:
                    missed_closed += 1  # this peer's socket was closed by the server
                elif got is None:
                    lost += 1
                elif editor.index == author:
                    acks.append((got - at) * 1000)
                else:
                    propagation.append((got - at) * 1000)
        for editor in editors:
            duplicated += editor.duplicates
            socket_errors += editor.errors
            for code, count in editor.error_codes.items():
                error_codes[code] = error_codes.get(code, 0) + count
            in_order = in_order and editor.revisions == sorted(editor.revisions)
    rest_all = [v for values in stats.latencies.values() for v in values]
    return {
        "maps": len(setups),
        "editors_per_map": args.editors,
        "rate_per_editor": args.rate,
        "readers_per_map": args.readers,
        "read_rate_per_reader": args.read_rate,
        "seconds": round(elapsed, 1),
        "changes": changes,
        "changes_per_s": round(changes / elapsed, 1),
        "propagation": _ms(propagation),
        "ack": _ms(acks),
        "rest": _ms(rest_all),
        "rest_per_s": round(len(rest_all) / elapsed, 1),
        "map_not_modified": stats.not_modified,
        "rest_by_endpoint": {name: _ms(values) for name, values in stats.latencies.items()},
        "lost": lost,
        "unacknowledged_on_closed_sockets": unacknowledged,
        "missed_by_closed_sockets": missed_closed,
        "duplicated": duplicated,
        "socket_errors": socket_errors,
        "socket_error_codes": error_codes,
        "sockets_closed_early": closed_early,
        "close_codes": close_codes,
        "rest_errors": sum(stats.errors.values()),
        "rest_error_kinds": stats.errors,
        "in_order": in_order,
        "db_connections": connections,
        "peak_mb": {
            str(port): {k: round(v / 1024, 1) for k, v in sampler.peak[pid].items()}
            for port, pid in zip(ports, pids, strict=True)
        },
        "cpu_s": {str(port): round(c, 1) for port, c in zip(ports, cpu, strict=True)},
        "client_cpu_s": round(client_cpu, 1),
        "client_loop_lag": _ms(lags),
    }


async def idle(setups: list[MapSetup], count: int, pid: int) -> dict:
    raise_nofile(NOFILE)
    # Warm up: one socket and one request load everything a socket needs, then measure.
    warm = Editor(0, "")
    setup = setups[0]
    await warm.open(f"ws://127.0.0.1:{IDLE_PORT}/ws/maps/{setup.map_id}/", setup.editor_tokens[0])
    await warm.ws.close()
    await asyncio.sleep(2)
    before = memory_kb(pid)
    editors = []
    jobs = []
    for n in range(count):
        setup = setups[n % len(setups)]
        token = setup.editor_tokens[(n // len(setups)) % len(setup.editor_tokens)]
        editor = Editor(n, "")
        jobs.append((editor, f"ws://127.0.0.1:{IDLE_PORT}/ws/maps/{setup.map_id}/", token))
        editors.append(editor)
    began = time.perf_counter()
    listeners = await open_all(jobs, batch=50)
    connect_s = time.perf_counter() - began
    await asyncio.sleep(10)  # join/presence fan-out settles; sockets sit idle
    after = memory_kb(pid)
    connections = (await asyncio.to_thread(database_connections))[0]
    still_open = sum(1 for e in editors if e.ws.close_code is None)
    close_codes: dict[str, int] = {}
    for e in editors:
        if e.ws.close_code is not None:
            key = f"{e.ws.close_code} {e.ws.close_reason}".strip()
            close_codes[key] = close_codes.get(key, 0) + 1
    for batch in range(0, len(editors), 100):
        await asyncio.gather(*(e.ws.close() for e in editors[batch : batch + 100]))
    for task in listeners:
        task.cancel()
    return {
        "sockets": count,
        "maps": len(setups),
        "connect_s": round(connect_s, 1),
        "still_open": still_open,
        "close_codes": close_codes,
        "before_mb": {k: round(v / 1024, 1) for k, v in before.items()},
        "after_mb": {k: round(v / 1024, 1) for k, v in after.items()},
        "per_socket_kb": round((after["pss"] - before["pss"]) / count, 1),
        "db_connections": connections,
    }


def table(report: dict) -> str:
    lines = []
    b = report.get("busy")
    if b:
        lines.append(
            f"busy: {b['maps']} maps x {b['editors_per_map']} editors x {b['rate_per_editor']}/s"
            f" + {b['readers_per_map']} reader(s)/map x {b['read_rate_per_reader']}/s,"
            f" {b['seconds']} s, load average {report['load_before']} -> {report['load_after']}"
        )
        lines.append(f"{'what':<34}{'n':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        rows = [("socket propagation", b["propagation"]), ("socket ack (author)", b["ack"])]
        rows.append(("REST, all", b["rest"]))
        rows += [(f"REST {name}", v) for name, v in sorted(b["rest_by_endpoint"].items())]
        for name, v in rows:
            lines.append(
                f"{name:<34}{v['n']:>8}{v['p50_ms']:>10}{v['p99_ms']:>10}{v['max_ms']:>10}"
            )
        lines.append(
            f"changes {b['changes']} ({b['changes_per_s']}/s), REST {b['rest_per_s']}/s"
            f" (map reads answered 304: {b['map_not_modified']});"
            f" lost {b['lost']}, duplicated {b['duplicated']}, socket errors"
            f" {b['socket_errors']} {b['socket_error_codes'] or ''}, REST errors"
            f" {b['rest_errors']} {b['rest_error_kinds'] or ''}, closed early"
            f" {b['sockets_closed_early']} {b['close_codes'] or ''}"
            f" (their unacknowledged changes {b['unacknowledged_on_closed_sockets']},"
            f" changes they missed {b['missed_by_closed_sockets']}), in order {b['in_order']},"
            f" PostgreSQL connections: peak {b['db_connections']['peak_open']} open,"
            f" {b['db_connections']['sessions_opened']} opened; Redis clients on this database:"
            f" peak {b['db_connections']['redis_clients_peak']}"
        )
        lag = b["client_loop_lag"]
        lines.append(
            f"client (this process): CPU {b['client_cpu_s']} s, event-loop lag p50"
            f" {lag['p50_ms']} ms, p99 {lag['p99_ms']} ms, max {lag['max_ms']} ms"
        )
        for port, peak in b["peak_mb"].items():
            lines.append(
                f"uvicorn :{port} peak PSS {peak['pss']} MB, RSS {peak['rss']} MB,"
                f" CPU {b['cpu_s'][port]} s"
            )
    i = report.get("idle")
    if i:
        lines.append(
            f"idle: {i['sockets']} sockets on one process over {i['maps']} maps"
            f" (connected in {i['connect_s']} s, {i['still_open']} still open after 10 s"
            f"{', closed: ' + str(i['close_codes']) if i['close_codes'] else ''}):"
            f" PSS {i['before_mb']['pss']} -> {i['after_mb']['pss']} MB,"
            f" RSS {i['before_mb']['rss']} -> {i['after_mb']['rss']} MB,"
            f" {i['per_socket_kb']} KB PSS per socket; PostgreSQL connections"
            f" {i['db_connections']}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--maps", type=int, default=20)
    parser.add_argument("--editors", type=int, default=10, help="socket editors per map")
    parser.add_argument("--rate", type=float, default=0.5, help="changes/s per editor")
    parser.add_argument("--readers", type=int, default=1, help="REST readers per map")
    parser.add_argument("--read-rate", type=float, default=1.0, help="requests/s per reader")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--idle", type=int, default=1000, help="idle sockets (0: skip)")
    parser.add_argument("--skip-busy", action="store_true")
    parser.add_argument("--template", default="retail_example")
    parser.add_argument(
        "--rest-apart",
        action="store_true",
        help="serve the REST readers from a third process (port 8542), not the socket ones",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="the servers' sys.setswitchinterval in seconds (CPython's default: 0.005)",
    )
    parser.add_argument(
        "--max-db-connections",
        type=int,
        default=60,
        help="stop the run when more connections are open to the database",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("BENCH_LOAD_PORT_BASE", "8540")),
        help="first of the loopback ports the servers use (default 8540)",
    )
    args = parser.parse_args()
    use_ports(args.port_base)
    if args.quick:
        args.maps, args.editors, args.seconds = min(args.maps, 4), min(args.editors, 5), 10.0
        args.idle = min(args.idle, 100)
    require_services()
    setups = setup_maps(
        maps=args.maps, editors=args.editors, readers=args.readers, template=args.template
    )
    report: dict[str, Any] = {"load_before": round(os.getloadavg()[0], 2)}
    if not args.skip_busy:
        ports = BUSY_PORTS + ((REST_PORT,) if args.rest_apart else ())
        servers = start_servers(ports, switch_interval=args.switch_interval)
        try:
            asyncio.run(wait_for_ports(ports))
            report["busy"] = asyncio.run(busy(setups, args, [s.pid for s in servers]))
        except asyncio.CancelledError:
            raise SystemExit("stopped: too many database connections") from None
        finally:
            stop_servers(servers)
    if args.idle:
        servers = start_servers([IDLE_PORT], nofile=NOFILE)
        try:
            asyncio.run(wait_for_ports([IDLE_PORT]))
            report["idle"] = asyncio.run(idle(setups, args.idle, servers[0].pid))
        finally:
            stop_servers(servers)
    report["load_after"] = round(os.getloadavg()[0], 2)
    print(table(report))
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
