"""Server messages to every socket on a map, through the channel layer (live/rooms.py
forwards them). Serialised once and fanned out as the same text (docs/architecture.md)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from maps.messages import message_text

logger = logging.getLogger(__name__)


def group_event(message: dict[str, Any], epoch: int | None = None) -> dict[str, Any]:
    """A server message as the channel-layer event every socket of the map forwards as is;
    a change also carries the access epoch it was committed under (live/rooms.py)."""
    return {
        "type": "map.message",
        "text": message_text(message),
        "revision": message.get("revision"),
        "epoch": epoch,
    }


def broadcast(*, group: str, message: dict[str, Any], epoch: int | None = None) -> None:
    """Send a server message to every socket on a map. Serialised once, fanned out as text."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, group_event(message, epoch))
    except Exception:
        # The change is committed; sockets that miss it repair the gap from the op log.
        logger.exception("broadcast to %s failed", group)
