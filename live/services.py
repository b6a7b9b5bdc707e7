"""The database side of the live-editing socket (live/consumers.py): who may connect with
which role, and the op log read for catch-up and gap repair. Synchronous; the consumer calls
these through database_sync_to_async."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from journeymap.outages import SOCKET_UNAVAILABLE
from maps.models import Change, JourneyMap
from workspaces.models import ShareLink
from workspaces.sharing import share_link_find

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_ACCESS = 4403
CLOSE_NO_MAP = 4404
CLOSE_TRY_AGAIN = SOCKET_UNAVAILABLE  # PostgreSQL or Redis is down: reconnect in a moment
CATCH_UP_LIMIT = 1000  # further behind than this, the client reloads the document (`resync`)


@dataclass
class Admission:
    """The outcome of a connection attempt: a close code, or the role and who this is."""

    close: int | None = None
    role: str | None = None
    revision: int = 0
    name: str = ""
    link: ShareLink | None = None


def _display_name(user: Any) -> str:
    return user.get_full_name().strip() or user.get_username()


def socket_admit(*, user: Any, map_id: uuid.UUID | None, share: str | None) -> Admission:
    """Resolve the caller's role on the map. 4404 when the map does not exist (or, for a
    signed-in user, is in a workspace they cannot see: existence is not leaked)."""
    journey_map = JourneyMap.objects.filter(pk=map_id).first() if map_id else None
    if share is not None:
        link = share_link_find(share)
        if journey_map is None:
            return Admission(close=CLOSE_NO_MAP)
        if link is None or link.map_id != journey_map.pk:
            return Admission(close=CLOSE_NO_ACCESS)
        return Admission(
            role=link.role, revision=journey_map.revision, name="Khách / Guest", link=link
        )
    if not getattr(user, "is_authenticated", False):
        return Admission(close=CLOSE_UNAUTHENTICATED)
    if journey_map is None:
        return Admission(close=CLOSE_NO_MAP)
    role = journey_map.role_of(user)
    if role is None:
        return Admission(close=CLOSE_NO_MAP)
    return Admission(role=role, revision=journey_map.revision, name=_display_name(user))


def change_text(change: Change) -> str:
    """A logged change as the `change` message of PROTOCOL.md, serialised."""
    message = {
        "type": "change",
        "revision": change.revision,
        "id": str(change.change_id),
        "ops": change.ops,
        "actor": {"session": change.session, "user": change.actor_id},
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def changes_between(
    *, map_id: uuid.UUID, after: int, upto: int | None = None
) -> list[tuple[int, str]]:
    """Logged changes with after < revision <= upto, oldest first, as (revision, text)."""
    rows = Change.objects.filter(map_id=map_id, revision__gt=after)
    if upto is not None:
        rows = rows.filter(revision__lte=upto)
    return [(change.revision, change_text(change)) for change in rows.order_by("revision")]


def map_revision(*, map_id: uuid.UUID) -> int:
    found = JourneyMap.objects.filter(pk=map_id).values_list("revision", flat=True).first()
    return found or 0
