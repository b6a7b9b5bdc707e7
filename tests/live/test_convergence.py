"""Convergence: simulated clients make seeded random concurrent changes over the socket, with
random disconnects and reconnects. At the end every client's copy equals the database's map,
no acknowledged change is lost and none is applied twice.

Each client behaves as static/js/editor/socket.js does: it keeps unacknowledged changes and
sends them again after reconnecting with `?since=`, applies changes strictly in revision order
and fetches a gap from GET /api/maps/{id}/changes/?since=.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from journeymap.asgi import application
from maps.models import Change

pytestmark = pytest.mark.django_db(transaction=True)


class Client:
    def __init__(self, name: str, map_id: str, token: str, api: Any, revision: int) -> None:
        self.name, self.map_id, self.token, self.api = name, map_id, token, api
        self.stages: dict[str, str] = {}
        self.last = revision
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.acknowledged: set[str] = set()
        self.applied: list[str] = []
        self.socket: WebsocketCommunicator | None = None

    async def connect(self) -> None:
        self.socket = WebsocketCommunicator(
            application,
            f"/ws/maps/{self.map_id}/?since={self.last}",
            headers=[
                (b"origin", b"http://localhost"),
                (b"authorization", f"Token {self.token}".encode()),
            ],
        )
        connected, _ = await self.socket.connect()
        assert connected
        assert (await self.socket.receive_json_from())["type"] == "welcome"
        for change_id, ops in self.pending.items():  # in the order they were made
            await self.socket.send_json_to({"type": "change", "id": change_id, "ops": ops})

    async def disconnect(self) -> None:
        assert self.socket is not None
        await self.socket.disconnect()
        self.socket = None

    async def edit(self, rng: random.Random, stage_ids: list[str]) -> None:
        change_id = str(uuid.uuid4())
        ops: list[dict[str, Any]]
        if rng.random() < 0.15:
            sid = str(uuid.uuid4())
            ops = [{"type": "stage.create", "id": sid, "name": "Mới", "position": f"b{sid[:6]}"}]
        else:
            name = f"{self.name}-{rng.randrange(1000)} Nhận thức"
            ops = [{"type": "stage.update", "id": rng.choice(stage_ids), "fields": {"name": name}}]
        self.pending[change_id] = ops
        if self.socket is not None:
            await self.socket.send_json_to({"type": "change", "id": change_id, "ops": ops})

    async def drain(self) -> None:
        while self.socket is not None and not await self.socket.receive_nothing(timeout=0.05):
            message = await self.socket.receive_json_from()
            if message["type"] == "change":
                await self.receive_change(message)
            elif message["type"] == "error":
                raise AssertionError(f"unexpected error {message}")

    async def receive_change(self, message: dict[str, Any]) -> None:
        if message["revision"] > self.last + 1:
            url = f"/api/maps/{self.map_id}/changes/?since={self.last}"
            body = await database_sync_to_async(lambda: self.api.get(url).json())()
            for change in body["results"]:
                if change["revision"] < message["revision"]:
                    self.apply(change)
        self.apply(message)

    def apply(self, change: dict[str, Any]) -> None:
        if change["id"] in self.pending and change["revision"] <= self.last:
            self.acknowledge(change["id"])  # a re-sent change answered again
        if change["revision"] != self.last + 1:
            return
        self.last = change["revision"]
        self.applied.append(change["id"])
        for op in change["ops"]:
            if op["type"] == "stage.create":
                self.stages[op["id"]] = op["name"]
            elif op["type"] == "stage.update":
                self.stages[op["id"]] = op["fields"]["name"]
        if change["id"] in self.pending:
            self.acknowledge(change["id"])

    def acknowledge(self, change_id: str) -> None:
        self.pending.pop(change_id, None)
        self.acknowledged.add(change_id)


@pytest.mark.parametrize("seed", [7, 2026])
async def test_random_concurrent_edits_with_reconnects_converge(
    seed: int, journey_map: Any, owner: Any, member: Any, client_for: Any
) -> None:
    from maps.services import apply_ops

    rng = random.Random(seed)
    stage_ids = [str(uuid.uuid4()) for _ in range(3)]
    ops = [
        {"type": "stage.create", "id": sid, "name": f"S{i}", "position": f"a{i}"}
        for i, sid in enumerate(stage_ids)
    ]
    applied = await database_sync_to_async(apply_ops)(
        map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops
    )
    tokens = [
        await database_sync_to_async(lambda u=user: Token.objects.get_or_create(user=u)[0].key)()
        for user in (owner, member, owner, member)
    ]
    apis = await database_sync_to_async(lambda: [client_for(owner), client_for(member)])()
    clients = []
    for index, token in enumerate(tokens):
        api = apis[index % 2]
        client = Client(f"c{index}", str(journey_map.pk), token, api, applied.revision)
        client.stages = {sid: f"S{i}" for i, sid in enumerate(stage_ids)}
        await client.connect()
        clients.append(client)
    for _ in range(15):
        for client in clients:
            roll = rng.random()
            if client.socket is None:
                if roll < 0.5:
                    await client.connect()
                else:
                    await client.edit(rng, stage_ids)  # offline edit, kept for later
            elif roll < 0.12:
                await client.disconnect()
            else:
                for _ in range(rng.randrange(1, 3)):
                    await client.edit(rng, stage_ids)
        for client in rng.sample(clients, len(clients)):
            await client.drain()
    for client in clients:
        if client.socket is None:
            await client.connect()
    for _ in range(40):
        for client in clients:
            await client.drain()
        if not any(client.pending for client in clients):
            break
    revision, server = await database_sync_to_async(
        lambda: (lambda doc: (doc["revision"], {s["id"]: s["name"] for s in doc["stages"]}))(
            apis[0].get(f"/api/maps/{journey_map.pk}/").json()
        )
    )()
    logged = await database_sync_to_async(
        lambda: [
            str(c)
            for c in Change.objects.filter(map=journey_map).values_list("change_id", flat=True)
        ]
    )()
    acknowledged = set().union(*(client.acknowledged for client in clients))
    assert not any(client.pending for client in clients)
    assert acknowledged <= set(logged)  # nothing acknowledged was lost
    assert len(logged) == len(set(logged))  # nothing applied twice
    for client in clients:
        assert client.last == revision
        assert client.stages == server
        assert len(client.applied) == len(set(client.applied))
    for client in clients:
        await client.disconnect()
