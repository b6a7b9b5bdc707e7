"""Changes racing for the same map on PostgreSQL: the map row lock puts them in one order.

Threads here each hold their own database connection, so the race is real: without the lock
two changes would read the same revision and one update would be lost.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection

from maps.models import Change, Stage
from maps.services import apply_ops

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 4
CHANGES_PER_THREAD = 25


def _fire(map_id: Any, actor: Any, worker: int, applied: list[int], errors: list[str]) -> None:
    try:
        for n in range(CHANGES_PER_THREAD):
            result = apply_ops(
                map_id=map_id,
                actor=actor,
                change_id=uuid.uuid4(),
                ops=[
                    {
                        "type": "stage.create",
                        "id": str(uuid.uuid4()),
                        "name": f"{worker}-{n}",
                        "position": f"a{worker}{n:03d}",
                    },
                    {"type": "map.update", "fields": {"objective": f"{worker}-{n}"}},
                ],
            )
            applied.append(result.revision)
    except Exception as error:  # reported by the test, not lost in a thread
        errors.append(repr(error))
    finally:
        connection.close()


def test_concurrent_changes_get_consecutive_revisions_and_none_is_lost(journey_map, owner):
    assert connection.vendor == "postgresql"
    applied: list[int] = []
    errors: list[str] = []
    start = threading.Barrier(THREADS)

    def run(worker: int) -> None:
        start.wait()
        _fire(journey_map.pk, owner, worker, applied, errors)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    total = THREADS * CHANGES_PER_THREAD
    assert errors == []
    assert sorted(applied) == list(range(1, total + 1))
    journey_map.refresh_from_db()
    assert journey_map.revision == total
    log = list(Change.objects.filter(map=journey_map).order_by("revision"))
    assert [c.revision for c in log] == list(range(1, total + 1))
    assert len({c.change_id for c in log}) == total
    assert Stage.objects.filter(map=journey_map).count() == total
    # The last logged change is the one whose objective the map kept (no lost update).
    assert journey_map.objective == log[-1].ops[1]["fields"]["objective"]


def test_the_same_change_racing_with_itself_is_applied_once(journey_map, owner):
    change_id = uuid.uuid4()
    ops = [{"type": "stage.create", "id": str(uuid.uuid4()), "name": "Một lần", "position": "a0"}]
    revisions: list[int] = []
    errors: list[str] = []
    start = threading.Barrier(THREADS)

    def run() -> None:
        start.wait()
        try:
            revisions.append(
                apply_ops(map_id=journey_map.pk, actor=owner, change_id=change_id, ops=ops).revision
            )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert revisions == [1] * THREADS
    assert Change.objects.filter(map=journey_map).count() == 1
    assert Stage.objects.filter(map=journey_map).count() == 1


def test_a_committed_change_reaches_the_maps_group_on_redis_and_a_refused_one_does_not(
    journey_map, owner
):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from maps.ops import OpError

    ops = [{"type": "map.update", "fields": {"title": "Qua Redis"}}]

    def refused() -> None:
        with pytest.raises(OpError):
            apply_ops(
                map_id=journey_map.pk,
                actor=owner,
                change_id=uuid.uuid4(),
                ops=[*ops, {"type": "stage.delete", "id": str(uuid.uuid4())}],
            )

    def accepted() -> Any:
        return apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)

    async def listen() -> tuple[Any, dict[str, Any]]:
        # One event loop, as in a consumer: the pub/sub layer subscribes per loop.
        layer = get_channel_layer()
        assert type(layer).__module__.startswith("channels_redis")
        channel = await layer.new_channel()
        await layer.group_add(journey_map.group_name, channel)
        try:
            await sync_to_async(refused)()
            applied = await sync_to_async(accepted)()
            message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard(journey_map.group_name, channel)
        return applied, message

    applied, message = async_to_sync(listen)()

    assert (message["type"], message["revision"]) == ("map.message", applied.revision)
    assert '"title":"Qua Redis"' in message["text"]
