"""A live editor over a real WebSocket that behaves as static/js/editor/socket.js does, for
tests against uvicorn processes (tests/test_faults.py).

- Changes not yet acknowledged stay in `pending` and are sent again, with the same ids and in
  the same order, after every (re)connection; the acknowledgement is the `change` message with
  the change's id, live, in catch-up or answering a re-send.
- Changes are applied strictly in revision order; a skipped revision is fetched from
  GET …/changes/?since= first (and if that fails, the socket is reopened with ?since=).
- A closed socket is reopened with ?since=<last revision>, on the first of `servers` that
  answers (a load balancer in front of several processes); an `unavailable` or
  `rate_limited` error on a change sends it again a little later.
- `heartbeat` seconds between pings (socket.js: 20 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import requests
import websockets

RETRY_CODES = {"unavailable", "rate_limited"}


class Editor:
    def __init__(
        self, name: str, map_id: Any, token: str, servers: list[Any], *, heartbeat: float = 1.0
    ) -> None:
        self.name, self.map_id, self.token = name, str(map_id), token
        self.servers = servers  # tests.servers.AppServer, in order of preference
        self.heartbeat = heartbeat
        self.last: int | None = None
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.acknowledged: dict[str, int] = {}  # change id → its revision
        self.answers: dict[str, list[int]] = {}  # change id of ours → every revision answered
        self.applied: list[tuple[int, str]] = []  # (revision, change id), in order
        self.stages: dict[str, str] = {}
        self.errors: list[dict[str, Any]] = []
        self.closes: list[int | None] = []
        self.welcomes: list[dict[str, Any]] = []
        self.socket: Any = None
        self.server: Any = None
        self.online = asyncio.Event()
        self.online.set()
        self.reading = asyncio.Event()  # cleared: messages wait unread (then `cut` drops them)
        self.reading.set()
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", "Origin": "http://127.0.0.1"}

    # --- connection -----------------------------------------------------------------------

    def start(self) -> Editor:
        self._task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        self._stopped = True
        if self.socket is not None:
            await self.socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopped:
            await self.online.wait()
            socket = await self._open()
            if socket is None:
                await asyncio.sleep(0.2)
                continue
            beat = asyncio.create_task(self._beat(socket))
            try:
                async for text in socket:
                    await self.reading.wait()
                    if socket is not self.socket:
                        break  # cut off: what arrived after that is lost
                    await self._handle(json.loads(text))
            except websockets.ConnectionClosed:
                pass
            finally:
                beat.cancel()
                self.connected.clear()
                if socket is self.socket:
                    self.socket = None
                self.closes.append(socket.close_code)
            await asyncio.sleep(0.1)

    async def _open(self) -> Any:
        query = f"since={self.last}" if self.last is not None else ""
        for server in self.servers:
            try:
                socket = await websockets.connect(
                    server.socket_url(self.map_id, query),
                    additional_headers=self.headers,
                    open_timeout=5,
                )
            except (TimeoutError, OSError, websockets.InvalidHandshake):
                continue
            self.socket, self.server = socket, server
            return socket
        return None

    async def _beat(self, socket: Any) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                await socket.send('{"type":"ping"}')
            except websockets.ConnectionClosed:
                return

    async def ping(self) -> None:
        if self.socket is not None:
            await self.socket.send('{"type":"ping"}')

    def cut(self) -> None:
        """The network dies: no close handshake, and nothing more is read from this socket.
        The editor stays offline until `reconnect()`."""
        self.online.clear()
        if self.socket is not None:
            self.socket.transport.abort()
            self.socket = None

    def reconnect(self) -> None:
        self.online.set()

    # --- sending --------------------------------------------------------------------------

    async def send(self, ops: list[dict[str, Any]], change_id: str | None = None) -> str:
        change_id = change_id or str(uuid.uuid4())
        self.pending[change_id] = ops
        await self._write(change_id)
        return change_id

    async def _write(self, change_id: str) -> None:
        ops = self.pending.get(change_id)
        if ops is None or self.socket is None:
            return  # sent after the next welcome
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.socket.send(json.dumps({"type": "change", "id": change_id, "ops": ops}))

    async def rename(self, stage_id: str, name: str) -> str:
        return await self.send([{"type": "stage.update", "id": stage_id, "fields": {"name": name}}])

    # --- receiving ------------------------------------------------------------------------

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            self.welcomes.append(message)
            if self.last is None:
                self.last = message["revision"]
            for change_id in list(self.pending):
                await self._write(change_id)
            self.connected.set()
        elif kind == "change":
            await self._change(message)
        elif kind == "error":
            self.errors.append(message)
            refused = str(message.get("id"))
            if refused in self.pending:
                if message["code"] in RETRY_CODES:
                    asyncio.get_running_loop().call_later(
                        0.5, lambda: asyncio.ensure_future(self._write(refused))
                    )
                else:
                    del self.pending[refused]
        elif kind == "resync":
            raise AssertionError(f"{self.name}: unexpected resync {message}")

    async def _change(self, message: dict[str, Any]) -> None:
        assert self.last is not None
        if message["revision"] <= self.last:
            self._acknowledge(message)  # a re-sent change of ours, answered again
            return
        if message["revision"] > self.last + 1:
            try:
                await self._fill_gap(message["revision"] - 1)
            except requests.RequestException:
                if self.socket is not None:
                    await self.socket.close()  # catch up from the server instead
                return
        if message["revision"] == self.last + 1:
            self._apply(message)

    async def _fill_gap(self, upto: int) -> None:
        url = f"{self.server.url}/api/maps/{self.map_id}/changes/?since={self.last}"
        while url and self.last is not None and self.last < upto:
            body = await asyncio.to_thread(self._get_json, url)
            for change in body["results"]:
                if change["revision"] == self.last + 1 and change["revision"] <= upto:
                    self._apply(change)
            url = body.get("next")

    def _get_json(self, url: str) -> Any:
        response = requests.get(url, headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def _apply(self, change: dict[str, Any]) -> None:
        self.last = change["revision"]
        self.applied.append((change["revision"], change["id"]))
        for op in change["ops"]:
            if op["type"] == "stage.create":
                self.stages[op["id"]] = op["name"]
            elif op["type"] == "stage.update" and "name" in op["fields"]:
                self.stages[op["id"]] = op["fields"]["name"]
            elif op["type"] == "stage.delete":
                self.stages.pop(op["id"], None)
        self._acknowledge(change)

    def _acknowledge(self, change: dict[str, Any]) -> None:
        if change["id"] in self.pending or change["id"] in self.acknowledged:
            self.answers.setdefault(change["id"], []).append(change["revision"])
            self.pending.pop(change["id"], None)
            known = self.acknowledged.setdefault(change["id"], change["revision"])
            assert known == change["revision"], f"{change['id']} acknowledged twice, differently"

    # --- waiting --------------------------------------------------------------------------

    async def wait_until(
        self, condition: Callable[[], bool], what: str, seconds: float = 20
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(
                    f"{self.name}: {what} not within {seconds} s (last={self.last}, "
                    f"pending={len(self.pending)}, errors={self.errors[-3:]}, "
                    f"closes={self.closes[-3:]})"
                )
            await asyncio.sleep(0.05)

    async def settle(self, revision: int, seconds: float = 20) -> None:
        """Until every change of ours is acknowledged and we are at `revision`."""
        await self.wait_until(
            lambda: not self.pending and self.last == revision,
            f"caught up to {revision} with nothing pending",
            seconds,
        )
