"""Map rooms (live/rooms.py): one subscriber per map and process that hands its sockets the
map's changes in revision order, reading a gap from the op log once for all of them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from journeymap.asgi import application
from live import consumers, rooms
from live import services as live
from live.rooms import room_join, room_leave
from maps import services

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A socket as a room sees it."""

    def __init__(self, session: str = "", user: int | None = None) -> None:
        self.session = session or uuid.uuid4().hex[:16]
        self.credentials = live.Credentials(user=user)
        self.got: list[tuple[int | None, str]] = []
        self.verdicts: list[live.Verdict] = []

    def room_deliver(self, revision: int | None, text: str) -> None:
        self.got.append((revision, text))

    def room_review(self, verdict: live.Verdict, epoch: int) -> None:
        self.verdicts.append(verdict)

    def revisions(self) -> list[int | None]:
        return [revision for revision, _ in self.got]


@database_sync_to_async
def apply_unbroadcast(journey_map: Any, actor: Any, count: int) -> list[int]:
    """Changes committed whose broadcast was lost on the way (the layer dropped it)."""
    real, services.broadcast = services.broadcast, lambda **kwargs: None
    try:
        op = {"type": "stage.create", "name": "Nhận thức", "position": "a0"}
        return [
            services.apply_ops(
                map_id=journey_map.pk,
                actor=actor,
                change_id=uuid.uuid4(),
                ops=[{**op, "id": str(uuid.uuid4())}],
            ).revision
            for _ in range(count)
        ]
    finally:
        services.broadcast = real


def count_log_reads(monkeypatch: Any) -> list[tuple[int, int | None]]:
    reads: list[tuple[int, int | None]] = []
    real = live.changes_between

    def counted(*, map_id: uuid.UUID, after: int, upto: int | None = None) -> Any:
        reads.append((after, upto))
        return real(map_id=map_id, after=after, upto=upto)

    monkeypatch.setattr(live, "changes_between", counted)
    return reads


async def until(condition: Any, seconds: float = 3) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_sockets_on_a_map_share_one_room_that_goes_when_the_last_leaves(
    journey_map: Any,
) -> None:
    first, second = Listener(), Listener()
    room = await room_join(map_id=journey_map.pk, listener=first)
    assert await room_join(map_id=journey_map.pk, listener=second) is room
    assert room.last == journey_map.revision

    room_leave(room=room, listener=first)
    assert rooms._ROOMS[journey_map.pk] is room
    room_leave(room=room, listener=second)
    assert journey_map.pk not in rooms._ROOMS and room.closed


async def test_changes_that_arrive_out_of_order_are_handed_on_in_order(journey_map: Any) -> None:
    listener = Listener()
    room = await room_join(map_id=journey_map.pk, listener=listener)
    start = room.last

    room.feed([(start + 2, "b", 0), (start + 3, "c", 0)])
    assert listener.got == []  # held: the one before them is on its way
    room.feed([(start + 1, "a", 0), (start + 2, "b", 0)])

    assert listener.got == [(start + 1, "a"), (start + 2, "b"), (start + 3, "c")]
    room.feed([(start + 2, "b", 0)])  # seen before: not again
    assert len(listener.got) == 3
    room_leave(room=room, listener=listener)


async def test_a_missing_change_that_arrives_in_time_is_not_read_from_the_log(
    journey_map: Any, monkeypatch: Any
) -> None:
    reads = count_log_reads(monkeypatch)
    listener = Listener()
    room = await room_join(map_id=journey_map.pk, listener=listener)
    start = room.last

    room.feed([(start + 2, "b", 0)])
    await asyncio.sleep(rooms.GAP_WAIT / 4)
    room.feed([(start + 1, "a", 0)])
    await asyncio.sleep(rooms.GAP_WAIT * 2)

    assert listener.revisions() == [start + 1, start + 2]
    assert reads == []
    room_leave(room=room, listener=listener)


async def test_a_lost_change_is_read_from_the_log_once_for_every_socket_of_the_room(
    journey_map: Any, owner: Any, monkeypatch: Any
) -> None:
    reads = count_log_reads(monkeypatch)
    listeners = [Listener() for _ in range(3)]
    room = await room_join(map_id=journey_map.pk, listener=listeners[0])
    for listener in listeners[1:]:
        await room_join(map_id=journey_map.pk, listener=listener)
    lost, late = await apply_unbroadcast(journey_map, owner, 2)

    room.feed([(late, "late", 0)])  # the next change reveals the gap
    await until(lambda: len(listeners[2].got) == 2)

    assert reads == [(lost - 1, lost)]
    for listener in listeners:
        assert listener.revisions() == [lost, late]
        assert f'"revision":{lost}' in listener.got[0][1]
    for listener in listeners:
        room_leave(room=room, listener=listener)


async def test_a_heartbeat_brings_a_change_whose_broadcast_was_lost(
    journey_map: Any, owner: Any
) -> None:
    listener = Listener()
    room = await room_join(map_id=journey_map.pk, listener=listener)
    (lost,) = await apply_unbroadcast(journey_map, owner, 1)

    room.repair(upto=lost)  # what a socket's ping does when the map is ahead of the room
    await until(lambda: listener.got != [])

    assert listener.revisions() == [lost]
    room_leave(room=room, listener=listener)


async def test_presence_goes_to_every_socket_of_the_room_but_its_sender(journey_map: Any) -> None:
    sender, peer = Listener("sender"), Listener("peer")
    room = await room_join(map_id=journey_map.pk, listener=sender)
    await room_join(map_id=journey_map.pk, listener=peer)
    layer = consumers.get_channel_layer()

    event = {"type": "map.message", "text": '{"type":"presence"}', "session": "sender"}
    await layer.group_send(f"map.{journey_map.pk}", event)
    await until(lambda: peer.got != [])

    assert peer.got == [(None, '{"type":"presence"}')] and sender.got == []
    for listener in (sender, peer):
        room_leave(room=room, listener=listener)


async def test_a_socket_that_reads_slower_than_the_map_changes_is_closed_to_try_again(
    journey_map: Any, owner: Any, monkeypatch: Any
) -> None:
    from rest_framework.authtoken.models import Token

    token = await database_sync_to_async(lambda: Token.objects.get_or_create(user=owner)[0].key)()
    socket = WebsocketCommunicator(
        application,
        f"/ws/maps/{journey_map.pk}/",
        headers=[(b"origin", b"http://localhost"), (b"authorization", f"Token {token}".encode())],
    )
    assert (await socket.connect())[0]
    welcome = await socket.receive_json_from()
    monkeypatch.setattr(consumers, "OUTBOX_LIMIT", 3)
    room = rooms._ROOMS[journey_map.pk]

    # More changes at once than the socket may have waiting: all handed over before it sends.
    room.feed([(welcome["revision"] + n, "{}", 0) for n in range(1, 6)])

    closed = await socket.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": live.CLOSE_TRY_AGAIN}
    assert journey_map.pk not in rooms._ROOMS  # it left the room at once
    await socket.disconnect()
