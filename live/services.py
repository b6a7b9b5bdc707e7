"""The database side of the live-editing socket (live/consumers.py): who may connect with
which role, who may still read once access changed, and the op log read for catch-up and gap
repair. Synchronous; the consumer and the rooms call these through database_sync_to_async."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework.authtoken.models import Token

from journeymap.outages import SOCKET_UNAVAILABLE
from maps.messages import change_message, message_text
from maps.models import Change, JourneyMap, strongest_role
from workspaces.models import MapAccess, Membership, ShareLink
from workspaces.sharing import share_link_find

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_ACCESS = 4403
CLOSE_NO_MAP = 4404
# An open socket whose role was raised: it reconnects at once, and its new `welcome` says the
# role (a lowered role stays connected and hears an `error` naming the new role instead).
CLOSE_ROLE_CHANGED = 4409
CLOSE_TRY_AGAIN = SOCKET_UNAVAILABLE  # PostgreSQL or Redis is down: reconnect in a moment
CATCH_UP_LIMIT = 1000  # further behind than this, the client reloads the document (`resync`)

# Why an open socket was closed, as the close frame's reason (docs/protocol.md).
REASON_SIGNED_OUT = "signed_out"  # its session, token, password or account is no longer valid
REASON_ACCESS_REMOVED = "access_removed"  # its role, membership or share link is gone
REASON_MAP_DELETED = "map_deleted"  # the map (or its workspace) was deleted
REASON_ROLE_CHANGED = "role_changed"


@dataclass
class Admission:
    """The outcome of a connection attempt: a close code, or the role and who this is."""

    close: int | None = None
    role: str | None = None
    revision: int = 0
    epoch: int = 0  # the map's access epoch the role was read at
    name: str = ""
    link: ShareLink | None = None


def _display_name(user: User) -> str:
    return user.get_full_name().strip() or user.get_username()


def socket_admit(
    *, user: User | AnonymousUser | None, map_id: uuid.UUID | None, share: str | None
) -> Admission:
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
            role=link.role,
            revision=journey_map.revision,
            epoch=journey_map.access_epoch,
            name="Khách / Guest",
            link=link,
        )
    if user is None or not user.is_authenticated:
        return Admission(close=CLOSE_UNAUTHENTICATED)
    if journey_map is None:
        return Admission(close=CLOSE_NO_MAP)
    role = journey_map.role_of(user)
    if role is None:
        return Admission(close=CLOSE_NO_MAP)
    return Admission(
        role=role,
        revision=journey_map.revision,
        epoch=journey_map.access_epoch,
        name=_display_name(user),
    )


@dataclass(frozen=True)
class Credentials:
    """How a socket was let in, to check again when access changes: a share link, or a
    person signed in by a session or an API token."""

    user: int | None = None
    link: str | None = None
    session: str | None = None  # the session key
    token: str | None = None  # the API token's key


@dataclass(frozen=True)
class Verdict:
    """What a socket may do now: its role, or the close code and reason that end it."""

    role: str | None = None
    close: int | None = None
    reason: str = ""


GONE = Verdict(close=CLOSE_NO_MAP, reason=REASON_MAP_DELETED)
SIGNED_OUT = Verdict(close=CLOSE_UNAUTHENTICATED, reason=REASON_SIGNED_OUT)
REMOVED = Verdict(close=CLOSE_NO_ACCESS, reason=REASON_ACCESS_REMOVED)


def session_digest(session_key: str) -> str:
    """How a signed-out session is named in channel-layer events (never the key itself)."""
    return hashlib.sha256(session_key.encode()).hexdigest()


def access_review(
    *, map_id: uuid.UUID, sockets: Collection[Credentials], ended_sessions: Collection[str] = ()
) -> tuple[int | None, dict[Credentials, Verdict]]:
    """The map's access epoch now (None: the map is gone) and each socket's verdict, read
    after that epoch, in a fixed number of queries whatever the number of sockets.
    `ended_sessions` (session_digest) are signed out even if their rows still exist."""
    found = JourneyMap.objects.filter(pk=map_id).values_list("access_epoch", "workspace").first()
    if found is None:
        return None, dict.fromkeys(sockets, GONE)
    epoch, workspace_id = found
    people = {socket.user for socket in sockets if socket.user is not None}
    roles = _roles(map_id, workspace_id, people)
    active = get_user_model().objects.filter(pk__in=people, is_active=True)
    users = {user.pk: user for user in active}
    tokens = set(
        Token.objects.filter(key__in=[s.token for s in sockets if s.token]).values_list(
            "key", "user_id"
        )
    )
    sessions = _sessions([s.session for s in sockets if s.session], ended_sessions)
    links = _live_links([s.link for s in sockets if s.link])
    verdicts: dict[Credentials, Verdict] = {}
    for socket in sockets:
        if socket.link is not None:
            verdicts[socket] = links.get(socket.link, REMOVED)
        elif socket.user is None or not _signed_in(socket, users, tokens, sessions):
            verdicts[socket] = SIGNED_OUT
        elif (role := roles.get(socket.user)) is None:
            verdicts[socket] = REMOVED
        else:
            verdicts[socket] = Verdict(role=role)
    return int(epoch), verdicts


def _signed_in(
    socket: Credentials,
    users: dict[int, User],
    tokens: set[tuple[str, int]],
    sessions: dict[str, dict[str, Any]],
) -> bool:
    """Whether the person behind a socket is still signed in as when it opened: an active
    account, and the same API token or the same session with the same password."""
    user = users.get(socket.user) if socket.user is not None else None
    if user is None:
        return False
    if socket.token is not None:
        return (socket.token, user.pk) in tokens
    if socket.session is not None:
        return _session_valid(sessions.get(socket.session), user)
    return True


def _roles(map_id: uuid.UUID, workspace_id: uuid.UUID, people: set[int]) -> dict[int, str | None]:
    """Each person's role on the map, as JourneyMapQuerySet.role_of reads it, for all at once."""
    explicit = dict(
        MapAccess.objects.filter(map_id=map_id, user_id__in=people).values_list("user_id", "role")
    )
    member = dict(
        Membership.objects.filter(workspace_id=workspace_id, user_id__in=people).values_list(
            "user_id", "role"
        )
    )
    return {person: strongest_role(explicit.get(person), member.get(person)) for person in people}


