"""What an outage of PostgreSQL or Redis looks like to the code (a server restarting, a
connection refused or reset): these exceptions mean "try again in a moment", never a bad
request or a bug. REST answers them with 503 `unavailable` (journeymap/middleware.py), the
live socket with an `unavailable` error or a 1013 close (live/consumers.py)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGES: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
)
logger = logging.getLogger(__name__)

SOCKET_UNAVAILABLE = 1013  # WebSocket close code "try again later"


class SocketOutageGuard:
    """ASGI middleware for the live socket: an outage met before the consumer runs (the token
    or session lookup in PostgreSQL, the channel layer subscribing in Redis) ends the socket
    as the consumer itself does, with an `unavailable` error and close 1013, rather than an
    HTTP 500 on the handshake and a traceback."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        sent: set[str] = set()

        async def tracked(message: dict[str, Any]) -> None:
            sent.add(message["type"])
            await send(message)

        try:
            return await self.inner(scope, receive, tracked)
        except OUTAGES as error:
            logger.warning("socket %s: %s", scope.get("path"), error)
            if "websocket.close" in sent:
                return None
            if "websocket.accept" not in sent:
                await send({"type": "websocket.accept"})
            error_message = {
                "type": "error",
                "id": None,
                "code": "unavailable",
                "message": "the server is briefly unavailable",
            }
            await send({"type": "websocket.send", "text": json.dumps(error_message)})
            await send({"type": "websocket.close", "code": SOCKET_UNAVAILABLE})
            return None
