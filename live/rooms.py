"""Map rooms: one subscriber per map and process, between the channel layer and the sockets.

Every socket on a map (live/consumers.py) used to hold its own channel-layer subscription, so
each batch of changes was one channel-layer message and one consumer dispatch per socket, and
a socket that saw revisions out of order read the gap from the op log itself: 12 sockets on a
process, 12 queries. Changes committed by two processes can reach Redis out of order (the first
to commit may publish second, its event loop being busy), which at a few hundred changes a
second happened all the time: the gap reads were a third of a server's CPU.

A room subscribes once per process, puts the map's changes in revision order and hands each
one to its sockets (`RoomListener.room_deliver`). A revision that arrives ahead of a missing
one is held for GAP_WAIT, the time the other process's publish normally needs; only if the
missing changes are still not there are they read from the op log, once for the whole room.
The changes a process applies itself are handed to its room at once (`room_feed`), before
they make the round trip through Redis, whose copy is then skipped.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from journeymap.outages import OUTAGES
from live import services

logger = logging.getLogger(__name__)

GAP_WAIT = 0.02  # seconds a revision waits for the ones before it before the op log is read
REPAIR_RETRY = 1.0  # seconds before reading the op log again when the database was down


class RoomListener(Protocol):
    """What a room needs of a socket: both called synchronously, in the room's order."""

    session: str

    def room_deliver(self, revision: int | None, text: str) -> None: ...

    def room_notice(self, event: dict[str, Any]) -> None: ...


class MapRoom:
    def __init__(self, map_id: uuid.UUID, loop: asyncio.AbstractEventLoop) -> None:
        self.map_id, self.loop = map_id, loop
        self.group = f"map.{map_id}"
        self.listeners: set[RoomListener] = set()
        self.last = 0  # the highest revision handed to the listeners, all before it handed too
        self.held: dict[int, str] = {}  # revisions that arrived ahead of a missing one
        self.closed = False
        self.opening: asyncio.Task[None] = loop.create_task(self._open())
        self._channel: str | None = None
        self._listening: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._repairing: asyncio.Task[None] | None = None

    async def _open(self) -> None:
        layer = get_channel_layer()
        self._channel = await layer.new_channel()
        await layer.group_add(self.group, self._channel)
        # Read after subscribing: every later revision reaches the room through the group.
        self.last = await database_sync_to_async(services.map_revision)(map_id=self.map_id)
        self._listening = self.loop.create_task(self._listen(layer, self._channel))

    async def _listen(self, layer: Any, channel: str) -> None:
        while True:
            event = await layer.receive(channel)
            try:
                self._dispatch(event)
            except Exception:  # one malformed event must not end the map's subscription
                logger.exception("map room %s: bad event %r", self.map_id, event.get("type"))

    def _dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "map.changes":
            self.feed(event["changes"])
        elif kind == "map.message" and event.get("revision") is not None:
            self.feed([(event["revision"], event["text"])])
        elif kind == "map.message":
            # Presence: to everyone on the map but the socket it came from.
            for listener in list(self.listeners):
                if listener.session != event.get("session"):
                    listener.room_deliver(None, event["text"])
        else:
            for listener in list(self.listeners):
                listener.room_notice(event)

    def feed(self, changes: Iterable[tuple[int, str] | list[Any]]) -> None:
        """Applied changes as (revision, text), in any order and possibly seen before."""
        for revision, text in changes:
            if revision > self.last:
                self.held[revision] = text
        self._release()

    def _release(self, wait: float = GAP_WAIT) -> None:
        while self.last + 1 in self.held:
            self.last += 1
            text = self.held.pop(self.last)
            for listener in list(self.listeners):
                listener.room_deliver(self.last, text)
        if not self.held:
            self._cancel_timer()
        elif self._timer is None and self._repairing is None:
            self._timer = self.loop.call_later(wait, self.repair)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def repair(self, upto: int | None = None) -> None:
        """Read what is missing from the op log: up to the first held revision, or to `upto`
        (a revision the database has that the room may not have heard of: a lost message)."""
        self._timer = None
        if self.closed or self._repairing is not None:
            return
        if self.held:
            upto = min(self.held) - 1
        if upto is None or upto <= self.last:
            self._release()
            return
        self._repairing = self.loop.create_task(self._read_log(after=self.last, upto=upto))

    async def _read_log(self, *, after: int, upto: int) -> None:
        try:
            texts = await database_sync_to_async(services.changes_between)(
                map_id=self.map_id, after=after, upto=upto
            )
        except OUTAGES as error:
            logger.warning("map room %s: cannot read the op log: %s", self.map_id, error)
            texts = []
        finally:
            self._repairing = None
        for revision, text in texts:
            if revision > self.last:
                self.held[revision] = text
        # Still a gap (the database was down, or the map is gone): try again, less often.
        self._release(wait=REPAIR_RETRY)

    @property
    def listening(self) -> bool:
        """Subscribed, its first revision read, and not closed."""
        return self._listening is not None and not self.closed

    async def close(self) -> None:
        self.closed = True
        self._cancel_timer()
        for task in (self._repairing, self._listening, self.opening):
            if task is not None:
                task.cancel()
        if self._channel is not None:
            try:
                await get_channel_layer().group_discard(self.group, self._channel)
            except OUTAGES as error:
                logger.warning("map room %s: leaving the group: %s", self.map_id, error)


_ROOMS: dict[uuid.UUID, MapRoom] = {}


async def room_join(*, map_id: uuid.UUID, listener: RoomListener) -> MapRoom:
    """The map's room in this process, subscribed, with `listener` in it. Raises the outage
    that kept the room from subscribing."""
    loop = asyncio.get_running_loop()
    room = _ROOMS.get(map_id)
    if room is None or room.loop is not loop:  # (a room left by a closed event loop, in tests)
        room = _ROOMS[map_id] = MapRoom(map_id, loop)
    room.listeners.add(listener)
    try:
        await asyncio.shield(room.opening)
    except BaseException:
        room_leave(room=room, listener=listener)
        raise
    return room


def room_leave(*, room: MapRoom, listener: RoomListener) -> None:
    room.listeners.discard(listener)
    if room.listeners or room.closed:
        return
    if _ROOMS.get(room.map_id) is room:
        del _ROOMS[room.map_id]
    room.closed = True
    room.loop.create_task(room.close())


def room_feed(*, map_id: uuid.UUID, changes: list[tuple[int, str]]) -> None:
    """Changes this process just committed, to its own sockets without the trip through Redis."""
    room = _ROOMS.get(map_id)
    if room is not None and room.listening and room.loop is asyncio.get_running_loop():
        room.feed(changes)
