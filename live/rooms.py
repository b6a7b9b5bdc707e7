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

A room also keeps its sockets to those who may still read the map (live/revocation.py). Each
change carries the map's access epoch it was committed under; before the room hands on the
first change of an epoch newer than the one it last checked, and whenever ACCESS_CHANGED
arrives, it asks the database who may still read (`services.access_review`, one round for
the whole room) and holds every delivery, presence included, until each socket has its
verdict: the revoked leave the room before anything that followed the revocation is handed on.
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
from live.revocation import ACCESS_CHANGED

logger = logging.getLogger(__name__)

RECONNECT = services.Verdict(close=services.CLOSE_TRY_AGAIN, reason="try_again")
GAP_WAIT = 0.02  # seconds a revision waits for the ones before it before the op log is read
REPAIR_RETRY = 1.0  # seconds before reading the op log again when the database was down


class RoomListener(Protocol):
    """What a room needs of a socket: called synchronously, in the room's order."""

    session: str
    credentials: services.Credentials

    def room_deliver(self, revision: int | None, text: str) -> None: ...

    def room_review(self, verdict: services.Verdict, epoch: int) -> None:
        """What the socket may do now; one that may no longer read leaves the room at once."""


class MapRoom:
    def __init__(self, map_id: uuid.UUID, loop: asyncio.AbstractEventLoop) -> None:
        self.map_id, self.loop = map_id, loop
        self.group = f"map.{map_id}"
        self.listeners: set[RoomListener] = set()
        self.last = 0  # the highest revision handed to the listeners, all before it handed too
        self.held: dict[int, tuple[str, int]] = {}  # (text, epoch) ahead of a missing revision
        self.epoch = 0  # the access epoch up to which the listeners were checked
        self.notes: list[dict[str, Any]] = []  # presence and other news held during a review
        self.closed = False
        self.opening: asyncio.Task[None] = loop.create_task(self._open())
        self._channel: str | None = None
        self._listening: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._repairing: asyncio.Task[None] | None = None
        self._reviewing: asyncio.Task[None] | None = None
        self._review_again = False
        self._ended: set[str] = set()  # signed-out sessions (digests) the next review is told

    async def _open(self) -> None:
        layer = get_channel_layer()
        self._channel = await layer.new_channel()
        await layer.group_add(self.group, self._channel)
        # Read after subscribing: every later revision (and every later access change) reaches
        # the room through the group.
        state = await database_sync_to_async(services.map_state)(map_id=self.map_id)
        self.last, self.epoch = state
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
            self.feed([(event["revision"], event["text"], event.get("epoch") or 0)])
        elif kind == "map.message":
            self._note(event)
        elif kind == ACCESS_CHANGED:
            self.review(ended_sessions=event.get("sessions") or ())

    def _note(self, event: dict[str, Any]) -> None:
        """Presence, export progress and the like: to everyone on the map but the socket it
        came from, once nobody's access is in question."""
        if self._reviewing is not None:
            self.notes.append(event)
            return
        for listener in list(self.listeners):
            if listener.session != event.get("session"):
                listener.room_deliver(None, event["text"])

    def feed(self, changes: Iterable[tuple[int, str, int] | list[Any]]) -> None:
        """Applied changes as (revision, text, access epoch), in any order and possibly seen
        before."""
        for revision, text, epoch in changes:
            if revision > self.last:
                self.held[revision] = (text, epoch)
        self._release()

    def _release(self, wait: float = GAP_WAIT) -> None:
        while self.last + 1 in self.held and self._reviewing is None:
            text, epoch = self.held[self.last + 1]
            if epoch > self.epoch:
                self.review()  # who may read this one is checked first
                return
            self.last += 1
            del self.held[self.last]
            for listener in list(self.listeners):
                listener.room_deliver(self.last, text)
        if self._reviewing is not None:
            return
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
            texts = await database_sync_to_async(services.changes_logged)(
                map_id=self.map_id, after=after, upto=upto
            )
        except OUTAGES as error:
            logger.warning("map room %s: cannot read the op log: %s", self.map_id, error)
            texts = []
        finally:
            self._repairing = None
        for revision, text, epoch in texts:
            if revision > self.last:
                self.held[revision] = (text, epoch)
        # Still a gap (the database was down, or the map is gone): try again, less often.
        self._release(wait=REPAIR_RETRY)

    def review(self, ended_sessions: Iterable[str] = ()) -> None:
        """Check every listener's access again; deliveries wait until it is done."""
        self._ended.update(ended_sessions)
        if self._reviewing is not None:
            self._review_again = True
            return
        if self.closed:
            return
        self._cancel_timer()
        self._reviewing = self.loop.create_task(self._review())

    async def _review(self) -> None:
        try:
            while True:
                self._review_again = False
                await self._review_once()
                if not self._review_again:
                    break
        finally:
            self._reviewing = None
        notes, self.notes = self.notes, []
        for event in notes:
            self._note(event)
        self._release()

    async def _review_once(self) -> None:
        ended, self._ended = self._ended, set()
        listeners = list(self.listeners)
        try:
            epoch, verdicts = await database_sync_to_async(services.access_review)(
                map_id=self.map_id,
                sockets={listener.credentials for listener in listeners},
                ended_sessions=ended,
            )
        except OUTAGES as error:
            # Nobody is let through unchecked: the room waits for the database (which the
            # changes themselves need too) and tries again.
            logger.warning("map room %s: cannot check access: %s", self.map_id, error)
            self._ended |= ended
            self._review_again = True
            await asyncio.sleep(REPAIR_RETRY)
            return
        except Exception:
            # A bug must not let anyone through unchecked: every socket reconnects and is
            # admitted afresh.
            logger.exception("map room %s: checking access failed", self.map_id)
            for listener in listeners:
                listener.room_review(RECONNECT, self.epoch)
            return
        # A map that is gone closes every socket; what it still holds is nobody's to read.
        held = [held_epoch for _, held_epoch in self.held.values()]
        self.epoch = max([self.epoch, *held]) if epoch is None else max(self.epoch, epoch)
        for listener in listeners:
            if listener in self.listeners:
                listener.room_review(verdicts[listener.credentials], self.epoch)

    @property
    def listening(self) -> bool:
        """Subscribed, its first revision read, and not closed."""
        return self._listening is not None and not self.closed

    async def close(self) -> None:
        self.closed = True
        self._cancel_timer()
        for task in (self._repairing, self._reviewing, self._listening, self.opening):
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


def room_feed(*, map_id: uuid.UUID, changes: list[tuple[int, str, int]]) -> None:
    """Changes this process just committed, to its own sockets without the trip through Redis."""
    room = _ROOMS.get(map_id)
    if room is not None and room.listening and room.loop is asyncio.get_running_loop():
        room.feed(changes)
