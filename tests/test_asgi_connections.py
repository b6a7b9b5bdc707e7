"""Database connections under ASGI: an HTTP request's connection does not outlive it."""

from __future__ import annotations

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
