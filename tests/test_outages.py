import uuid
from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_a_database_outage_answers_503_json_with_retry_after(client_for, journey_map, member):
    client = client_for(member)
    with mock.patch(
        "maps.api.map_for_reading", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get(f"/api/maps/{journey_map.id}/")

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "5"


def test_healthz_reports_503_when_the_database_is_down(client):
    with mock.patch("journeymap.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("down")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_the_cache_remembers_nothing_instead_of_failing_while_redis_is_down():
    """Throttles and sign-in counters read the cache on every request (journeymap/cache.py)."""
    from journeymap.cache import TolerantRedisCache

    cache = TolerantRedisCache("redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    cache.set("hits", [1, 2])
    assert cache.get("hits", "default") == "default"
    assert cache.add("hits", 1) is False
    assert cache.incr("hits") == 1
    assert cache.get_many(["hits"]) == {}
    assert cache.get_or_set("hits", 3) == 3


@pytest.mark.django_db(transaction=True)
async def test_a_socket_change_during_a_database_outage_is_answered_unavailable_and_kept_open(
    journey_map, owner
):
    from tests.live.test_consumers import joined, stage_op

    socket, _ = await joined(journey_map.id, owner)
    change_id = str(uuid.uuid4())
    with mock.patch("live.lanes._in_lane", side_effect=OperationalError("connection lost")):
        await socket.send_json_to({"type": "change", "id": change_id, "ops": [stage_op()]})
        error = await socket.receive_json_from()
    # `unavailable`, not `invalid_op`: the editor keeps the change and sends it again.
    assert (error["type"], error["id"], error["code"]) == ("error", change_id, "unavailable")
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_opened_during_an_outage_is_told_and_closed_with_1013(journey_map, owner):
    from live.services import CLOSE_TRY_AGAIN
    from tests.live.test_consumers import open_socket

    socket = await open_socket(journey_map.id, owner)
    lookup = mock.AsyncMock(side_effect=OperationalError("connection refused"))
    with mock.patch("journeymap.ws_auth._user_for_token", new=lookup):
        connected, _ = await socket.connect()
        assert connected
        error = await socket.receive_json_from()
        closed = await socket.receive_output()
    assert (error["type"], error["code"]) == ("error", "unavailable")
    assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN}
