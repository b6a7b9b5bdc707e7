"""Where the live socket's changes are applied (live/consumers.py): per-map lanes and batches.

Socket changes run on threads of their own, not behind page and API requests. Each map
always takes the same lane, and one batch at a time per map and process, so a map's changes
commit and are published in revision order; maps on different lanes commit in parallel (with
one lane, 20 busy maps queued behind each other's commits: docs/benchmarks.md, Load).

While a batch is being applied, the changes that arrive for the same map wait; the next
batch takes all of them (up to BATCH_MAX) into one transaction (maps.services.apply_ops_batch)
and one group message. One lock and commit per batch instead of per change is what lets a
busy map take hundreds of changes a second (the map's row lock is held per transaction), and
one group message per batch is one channel-layer hop per socket instead of one per change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connection

from journeymap.outages import OUTAGES
from live.rooms import room_feed
from maps import hooks
from maps.ops import OpError
from maps.revisions import snapshot_take
from maps.services import AppliedChange, ChangeRequest, apply_ops_batch, group_event

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

BATCH_MAX = 64  # changes per transaction: bounds how long one batch holds the map's lock

_LANES = [
    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"live-changes-{n}")
    for n in range(settings.LIVE_CHANGE_LANES)
]


class Unpublished(Exception):
    """The change committed but its broadcast failed because Redis is down: not even its
    author will hear of it. The consumer ends the socket (1013); the editor reconnects with
    ?since= and finds its change, acknowledged, in the catch-up."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _MapQueue:
    loop: asyncio.AbstractEventLoop
    waiting: list[tuple[ChangeRequest, asyncio.Future[AppliedChange]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None  # the drain; kept so it is not garbage-collected


_QUEUES: dict[uuid.UUID, _MapQueue] = {}


async def change_submit(*, map_id: uuid.UUID, request: ChangeRequest) -> AppliedChange:
    """Apply a socket's change in its map's next batch, publish it to the map's group with
    the batch, and return it (a duplicate is returned, not published); raises its OpError,
    an outage, or Unpublished."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[AppliedChange] = loop.create_future()
    queue = _QUEUES.get(map_id)
    if queue is None or queue.loop is not loop:
        # No batch running for this map (or one left by a closed event loop, in tests).
        queue = _QUEUES[map_id] = _MapQueue(loop)
        queue.waiting.append((request, future))
        queue.task = loop.create_task(_drain(map_id, queue))
    else:
        queue.waiting.append((request, future))
    return await future


async def _drain(map_id: uuid.UUID, queue: _MapQueue) -> None:
    try:
        while queue.waiting:
            batch, queue.waiting = queue.waiting[:BATCH_MAX], queue.waiting[BATCH_MAX:]
            await _apply_and_publish(map_id, batch)
    finally:
        if _QUEUES.get(map_id) is queue:
            del _QUEUES[map_id]


async def _apply_and_publish(
    map_id: uuid.UUID, batch: list[tuple[ChangeRequest, asyncio.Future[AppliedChange]]]
) -> None:
    try:
        results, snapshots = await _in_lane(_apply_now, map_id, [r for r, _ in batch])
    except Exception as error:  # an outage, or a bug: every change of the batch hears of it
        for _, future in batch:
            if not future.done():
                future.set_exception(error)
        return
    fresh = [r for r in results if isinstance(r, AppliedChange) and not r.duplicate]
    unpublished: Unpublished | None = None
    if fresh:
        event = changes_event(fresh)
        room_feed(map_id=map_id, changes=event["changes"])  # this process's sockets, at once
        try:
            await get_channel_layer().group_send(f"map.{map_id}", event)
        except OUTAGES as error:
            unpublished = Unpublished(error)
        except Exception:
            # Committed: sockets that miss them (the authors' too) repair from the op log.
            logger.exception("broadcast to map %s failed", map_id)
    for (_, future), result in zip(batch, results, strict=True):
        if future.done():  # the author's socket went away meanwhile
            continue
        if isinstance(result, OpError):
            future.set_exception(result)
        elif unpublished is not None and not result.duplicate:
            future.set_exception(unpublished)
        else:
            future.set_result(result)
    for snapshot_map in snapshots:
        _snapshot_later(snapshot_map)


def changes_event(applied: list[AppliedChange]) -> dict[str, Any]:
    """Applied changes as one channel-layer event, each serialised once: every socket of the
    map forwards the texts as they are, one `change` message each. Each goes with the access
    epoch it was committed under (live/rooms.py)."""
    return {
        "type": "map.changes",
        "changes": [
            [change.revision, group_event(change.message())["text"], change.epoch]
            for change in applied
        ],
    }


async def _in_lane(work: Callable[..., _T], map_id: uuid.UUID, *args: Any) -> _T:
    """`work(map_id, *args)` on the map's lane thread."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # Embedded mode: SQLite takes one writer at a time anyway, and its shared-cache
        # in-memory test database refuses a second connection's lock at once (no busy wait).
        return await sync_to_async(work, thread_sensitive=True)(map_id, *args)
    # Straight to the lane's thread: asgiref's hand-off (context copy, a task to wait on the
    # future) is more than a keystroke's change needs, and Django's connection is the
    # thread's own either way.
    lane = _LANES[map_id.int % len(_LANES)]
    return await asyncio.get_running_loop().run_in_executor(lane, work, map_id, *args)


def _apply_now(
    map_id: uuid.UUID, requests: list[ChangeRequest]
) -> tuple[list[Any], list[uuid.UUID]]:
    """apply_ops_batch, and the maps whose periodic snapshot it left for after the publish."""
    with _connection_kept(), hooks.snapshots_deferred() as snapshots:
        return apply_ops_batch(map_id=map_id, requests=requests), snapshots


def _snapshot_later(map_id: uuid.UUID) -> None:
    """The snapshot a batch left due, on the map's lane once its changes are out: the map's
    next batch waits behind it, its sockets do not."""
    task = asyncio.get_running_loop().create_task(_in_lane(_snapshot_now, map_id))
    _SNAPSHOTS.add(task)
    task.add_done_callback(_SNAPSHOTS.discard)


_SNAPSHOTS: set[asyncio.Task[None]] = set()  # kept so that they are not garbage-collected


def _snapshot_now(map_id: uuid.UUID) -> None:
    with _connection_kept():
        try:
            snapshot_take(map_id=map_id)
        except Exception:  # the next crossing takes one; history only replays more meanwhile
            logger.exception("snapshot of map %s failed", map_id)


@contextlib.contextmanager
def _connection_kept() -> Iterator[None]:
    """Without Channels' per-call connection check (database_sync_to_async makes the next
    query a health check, one more round trip per batch): the connection is closed only when
    it failed or is past CONN_MAX_AGE, so the next batch reconnects."""
    try:
        yield
    finally:
        expired = connection.close_at is not None and time.monotonic() >= connection.close_at
        if connection.errors_occurred or expired:
            close_old_connections()
