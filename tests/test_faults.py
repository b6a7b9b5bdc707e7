"""Faults on the real servers: Redis restarted, PostgreSQL restarted, an ASGI process killed,
a client cut off mid-change. Editors are socket.js-like clients (tests/live_editor.py) on
uvicorn processes in services mode (tests/servers.py); each test starts its own servers and
never touches the shared ones.

A Celery worker killed mid-export is tests/exports/test_api.py::
test_a_job_whose_worker_dies_mid_render_is_delivered_again_and_finishes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import websockets
from rest_framework.authtoken.models import Token
from websockets.frames import Frame, Opcode

from live.services import CLOSE_TRY_AGAIN
from tests.live_editor import Editor
from tests.servers import (
    ROOT,
    AppServer,
    PostgresServer,
    RedisServer,
    free_port,
    shared_test_database_url,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Every server a test starts (app, private Redis, private PostgreSQL) is on a free_port().
TIMEOUT = 25  # seconds for any one wait


def rest(server: AppServer, token: str, method: str, path: str, body: Any = None) -> Any:
    return requests.request(
        method,
        f"{server.url}{path}",
        json=body,
        headers={"Authorization": f"Token {token}"},
        timeout=15,
    )


async def arest(server: AppServer, token: str, method: str, path: str, body: Any = None) -> Any:
    return await asyncio.to_thread(rest, server, token, method, path, body)


async def logged_revision(server: AppServer, token: str, map_id: Any, change_id: str) -> int | None:
    """The revision of `change_id` in the map's op log, read through REST, or None."""
    response = await arest(server, token, "GET", f"/api/maps/{map_id}/changes/?since=0&limit=500")
    found = [c["revision"] for c in response.json()["results"] if c["id"] == change_id]
    return found[0] if found else None


def stage_ops(count: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "stage.create",
            "id": str(uuid.uuid4()),
            "name": f"Giai đoạn {n}",
            "position": f"b{n:03d}",
        }
        for n in range(count)
    ]


class Setup:
    """A map with three stages, its owner's token, and the editors' starting point."""

    def __init__(self, journey_map: Any, owner: Any) -> None:
        from maps.services import apply_ops

        self.stage_ids = [str(uuid.uuid4()) for _ in range(3)]
        ops = [
            {"type": "stage.create", "id": sid, "name": f"S{i}", "position": f"a{i}"}
            for i, sid in enumerate(self.stage_ids)
        ]
        applied = apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
        self.map_id = str(journey_map.pk)
        self.revision = applied.revision
        self.token = Token.objects.create(user=owner).key
        self.journey_map = journey_map

    def editor(self, name: str, servers: list[AppServer], heartbeat: float = 1.0) -> Editor:
        editor = Editor(name, self.map_id, self.token, servers, heartbeat=heartbeat)
        editor.last = self.revision
        editor.stages = {sid: f"S{i}" for i, sid in enumerate(self.stage_ids)}
        return editor.start()

    def assert_nothing_lost(self, editors: list[Editor], made: list[str]) -> None:
        """Every change made is in the log exactly once; every editor saw every revision in
        order, and holds what the database holds."""
        from maps.models import Change

        log = list(
            Change.objects.filter(map=self.journey_map)
            .order_by("revision")
            .values_list("revision", "change_id")
        )
        ids = [str(change_id) for _, change_id in log]
        assert len(ids) == len(set(ids)), "a change was applied twice"
        assert set(made) <= set(ids), "a change was lost"
        revision_of = {str(change_id): revision for revision, change_id in log}
        names = {str(s.pk): s.name for s in self.journey_map.stages.all()}
        for editor in editors:
            assert not editor.pending, f"{editor.name} still has changes pending"
            seen = [revision for revision, _ in editor.applied]
            assert seen == list(range(self.revision + 1, log[-1][0] + 1)), editor.name
            assert editor.stages == names, editor.name
            for change_id, revision in editor.acknowledged.items():
                assert revision_of[change_id] == revision, "acknowledged with another revision"


@pytest.fixture
def setup(journey_map: Any, owner: Any) -> Setup:
    return Setup(journey_map, owner)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Any]]:
    """Whatever a test starts goes here; all of it is stopped afterwards, logs printed."""
    started: list[Any] = []
    yield started
    for server in reversed(started):
        server.stop()
        print(f"--- {server.name}\n{server.log_tail()}")


def app_on_test_database(tmp_path: Path, **env: str) -> AppServer:
    return AppServer(free_port(), tmp_path, DATABASE_URL=shared_test_database_url(), **env)