def _sessions(keys: list[str], ended: Collection[str]) -> dict[str, dict[str, Any]]:
    """The data of each session still signed in, by key (read in one query from the database
    backend; one read each from any other)."""
    ended = set(ended)
    keys = [key for key in set(keys) if session_digest(key) not in ended]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        rows = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return {row.session_key: store().decode(row.session_data) for row in rows}
    found = {key: store(key).load() for key in keys}
    return {key: data for key, data in found.items() if data}


def _session_valid(data: dict[str, Any] | None, user: User) -> bool:
    """What django.contrib.auth.get_user checks of a session: still this person, and signed in
    with their current password."""
    if not data or str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def _live_links(ids: Iterable[str]) -> dict[str, Verdict]:
    links = ShareLink.objects.filter(pk__in=set(ids))
    return {str(link.pk): Verdict(role=link.role) for link in links if link.is_active}


def change_text(change: Change) -> str:
    """A logged change as the `change` message of docs/protocol.md, serialised as a live one."""
    message = change_message(
        revision=change.revision,
        change_id=change.change_id,
        ops=change.ops,
        actor_id=change.actor_id,
        session=change.session,
    )
    return message_text(message)


def changes_between(
    *, map_id: uuid.UUID, after: int, upto: int | None = None
) -> list[tuple[int, str]]:
    """Logged changes with after < revision <= upto, oldest first, as (revision, text)."""
    rows = Change.objects.filter(map_id=map_id, revision__gt=after)
    if upto is not None:
        rows = rows.filter(revision__lte=upto)
    return [(change.revision, change_text(change)) for change in rows.order_by("revision")]


def changes_logged(*, map_id: uuid.UUID, after: int, upto: int) -> list[tuple[int, str, int]]:
    """changes_between with an access epoch for each: the log does not keep the one each was
    committed under, so the map's epoch read after them, which none of them exceeds."""
    texts = changes_between(map_id=map_id, after=after, upto=upto)
    epoch = map_state(map_id=map_id)[1]
    return [(revision, text, epoch) for revision, text in texts]


def map_state(*, map_id: uuid.UUID) -> tuple[int, int]:
    """The map's revision and access epoch (0, 0 for a map that is gone)."""
    found = JourneyMap.objects.filter(pk=map_id).values_list("revision", "access_epoch").first()
    return (int(found[0]), int(found[1])) if found else (0, 0)


def map_revision(*, map_id: uuid.UUID) -> int:
    return map_state(map_id=map_id)[0]
