"""The protocol's `change` message (docs/protocol.md, "The live socket"), built in one place
and serialised in one way, for the live broadcast and for catch-up from the op log alike: a
socket must not be able to tell a change it heard live from one it read back."""

from __future__ import annotations

import json
import uuid
from typing import Any


def change_message(
    *,
    revision: int,
    change_id: uuid.UUID | str,
    ops: list[dict[str, Any]],
    actor_id: int | None,
    session: str,
) -> dict[str, Any]:
    """A change as the server sends it: to every socket on the map, the author's included."""
    return {
        "type": "change",
        "revision": revision,
        "id": str(change_id),
        "ops": ops,
        "actor": {"session": session, "user": actor_id},
    }


def message_text(message: dict[str, Any]) -> str:
    """A server message as the text of one frame: compact, UTF-8 as it is (Vietnamese text
    stays readable and a third shorter than with escapes)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
