"""ASGI entry point: Django for HTTP, Channels for the live-editing WebSocket."""

import asyncio
import gc
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
get_asgi_application()  # sets Django up

from django.conf import settings  # noqa: E402


class PooledASGIHandler(ASGIHandler):
    """Django's ASGI handler, running each request's synchronous code on one of a fixed set
    of threads instead of a thread made for that request.

    With a thread per request a database connection can never be reused (Django ticket
    #33497): every REST request opened a PostgreSQL connection, and at 20 requests/s the
    backends starting up starved the live-editing path of CPU (bench/load.py). A pooled
    thread keeps its connection for CONN_MAX_AGE, as under WSGI. A request waits for a free
    thread when all HTTP_THREADS are busy."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{n}")
            for n in range(threads)
        ]
        # The free threads, per event loop (a queue belongs to one loop; tests run several).
        self.free: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Queue[ThreadPoolExecutor]
        ] = weakref.WeakKeyDictionary()

    def _pool(self) -> asyncio.Queue[ThreadPoolExecutor]:
        loop = asyncio.get_running_loop()
        if loop not in self.free:
            self.free[loop] = asyncio.Queue()
            for executor in self.executors:
                self.free[loop].put_nowait(executor)
        return self.free[loop]

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        pool = self._pool()
        executor = await pool.get()
        try:
            # The outer context with an executor wins over the one Django's handle() opens.
            async with ThreadSensitiveContext(executor=executor):
                await super().handle(scope, receive, send)
        finally:
            pool.put_nowait(executor)


django_asgi_app = PooledASGIHandler(settings.HTTP_THREADS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from journeymap.outages import SocketOutageGuard  # noqa: E402
from journeymap.ws_auth import TokenAuthMiddlewareStack  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SocketOutageGuard(TokenAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Everything loaded so far lives as long as the process: keep it out of the cyclic garbage
# collector's full passes, which otherwise walk all of Django every few seconds of a busy map
# (75 ms each, a stall of every socket of the process: docs/benchmarks.md, Live latency).
get_resolver().url_patterns  # noqa: B018 - imports every view now rather than at first use
gc.collect()
gc.freeze()
