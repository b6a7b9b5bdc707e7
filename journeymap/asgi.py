"""ASGI entry point: Django for HTTP, Channels for the live-editing WebSocket."""

import os
from typing import Any

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
django_asgi_app = get_asgi_application()


def close_request_connections(sender: Any, **kwargs: Any) -> None:
    """Close an HTTP request's database connections when it ends.

    Under ASGI Django runs each request's sync code in a thread made for that request, so its
    connection can never be reused; CONN_MAX_AGE would leave it open until the thread's
    objects are garbage-collected, and at 20 requests/s that held 60+ connections open
    (bench/load.py). Sockets are not affected: their database work runs on the one thread
    Channels keeps per process, whose connection stays persistent."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


request_finished.connect(close_request_connections, sender=ASGIHandler)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from journeymap.outages import SocketOutageGuard  # noqa: E402
from journeymap.routing import websocket_urlpatterns  # noqa: E402
from journeymap.ws_auth import TokenAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SocketOutageGuard(TokenAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