async def wait(condition: Any, what: str, seconds: float = TIMEOUT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"{what}: not within {seconds} s"
        await asyncio.sleep(0.05)


def closed_to_try_again(editor: Editor) -> Any:
    return lambda: CLOSE_TRY_AGAIN in editor.closes


async def connect_all(*editors: Editor) -> None:
    for editor in editors:
        await asyncio.wait_for(editor.connected.wait(), TIMEOUT)


# --- 1. Redis restarted mid-session ------------------------------------------------------


def test_editors_reconnect_and_lose_nothing_while_redis_restarts_and_rest_keeps_working(
    setup: Setup, servers: list[Any], tmp_path: Path
) -> None:
    redis = RedisServer(free_port(), tmp_path).start()
    servers.append(redis)
    app = app_on_test_database(tmp_path, REDIS_URL=redis.url).start()
    servers.append(app)
    made: list[str] = []

    async def scenario() -> list[Editor]:
        a, b = setup.editor("a", [app]), setup.editor("b", [app])
        quiet = setup.editor("quiet", [app], heartbeat=3600)  # sends no ping in this test
        await connect_all(a, b, quiet)
        s0, s1, s2 = setup.stage_ids
        made.extend([await a.rename(s0, "A trước"), await b.rename(s1, "B trước")])
        for editor in (a, b, quiet):
            await editor.settle(setup.revision + 2)

        await asyncio.to_thread(redis.stop)
        document = await arest(app, setup.token, "GET", f"/api/maps/{setup.map_id}/")
        assert document.status_code == 200, document.text
        assert document.json()["revision"] == setup.revision + 2
        rest_id = str(uuid.uuid4())
        change = {
            "id": rest_id,
            "ops": [{"type": "stage.update", "id": s2, "fields": {"name": "REST"}}],
        }
        response = await arest(
            app, setup.token, "POST", f"/api/maps/{setup.map_id}/changes/", change
        )
        assert response.status_code == 200, response.text
        assert response.json()["revision"] == setup.revision + 3
        made.append(rest_id)
        # An export cannot be queued without the broker: 503, and no job left waiting forever.
        exports = f"/api/maps/{setup.map_id}/exports/"
        response = await arest(app, setup.token, "POST", exports, {"format": "pdf"})
        assert response.status_code == 503 and response.json()["code"] == "unavailable"
        assert (await arest(app, setup.token, "GET", exports)).json()["results"] == []
        made.append(await a.rename(s0, "A trong lúc Redis tắt"))
        # Their heartbeats meet the outage: each socket is told and closed with 1013 …
        for editor in (a, b):
            await editor.wait_until(closed_to_try_again(editor), "a 1013 close")
            assert any(error["code"] == "unavailable" for error in editor.errors)
        made.append(await b.rename(s1, "B ngoại tuyến"))  # … and edits go on, kept pending
        # A change on a socket that has not noticed: applied, but Redis cannot carry its
        # acknowledgement, so that socket is closed too and the editor catches up later.
        made.append(await quiet.rename(s2, "Quiet trong lúc Redis tắt"))
        await quiet.wait_until(closed_to_try_again(quiet), "a 1013 close")
        await asyncio.sleep(0.5)

        await asyncio.to_thread(redis.start)
        for editor in (a, b, quiet):
            await editor.settle(setup.revision + 6, TIMEOUT)
        # Live again, not only catch-up: a change reaches the others over the group.
        made.append(await b.rename(s2, "B sau"))
        for editor in (a, b, quiet):
            await editor.settle(setup.revision + 7)

        # A short outage that an idle socket does not notice: the REST change made meanwhile
        # was never broadcast, and no later change reveals the gap; its next heartbeat does.
        await asyncio.to_thread(redis.stop)
        rest_id = str(uuid.uuid4())
        change = {
            "id": rest_id,
            "ops": [{"type": "stage.update", "id": s0, "fields": {"name": "R2"}}],
        }
        response = await arest(
            app, setup.token, "POST", f"/api/maps/{setup.map_id}/changes/", change
        )
        assert response.status_code == 200, response.text
        made.append(rest_id)
        await asyncio.to_thread(redis.start)
        # Within a heartbeat, whether they noticed the outage or not. The quiet socket, which
        # sends no ping, gets it too: a heartbeat repairs the map's room (live/rooms.py).
        for editor in (a, b, quiet):
            await editor.settle(setup.revision + 8, TIMEOUT)
        for editor in (a, b, quiet):
            await editor.stop()
        return [a, b, quiet]

    editors = asyncio.run(scenario())
    setup.assert_nothing_lost(editors, made)


# --- 2. PostgreSQL restarted ---------------------------------------------------------------


def manage(database_url: str, *args: str, **env: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


def test_a_postgresql_restart_answers_503_and_socket_errors_then_everything_recovers(
    servers: list[Any], tmp_path: Path
) -> None:
    postgres = PostgresServer(free_port()).init()
    try:
        manage(postgres.url, "migrate", "--noinput", "-v0")
        password = "faults-pw-" + uuid.uuid4().hex[:8]
        manage(
            postgres.url,
            "createsuperuser",
            "--noinput",
            "--username=lan",
            "--email=lan@example.com",
            DJANGO_SUPERUSER_PASSWORD=password,
        )
        app = AppServer(free_port(), tmp_path, DATABASE_URL=postgres.url).start()
        servers.append(app)
        token = requests.post(
            f"{app.url}/api/auth/token/", json={"username": "lan", "password": password}, timeout=15
        ).json()["token"]
        workspace = rest(app, token, "POST", "/api/workspaces/", {"name": "Nhóm"}).json()
        created = rest(
            app, token, "POST", "/api/maps/", {"workspace": workspace["id"], "title": "Hành trình"}
        )
        assert created.status_code == 201, created.text
        asyncio.run(postgres_restart(app, postgres, token, created.json()["id"]))
    finally:
        postgres.destroy()


async def postgres_restart(
    app: AppServer, postgres: PostgresServer, token: str, map_id: str
) -> None:
    editor = Editor("lan", map_id, token, [app]).start()
    await connect_all(editor)
    revision = editor.last
    assert revision is not None
    stage = str(uuid.uuid4())
    await editor.send(
        [{"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"}]
    )
    await editor.settle(revision + 1)

    await asyncio.to_thread(postgres.stop)
    for method, path, body in [
        ("GET", f"/api/maps/{map_id}/", None),
        (
            "POST",
            f"/api/maps/{map_id}/changes/",
            {
                "id": str(uuid.uuid4()),
                "ops": [{"type": "stage.update", "id": stage, "fields": {"name": "REST"}}],
            },
        ),
        ("GET", "/api/workspaces/", None),
    ]:
        response = await arest(app, token, method, path, body)
        assert response.status_code == 503, (path, response.status_code, response.text)
        assert response.json()["code"] == "unavailable"
        assert int(response.headers["Retry-After"]) > 0
    health = await asyncio.to_thread(requests.get, f"{app.url}/healthz", timeout=15)
    assert health.status_code == 503

    # The open socket: a change gets an `unavailable` error, not a crash; the socket stays.
    during = await editor.rename(stage, "Cân nhắc")
    await editor.wait_until(
        lambda: any(e["id"] == during and e["code"] == "unavailable" for e in editor.errors),
        "an unavailable error for the change",
    )
    assert editor.socket is not None and during in editor.pending
    # A new socket: told `unavailable`, closed with 1013 (try again later).
    headers = {"Authorization": f"Token {token}", "Origin": "http://127.0.0.1"}
    async with websockets.connect(app.socket_url(map_id), additional_headers=headers) as probe:
        message = json.loads(await asyncio.wait_for(probe.recv(), TIMEOUT))
        assert message["type"] == "error" and message["code"] == "unavailable"
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(probe.recv(), TIMEOUT)
        assert probe.close_code == CLOSE_TRY_AGAIN

    await asyncio.to_thread(postgres.start)
    # The editor sends the change again until the database takes it: applied once.
    await editor.settle(revision + 2, TIMEOUT)
    document = (await arest(app, token, "GET", f"/api/maps/{map_id}/")).json()
    assert document["revision"] == revision + 2
    assert [s["name"] for s in document["stages"]] == ["Cân nhắc"]
    async with websockets.connect(app.socket_url(map_id), additional_headers=headers) as fresh:
        welcome = json.loads(await asyncio.wait_for(fresh.recv(), TIMEOUT))
        assert welcome["type"] == "welcome" and welcome["revision"] == revision + 2
    assert editor.closes == [], "the editor's socket lived through the outage"
    await editor.stop()


# --- 4. One of two ASGI processes killed -----------------------------------------------------


def test_editors_of_a_killed_process_reconnect_to_the_other_and_lose_nothing(
    setup: Setup, servers: list[Any], tmp_path: Path
) -> None:
    # Presence expires after 3 s without a heartbeat here (45 s by default), so the test can
    # see the dead process's sessions go.
    first = app_on_test_database(tmp_path, LIVE_PRESENCE_TTL="3").start()
    second = app_on_test_database(tmp_path, LIVE_PRESENCE_TTL="3").start()
    servers.extend([first, second])
    made: list[str] = []
    unacknowledged: list[str] = []

    async def scenario() -> list[Editor]:
        a = setup.editor("a", [first, second])  # the balancer sends A to the first process
        b = setup.editor("b", [second, first])
        await connect_all(a, b)
        assert a.server is first and b.server is second
        s0, s1, s2 = setup.stage_ids
        made.extend([await a.rename(s0, "A1"), await b.rename(s1, "B1"), await a.rename(s2, "A2")])
        for editor in (a, b):
            await editor.settle(setup.revision + 3)
        old_session = a.welcomes[-1]["you"]["session"]

        # A change applied whose acknowledgement A never reads, then a burst still in flight
        # when the process dies.
        a.reading.clear()
        unacknowledged.append(await a.rename(s0, "A applied, not acknowledged"))
        await wait_logged(second, setup, unacknowledged[0])
        for n in range(5):
            unacknowledged.append(await a.rename(s2, f"A burst {n}"))
        first.kill()
        a.cut()
        a.reading.set()
        made.extend(unacknowledged)
        made.append(await a.rename(s1, "A offline"))
        made.append(await b.rename(s2, "B while A is away"))
        a.reconnect()
        final = setup.revision + 3 + 1 + 5 + 1 + 1
        for editor in (a, b):
            await editor.settle(final, TIMEOUT)
        assert a.server is second
        # The change applied before the crash was answered again with its first revision.
        revision = await logged_revision(second, setup.token, setup.map_id, unacknowledged[0])
        assert a.acknowledged[unacknowledged[0]] == revision

        # Presence: the dead process's session expires; the living ones stay.
        await asyncio.sleep(3.5)
        headers = {"Authorization": f"Token {setup.token}", "Origin": "http://127.0.0.1"}
        async with websockets.connect(
            second.socket_url(setup.map_id), additional_headers=headers
        ) as probe:
            welcome = json.loads(await asyncio.wait_for(probe.recv(), TIMEOUT))
        peers = {peer["session"] for peer in welcome["peers"]}
        assert old_session not in peers
        assert peers == {a.welcomes[-1]["you"]["session"], b.welcomes[-1]["you"]["session"]}
        for editor in (a, b):
            await editor.stop()
        return [a, b]

    editors = asyncio.run(scenario())
    setup.assert_nothing_lost(editors, made)


async def wait_logged(server: AppServer, setup: Setup, change_id: str) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while (revision := await logged_revision(server, setup.token, setup.map_id, change_id)) is None:
        assert loop.time() < deadline, f"{change_id} never reached the log"
        await asyncio.sleep(0.05)
    return revision


# --- 5. A client cut off mid-change ----------------------------------------------------------


def test_a_change_cut_off_midway_is_all_or_nothing_and_the_client_learns_which(
    setup: Setup, servers: list[Any], tmp_path: Path
) -> None:
    app = app_on_test_database(tmp_path).start()
    servers.append(app)
    made: list[str] = []

    async def stage_count(ops: list[dict[str, Any]]) -> int:
        document = (await arest(app, setup.token, "GET", f"/api/maps/{setup.map_id}/")).json()
        ids = {op["id"] for op in ops}
        return sum(1 for stage in document["stages"] if stage["id"] in ids)

    async def scenario() -> list[Editor]:
        editor = setup.editor("a", [app])
        await connect_all(editor)
        revision = setup.revision

        # 1. Cut in the middle of the message: half a frame arrives, nothing is applied;
        #    the client sees no catch-up for it, sends it again and gets it applied once.
        ops = stage_ops(30)
        change_id = str(uuid.uuid4())
        editor.pending[change_id] = ops
        text = json.dumps({"type": "change", "id": change_id, "ops": ops}).encode()
        frame = Frame(Opcode.TEXT, text).serialize(mask=True)
        editor.socket.transport.write(frame[: len(frame) // 2])
        editor.cut()
        await asyncio.sleep(0.5)
        assert await logged_revision(app, setup.token, setup.map_id, change_id) is None
        assert await stage_count(ops) == 0
        editor.reconnect()
        revision += 1
        await editor.settle(revision)
        assert editor.answers[change_id] == [revision]
        made.append(change_id)

        # 2. Cut right after sending: applied or not, never in part; afterwards the client
        #    knows the one revision it got.
        ops = stage_ops(30)
        change_id = await editor.send(ops)
        editor.cut()
        for _ in range(10):
            assert await stage_count(ops) in {0, len(ops)}
            await asyncio.sleep(0.05)
        editor.reconnect()
        revision += 1
        await editor.settle(revision)
        assert await stage_count(ops) == len(ops)
        assert set(editor.answers[change_id]) == {revision}
        made.append(change_id)

        # 3. Cut after the server applied it, before the acknowledgement was read: the
        #    catch-up (?since=) brings it, and re-sending the id is answered with the same
        #    revision instead of applying it again.
        editor.reading.clear()
        ops = stage_ops(30)
        change_id = await editor.send(ops)
        logged = await wait_logged(app, setup, change_id)
        editor.cut()
        editor.reading.set()
        editor.reconnect()
        revision += 1
        await editor.settle(revision)
        await editor.wait_until(lambda: len(editor.answers[change_id]) >= 2, "the duplicate answer")
        assert editor.answers[change_id] == [logged, logged] and logged == revision
        made.append(change_id)
        await editor.stop()
        return [editor]

    editors = asyncio.run(scenario())
    setup.assert_nothing_lost(editors, made)
