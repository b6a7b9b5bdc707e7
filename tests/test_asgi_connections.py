"""Connections under ASGI: HTTP requests run on a fixed pool of threads that keep their
database connections, and the cache's Redis client is shared by threads."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_finished
from django.db import connection

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def _get(application: Any, path: str) -> dict[str, Any]:
    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", b"testserver")])
    response = await communicator.get_response()
    await communicator.wait()
    return response


async def test_http_requests_run_on_pooled_threads_that_keep_their_database_connection() -> None:
    # A thread per request could never reuse its connection (one PostgreSQL backend started
    # per REST request); the pooled threads keep theirs, as WSGI workers do.
    from journeymap.asgi import PooledASGIHandler

    application = PooledASGIHandler(threads=1)
    seen: list[tuple[str, int | None]] = []

    def after(sender: Any, **kwargs: Any) -> None:
        raw = connection.connection
        seen.append((threading.current_thread().name, id(raw) if raw is not None else None))

    request_finished.connect(after)
    try:
        first = await _get(application, "/healthz")
        second = await _get(application, "/healthz")
    finally:
        request_finished.disconnect(after)
    assert first["status"] == second["status"] == 200
    assert len(seen) == 2
    assert seen[0][0] == seen[1][0]  # the same pooled thread
    assert seen[0][0].startswith("http-0")
    assert seen[0][1] is not None
    assert seen[0][1] == seen[1][1]  # and the same connection, not a new backend


async def test_a_request_waits_for_a_free_thread_when_all_are_busy() -> None:
    import asyncio

    from journeymap.asgi import PooledASGIHandler

    application = PooledASGIHandler(threads=2)
    responses = await asyncio.gather(*(_get(application, "/healthz") for _ in range(5)))
    assert [response["status"] for response in responses] == [200] * 5
    assert application._pool().qsize() == 2  # every thread given back


def test_cache_objects_on_different_threads_share_one_redis_client() -> None:
    from journeymap.cache import TolerantRedisCache

    clients: list[Any] = []

    def one_request() -> None:  # Django makes a cache object per thread
        cache = TolerantRedisCache(os.environ["REDIS_URL"], {"OPTIONS": {"socket_timeout": 2}})
        cache.set("jm-test-shared-client", 1, 5)
        assert cache.get("jm-test-shared-client") == 1
        clients.append(cache._cache)

    threads = [threading.Thread(target=one_request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) == 3
    assert len({id(client) for client in clients}) == 1
