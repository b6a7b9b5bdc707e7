"""Two ASGI server processes sharing PostgreSQL and Redis: a change made through one reaches
sockets on the other, and every socket sees the same changes in the same order."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from tests.servers import AppServer, free_port, shared_test_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[AppServer]]:
    started: list[AppServer] = []
    try:
        for _ in range(2):
            url = shared_test_database_url()
            started.append(AppServer(free_port(), tmp_path, DATABASE_URL=url))
            started[-1].start()
        yield started
    finally:
        for server in started:
            server.stop()


async def two_servers_exchange(
    ports: list[int], map_id: str, token: str, stages: list[str]
) -> list[list[str]]:
    import websockets

    headers = {"Authorization": f"Token {token}", "Origin": "http://127.0.0.1"}
    sockets = [
        await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/maps/{map_id}/", additional_headers=headers
        )
        for port in ports * 2
    ]
    for socket in sockets:
        assert json.loads(await socket.recv())["type"] == "welcome"
    per_socket = 5
    expected = per_socket * len(sockets)
    seen: list[list[str]] = [[] for _ in sockets]

    async def listen(index: int) -> None:
        while len(seen[index]) < expected:
            message = json.loads(await sockets[index].recv())
            if message["type"] == "change":
                seen[index].append(message["id"])

    async def write(index: int) -> None:
        for n in range(per_socket):
            op = {"type": "stage.update", "id": stages[index], "fields": {"name": f"{index}-{n}"}}
            await sockets[index].send(
                json.dumps({"type": "change", "id": str(uuid.uuid4()), "ops": [op]})
            )

    listeners = [asyncio.create_task(listen(i)) for i in range(len(sockets))]
    await asyncio.gather(*(write(i) for i in range(len(sockets))))
    await asyncio.wait_for(asyncio.gather(*listeners), timeout=30)
    for socket in sockets:
        await socket.close()
    return seen


def test_clients_on_two_processes_see_each_others_changes_in_the_same_order(
    servers: list[AppServer], journey_map: Any, owner: Any
) -> None:
    from maps.services import apply_ops

    stages = [str(uuid.uuid4()) for _ in range(4)]
    ops = [
        {"type": "stage.create", "id": sid, "name": f"S{i}", "position": f"a{i}"}
        for i, sid in enumerate(stages)
    ]
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    token = Token.objects.create(user=owner).key
    ports = [server.port for server in servers]
    seen = asyncio.run(two_servers_exchange(ports, str(journey_map.pk), token, stages))
    assert len(seen[0]) == 20 and len(set(seen[0])) == 20
    assert all(order == seen[0] for order in seen)
    logged = list(journey_map.changes.order_by("revision").values_list("change_id", flat=True))
    assert [str(change_id) for change_id in logged[-20:]] == seen[0]
