"""live/lanes.py: socket changes queued on a map go in batches, one group message each."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from live import lanes as change_lanes
from maps.models import Change, JourneyMap, Version
from maps.ops import OpError
from maps.revisions import SNAPSHOT_EVERY
from maps.services import ChangeRequest, apply_ops

pytestmark = pytest.mark.django_db(transaction=True)


def _stage(journey_map: Any, owner: Any) -> str:
    sid = str(uuid.uuid4())
    op = {"type": "stage.create", "id": sid, "name": "Nhận biết", "position": "a0"}
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
    return sid


def _rename(owner: Any, stage: str, name: str) -> ChangeRequest:
    op = {"type": "stage.update", "id": stage, "fields": {"name": name}}
    return ChangeRequest(actor=owner, change_id=uuid.uuid4(), ops=[op])


async def _listen(journey_map: Any) -> tuple[Any, str]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(f"map.{journey_map.pk}", channel)
    return layer, channel


async def test_changes_waiting_on_a_map_go_together_in_one_group_message(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    layer, channel = await _listen(journey_map)
    requests = [_rename(owner, stage, f"Tên {n}") for n in range(6)]

    applied = await asyncio.gather(
        *(change_lanes.change_submit(map_id=journey_map.pk, request=r) for r in requests)
    )

    assert [a.revision for a in applied] == [2, 3, 4, 5, 6, 7]
    event = await layer.receive(channel)
    assert event["type"] == "map.changes"
    assert [revision for revision, _, _ in event["changes"]] == [2, 3, 4, 5, 6, 7]
    texts = [json.loads(text) for _, text, _ in event["changes"]]
    assert [t["id"] for t in texts] == [str(r.change_id) for r in requests]
    assert texts[-1]["ops"][0]["fields"] == {"name": "Tên 5"}
    assert await database_sync_to_async(Change.objects.filter(map=journey_map).count)() == 7


async def test_a_bad_change_in_a_batch_is_refused_to_its_author_alone(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    layer, channel = await _listen(journey_map)
    missing = _rename(owner, str(uuid.uuid4()), "Không có")
    requests = [_rename(owner, stage, "A"), missing, _rename(owner, stage, "B")]

    results = await asyncio.gather(
        *(change_lanes.change_submit(map_id=journey_map.pk, request=r) for r in requests),
        return_exceptions=True,
    )

    assert isinstance(results[1], OpError) and results[1].code == "not_found"
    assert [r.revision for r in (results[0], results[2])] == [2, 3]  # type: ignore[union-attr]
    event = await layer.receive(channel)
    assert [revision for revision, _, _ in event["changes"]] == [2, 3]


async def test_a_batch_the_database_cannot_store_is_an_outage_for_every_author(journey_map, owner):
    requests = [_rename(owner, str(uuid.uuid4()), f"{n}") for n in range(3)]
    down = mock.AsyncMock(side_effect=OperationalError("connection lost"))

    with mock.patch("live.lanes._in_lane", new=down):
        results = await asyncio.gather(
            *(change_lanes.change_submit(map_id=journey_map.pk, request=r) for r in requests),
            return_exceptions=True,
        )

    assert all(isinstance(result, OperationalError) for result in results)


async def test_a_committed_batch_redis_cannot_publish_is_reported_unpublished(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    layer = get_channel_layer()

    refused = mock.patch.object(layer, "group_send", side_effect=RedisConnectionError("refused"))
    with refused, pytest.raises(change_lanes.Unpublished) as raised:
        await change_lanes.change_submit(
            map_id=journey_map.pk, request=_rename(owner, stage, "Đã lưu")
        )

    assert isinstance(raised.value.error, RedisConnectionError)
    # Committed all the same: the editor finds it in its catch-up after reconnecting.
    assert await database_sync_to_async(Change.objects.filter(map=journey_map).count)() == 2


async def test_changes_sent_while_a_batch_is_applied_wait_for_the_next_one(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    layer, channel = await _listen(journey_map)
    first = asyncio.ensure_future(
        change_lanes.change_submit(map_id=journey_map.pk, request=_rename(owner, stage, "0"))
    )
    while journey_map.pk not in change_lanes._QUEUES:
        await asyncio.sleep(0)
    await asyncio.sleep(0.001)  # the first batch has left for its lane
    later = [_rename(owner, stage, f"{n}") for n in range(1, 4)]

    await asyncio.gather(
        first, *(change_lanes.change_submit(map_id=journey_map.pk, request=r) for r in later)
    )

    sizes: list[int] = []
    while sum(sizes) < 4:
        sizes.append(len((await layer.receive(channel))["changes"]))
    assert sizes[0] == 1 and sum(sizes) == 4 and len(sizes) <= 3


async def test_a_resent_change_is_answered_but_not_published_again(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    layer, channel = await _listen(journey_map)
    request = _rename(owner, stage, "Một lần")
    first = await change_lanes.change_submit(map_id=journey_map.pk, request=request)
    await layer.receive(channel)

    again = await change_lanes.change_submit(map_id=journey_map.pk, request=request)

    assert (again.duplicate, again.revision) == (True, first.revision)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), timeout=0.2)


def _at_revision(journey_map: Any, revision: int) -> None:
    JourneyMap.objects.filter(pk=journey_map.pk).update(revision=revision)
    Change.objects.filter(map=journey_map).update(revision=revision)


@pytest.mark.services  # field writes go at once (and leave the snapshot for later) on PostgreSQL
async def test_a_snapshot_a_keystroke_left_due_is_taken_once_it_is_published(journey_map, owner):
    stage = await database_sync_to_async(_stage)(journey_map, owner)
    await database_sync_to_async(_at_revision)(journey_map, SNAPSHOT_EVERY)
    layer, channel = await _listen(journey_map)

    applied = await change_lanes.change_submit(
        map_id=journey_map.pk, request=_rename(owner, stage, "Sau ảnh chụp")
    )

    assert applied.revision == SNAPSHOT_EVERY + 1
    assert (await layer.receive(channel))["type"] == "map.changes"
    await asyncio.gather(*change_lanes._SNAPSHOTS)
    snapshots = Version.objects.filter(map=journey_map, name="", revision__gt=0)
    [snapshot] = await database_sync_to_async(list)(snapshots)
    assert snapshot.revision == SNAPSHOT_EVERY + 1
    assert [s["name"] for s in snapshot.document["stages"]] == ["Sau ảnh chụp"]
    assert snapshot.document["revision"] == SNAPSHOT_EVERY + 1
