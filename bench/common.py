"""What the services-mode benchmarks share: uvicorn servers on loopback ports, a socket editor
that records when each change arrives, percentiles and per-process memory.

Used by bench/live_latency.py and bench/load.py. Import it after putting bench/ on sys.path
(a script run as `python bench/x.py` has it there already).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
ORIGIN = "http://127.0.0.1"


def require_services() -> None:
    """Exit with a message unless DATABASE_URL is PostgreSQL and REDIS_URL is set."""
    if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("services mode: set DATABASE_URL (PostgreSQL) and REDIS_URL")


def django_setup() -> None:
    import django

    django.setup()


@contextlib.contextmanager
def throwaway_database(prefix: str) -> Iterator[None]:
    """Django set up on an empty copy of DATABASE_URL's schema, `<prefix>_<db name>`, made by
    Django's test-database machinery and dropped on the way out: real data is never touched.
    Exits with a message unless DATABASE_URL is PostgreSQL."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (a throwaway copy is created).")
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    real_name = settings.DATABASES["default"]["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{prefix}_{real_name}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def raise_nofile(limit: int) -> int:
    """Raise this process's open-file limit towards `limit` (capped by the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return max(wanted, soft)


def start_servers(
    ports: Sequence[int],
    *,
    layer: str = "pubsub",
    nofile: int | None = None,
    switch_interval: float | None = None,
) -> list[subprocess.Popen[bytes]]:
    """One uvicorn process per port serving journeymap.asgi (DEBUG off), sharing the
    database and Redis of this process's environment. `nofile` raises each server's
    open-file limit (as `ulimit -n` would) for many sockets on one process;
    `switch_interval` sets the servers' sys.setswitchinterval (an experiment on GIL hand-offs
    between the event loop, the change thread and request threads)."""
    env = {**os.environ, "CHANNEL_LAYER": layer, "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50}
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    preexec: Callable[[], Any] | None = None
    if nofile is not None:
        limit = nofile

        def preexec() -> None:
            raise_nofile(limit)

    servers = []
    for port in ports:
        command = [sys.executable, "-m", "uvicorn", "journeymap.asgi:application"]
        if switch_interval is not None:
            bootstrap = (
                f"import sys; sys.setswitchinterval({switch_interval!r}); "
                "from uvicorn.main import main; main()"
            )
            command = [sys.executable, "-c", bootstrap, "journeymap.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        command += ["--lifespan", "off", "--ws-per-message-deflate", "false"]
        servers.append(subprocess.Popen(command, cwd=ROOT, env=env, preexec_fn=preexec))
    return servers


def stop_servers(servers: Sequence[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def wait_for_port(port: int) -> None:
    for _ in range(300):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


async def wait_for_ports(ports: Sequence[int]) -> None:
    for port in ports:
        await wait_for_port(port)


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile of sorted `values` (0.0 when empty)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * p))]


def memory_kb(pid: int) -> dict[str, int]:
    """PSS and RSS of a process in KiB, from /proc/<pid>/smaps_rollup."""
    found = {"pss": 0, "rss": 0}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                found[key.lower()] = int(rest.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes_named(*names: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() in names:
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def cpu_by_role(server_pids: Sequence[int]) -> dict[str, float]:
    """CPU seconds used so far by the servers, this process (the clients), PostgreSQL and
    Redis: two snapshots around a phase show where a run's CPU went."""

    def total(pids: Sequence[int]) -> float:
        seconds = 0.0
        for pid in pids:
            with contextlib.suppress(OSError):
                seconds += cpu_seconds(pid)
        return seconds

    return {
        "servers": total(server_pids),
        "clients": total([os.getpid()]),
        "postgres": total(_processes_named("postgres")),
        "redis": total(_processes_named("redis-server")),
    }


def cores_used(before: dict[str, float], after: dict[str, float], wall: float) -> dict[str, float]:
    """The CPU each role used between two cpu_by_role snapshots, in cores (1.0 = one core)."""
    return {role: round((after[role] - before[role]) / wall, 2) for role in before}


class MemorySampler:
    """Samples PSS/RSS of some processes every `interval` seconds and keeps the peaks."""

    def __init__(self, pids: Sequence[int], interval: float = 1.0) -> None:
        self.pids = list(pids)
        self.interval = interval
        self.peak = {pid: {"pss": 0, "rss": 0} for pid in self.pids}
        self.last = {pid: {"pss": 0, "rss": 0} for pid in self.pids}
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        for pid in self.pids:
            try:
                now = memory_kb(pid)
            except OSError:
                continue
            self.last[pid] = now
            for key in ("pss", "rss"):
                self.peak[pid][key] = max(self.peak[pid][key], now[key])

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self.sample()
        if self._task is not None:
            self._task.cancel()


class Editor:
    """A socket client on one map: records when each change id arrives (perf_counter)."""

    def __init__(self, index: int, stage: str) -> None:
        self.index = index
        self.stage = stage  # the object this editor edits (a stage or an item id)
        self.received: dict[str, float] = {}
        self.revisions: list[int] = []
        self.duplicates = 0
        self.errors = 0
        self.error_codes: dict[str, int] = {}
        self.ws: Any = None

    async def open(self, url: str, token: str) -> None:
        import websockets

        headers = {"Authorization": f"Token {token}", "Origin": ORIGIN}
        # No client pings, as in a browser (it only answers the server's pings): on a loaded
        # machine a client-side ping timeout would close sockets the server still serves.
        self.ws = await websockets.connect(
            url, additional_headers=headers, max_size=2**22, ping_interval=None
        )
        welcome = json.loads(await self.ws.recv())
        assert welcome["type"] == "welcome", welcome

    async def listen(self) -> None:
        """Record messages until the socket closes (a server-side close ends it quietly: the
        caller reads `ws.close_code`)."""
        import websockets

        with contextlib.suppress(websockets.ConnectionClosed):
            await self._listen()

    async def _listen(self) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "change":
                if message["id"] in self.received:
                    self.duplicates += 1
                self.received[message["id"]] = now
                self.revisions.append(message["revision"])
            elif message["type"] == "error":
                self.errors += 1
                code = str(message.get("code"))
                self.error_codes[code] = self.error_codes.get(code, 0) + 1
