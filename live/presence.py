"""Who is on a map right now: presence for the live-editing socket (docs/protocol.md).

Every ASGI process must see the same peers, so in services mode presence lives in Redis: one
hash per map (`jm:presence:<map>`), one field per socket session holding its JSON and the time
it was last seen. A session that stops refreshing (its process died) is dropped on the next
read once it is older than LIVE_PRESENCE_TTL seconds (settings; 45 by default, above the
clients' 20 s heartbeat), and the whole hash expires when nobody refreshes it.
Embedded mode (one process) keeps the same shape in a dict.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from django.conf import settings

PALETTE = (
    "#e11d48",
    "#2563eb",
    "#059669",
    "#d97706",
    "#7c3aed",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#ea580c",
    "#4f46e5",
)


def presence_ttl() -> float:
    """Seconds without a heartbeat after which a session is gone."""
    return float(settings.LIVE_PRESENCE_TTL)


def peer_color(key: str) -> str:
    """A stable colour per user (or per guest session), so a person keeps theirs across tabs."""
    digest = hashlib.blake2s(key.encode(), digest_size=4).digest()
    return PALETTE[digest[0] % len(PALETTE)]


class TokenBucket:
    """A per-connection rate limit: `rate` messages a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class MemoryPresence:
    """Embedded mode: one process, so a dict is everyone's view."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, tuple[float, dict[str, Any]]]] = {}

    async def put(self, map_id: str, peer: dict[str, Any]) -> None:
        self.maps.setdefault(map_id, {})[peer["session"]] = (time.time(), peer)

    async def remove(self, map_id: str, session: str) -> None:
        peers = self.maps.get(map_id, {})
        peers.pop(session, None)
        if not peers:
            self.maps.pop(map_id, None)

    async def peers(self, map_id: str) -> list[dict[str, Any]]:
        cutoff = time.time() - presence_ttl()
        peers = self.maps.get(map_id, {})
        for session in [s for s, (at, _) in peers.items() if at < cutoff]:
            del peers[session]
        return [peer for _, peer in peers.values()]


class RedisPresence:
    """Services mode: a hash per map in Redis, shared by every ASGI process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._clients: dict[int, Any] = {}

    def _client(self) -> Any:
        # redis.asyncio clients belong to one event loop; tests run several loops.
        import asyncio

        import redis.asyncio as redis

        loop_id = id(asyncio.get_running_loop())
        if loop_id not in self._clients:
            self._clients[loop_id] = redis.Redis.from_url(self.url)
        return self._clients[loop_id]

    @staticmethod
    def _key(map_id: str) -> str:
        return f"jm:presence:{map_id}"

    async def put(self, map_id: str, peer: dict[str, Any]) -> None:
        value = json.dumps({"at": time.time(), "peer": peer}, ensure_ascii=False)
        pipe = self._client().pipeline(transaction=False)
        pipe.hset(self._key(map_id), peer["session"], value)
        pipe.expire(self._key(map_id), int(presence_ttl() * 2))
        await pipe.execute()

    async def remove(self, map_id: str, session: str) -> None:
        await self._client().hdel(self._key(map_id), session)

    async def peers(self, map_id: str) -> list[dict[str, Any]]:
        raw = await self._client().hgetall(self._key(map_id))
        cutoff = time.time() - presence_ttl()
        alive, stale = [], []
        for session, value in raw.items():
            entry = json.loads(value)
            if entry["at"] < cutoff:
                stale.append(session)
            else:
                alive.append(entry["peer"])
        if stale:
            await self._client().hdel(self._key(map_id), *stale)
        return alive


_store: MemoryPresence | RedisPresence | None = None


def presence_store() -> MemoryPresence | RedisPresence:
    global _store
    url = settings.REDIS_URL
    layer = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    wanted = RedisPresence if url and "channels_redis" in layer else MemoryPresence
    if not isinstance(_store, wanted):
        _store = RedisPresence(str(url)) if wanted is RedisPresence else MemoryPresence()
    return _store


def presence_message(
    kind: str, peer: dict[str, Any], editing: Any = None, cursor: Any = None
) -> dict[str, Any]:
    """A `join`, `leave` or `presence` message (docs/protocol.md)."""
    message = {"type": kind, **peer}
    if kind == "presence":
        message["editing"] = editing
        message["cursor"] = cursor
    return message


def clean_presence(data: dict[str, Any]) -> tuple[str | None, dict[str, float] | None]:
    """The `editing` item id and `cursor` {x, y} of a client's presence message, or ValueError."""
    editing = data.get("editing")
    if editing is not None and (not isinstance(editing, str) or len(editing) > 64):
        raise ValueError("editing must be an item id or null")
    if editing is not None and not editing.isprintable():
        # It is sent on to every peer: a lone surrogate (valid in JSON's \u escapes) cannot be
        # encoded in their UTF-8 frames, and control characters are no part of an id.
        raise ValueError("editing must be an item id or null")
    cursor = data.get("cursor")
    if cursor is None:
        return editing, None
    if not isinstance(cursor, dict):
        raise ValueError("cursor must be {x, y} or null")
    try:
        x, y = float(cursor["x"]), float(cursor["y"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("cursor must be {x, y} or null") from None
    if not (abs(x) < 1e6 and abs(y) < 1e6):
        raise ValueError("cursor is out of range")
    return editing, {"x": round(x, 1), "y": round(y, 1)}
