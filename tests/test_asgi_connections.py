"""Connections under ASGI, where every HTTP request runs on a thread of its own: a request's
database connection does not outlive it, and the cache's Redis client is shared by threads."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connection

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def test_an_http_request_closes_its_database_connection_when_it_ends() -> None:
    # PostgreSQL keeps connections for CONN_MAX_AGE; a request's thread is never reused, so
    # without journeymap.asgi's receiver this connection would stay open until collected.
    from journeymap.asgi import application

    seen: list[tuple[Any, bool]] = []

    def after(sender: Any, **kwargs: Any) -> None:  # runs after journeymap.asgi's receiver
        seen.append((sender, connection.connection is None))

    request_finished.connect(after)
    try:
        communicator = HttpCommunicator(
            application, "GET", "/healthz", headers=[(b"host", b"testserver")]
        )
        response = await communicator.get_response()
        await communicator.wait()  # the app closes the response after sending it
    finally:
        request_finished.disconnect(after)
    assert response["status"] == 200  # /healthz ran a query, so the thread had a connection
    assert seen == [(ASGIHandler, True)]


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
