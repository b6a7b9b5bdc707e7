"""The cache in services mode: Redis, except that a Redis outage makes it a cache that
remembers nothing for that time instead of failing every request.

The cache holds the API throttle and sign-in failure counters, which every REST request
reads. While Redis restarts they count nothing (those limits are not enforced for that time)
and REST keeps answering; each failing call logs a warning.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# One Redis client per process and configuration (see TolerantRedisCache._cache).
_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _tolerant(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """RedisCache's method `name`, answering `fallback(*args)` while Redis is unreachable."""
    method = getattr(RedisCache, name)

    def call(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as error:
            logger.warning("cache %s skipped, Redis is unavailable: %s", name, error)
            return fallback(*args, **kwargs)

    call.__name__ = name
    return call


class TolerantRedisCache(RedisCache):
    add = _tolerant("add", lambda *args, **kwargs: False)
    get = _tolerant("get", lambda key, default=None, version=None: default)
    set = _tolerant("set", lambda *args, **kwargs: None)
    touch = _tolerant("touch", lambda *args, **kwargs: False)
    delete = _tolerant("delete", lambda *args, **kwargs: False)
    get_many = _tolerant("get_many", lambda *args, **kwargs: {})
    has_key = _tolerant("has_key", lambda *args, **kwargs: False)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
    set_many = _tolerant("set_many", lambda data, *args, **kwargs: list(data))
    delete_many = _tolerant("delete_many", lambda *args, **kwargs: None)

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._client_args = (server, dict(params.get("OPTIONS", {})))

    @cached_property
    def _cache(self) -> Any:
        """The Redis client, shared by every cache object of this process with the same
        configuration. Django makes a cache object per thread, and under ASGI each request
        runs on a thread of its own: with a client (and connection pool) per object, every REST
        request opened a Redis connection that stayed open until garbage collection
        (bench/load.py). redis-py's connection pool is thread-safe."""
        server, options = self._client_args
        servers = server.replace(";", ",").split(",") if isinstance(server, str) else server
        key = repr((servers, sorted(options.items())))
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(key)
            if client is None:
                client = _CLIENTS[key] = RedisCacheClient(servers, **options)
        return client
