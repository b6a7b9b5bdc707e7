"""The live-editing socket `/ws/maps/{id}/` (docs/protocol.md, "The live socket").

The consumer authenticates, authorizes, joins the map's room and forwards. Changes go through
maps.services.apply_ops (in batches, live/lanes.py), which broadcasts them after commit
as text serialised once. The map's room in this process (live/rooms.py) puts them in revision
order and hands them to each socket's outbox, which forwards the texts unchanged: a revision
already sent is skipped, and one that skips ahead (which the room's repair makes rare) is
filled from the op log first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from journeymap.outages import OUTAGES
from live import services
from live.lanes import Unpublished, change_submit
from live.presence import (
    TokenBucket,
    clean_presence,
    peer_color,
    presence_message,
    presence_store,
)
from live.rooms import MapRoom, room_join, room_leave
from live.share_links import ShareLinkSocketMixin
from maps.messages import message_text
from maps.ops import OpError
from maps.services import ChangeRequest, parse_change_id
from workspaces.models import MapRole, role_at_least

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 256 * 1024
# Messages waiting for a socket whose client reads slower than the map changes (a few seconds
# of a busy map): past this it is closed with 1013 and catches up when it reconnects.
OUTBOX_LIMIT = 2000


class MapConsumer(ShareLinkSocketMixin, AsyncWebsocketConsumer):
    joined = False
    announced = False  # in the map's presence: its leaving is told
    room: MapRoom
    ready = False  # welcome and catch-up sent: the outbox may be flushed
    flusher: asyncio.Task[None] | None = None
    credentials: services.Credentials

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' consumer loop without a channel of its own: the map's room hands this
        socket its messages, so there is no per-socket subscription and no task per message
        waiting on two queues (channels.utils.await_many_dispatch)."""
        self.scope = scope
        self.channel_layer = get_channel_layer()
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            self._leave_room()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """PostgreSQL or Redis down (a restart, a lost connection): tell the client and close
        with 1013 (try again later) instead of failing; it reconnects with ?since= and catches
        up. Presence left behind expires (live/presence.py)."""
        # Channels' own dispatch first hops to the database thread to close old connections,
        # for every message: with 25 sockets on a map that is 25 hops per change, queued
        # behind the changes themselves. Every database call here goes through
        # database_sync_to_async, which does that cleanup already, so dispatch directly.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message.get('type')}")
        try:
            await handler(message)
        except OUTAGES as error:
            logger.warning("map socket: %s while handling %s", error, message.get("type"))
            if message.get("type") == "websocket.disconnect":
                raise StopConsumer from None
            await self._error(None, "unavailable", "the server is briefly unavailable")
            await self.close(code=services.CLOSE_TRY_AGAIN)

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        share = query.get("share", [None])[0]
        since = _int_or_none(query.get("since", [None])[0])
        try:
            map_id: uuid.UUID | None = uuid.UUID(self.scope["url_route"]["kwargs"]["map_id"])
        except ValueError:
            map_id = None
        # Accept first: a close code sent before the handshake never reaches the browser.
        await self.accept()
        user = self.scope.get("user")
        admission = await database_sync_to_async(services.socket_admit)(
            user=user, map_id=map_id, share=share
        )
        if admission.close is not None or map_id is None:
            await self.close(code=admission.close or services.CLOSE_NO_MAP)
            return
        self.map_id, self.role, self.role_epoch = map_id, admission.role, admission.epoch
        self.user = user if share is None else None
        self.credentials = _credentials(self.scope, self.user, admission)
        self.group = f"map.{map_id}"
        self.session = uuid.uuid4().hex[:16]
        self.changes = TokenBucket(*settings.LIVE_CHANGE_RATE)
        self.presences = TokenBucket(*settings.LIVE_PRESENCE_RATE)
        user_id = self.user.pk if self.user is not None else None
        self.peer = {
            "session": self.session,
            "user": user_id,
            "name": admission.name,
            "color": peer_color(f"user:{user_id}" if user_id else self.session),
        }
        if admission.link is not None:
            self.share_link_attach(admission.link)
        self.outbox: deque[tuple[int | None, str]] = deque()
        self.room = await room_join(map_id=map_id, listener=self)
        self.joined = True
        # Read after joining, so every later change (and access change) arrives through the
        # room; access that changed since the admission is checked again, credentials too.
        revision, epoch = await database_sync_to_async(services.map_state)(map_id=map_id)
        if epoch != self.role_epoch and not await self._still_admitted():
            return
        store = presence_store()
        peers = await store.peers(str(map_id))
        await store.put(str(map_id), self.peer)
        self.announced = True
        welcome = {"type": "welcome", "revision": revision, "role": self.role, "you": self.peer}
        await self.send(text_data=message_text({**welcome, "peers": peers}))
        await self._catch_up(since, revision)
        self.ready = True
        self._flush_soon()
        await self._tell_group(presence_message("join", self.peer))

    async def _still_admitted(self) -> bool:
        epoch, verdicts = await database_sync_to_async(services.access_review)(
            map_id=self.map_id, sockets=[self.credentials]
        )
        verdict = verdicts[self.credentials]
        if verdict.close is not None:
            self._leave_room()
            await self.close(code=verdict.close, reason=verdict.reason)
            return False
        self.role, self.role_epoch = verdict.role, epoch or 0
        return True

    async def _catch_up(self, since: int | None, revision: int) -> None:
        if since is None or since >= revision or revision - since > services.CATCH_UP_LIMIT:
            self.last = revision
            if since is not None and since != revision:
                await self.send(text_data=message_text({"type": "resync", "revision": revision}))
            return
        self.last = since
        await self._send_logged(after=since, upto=None)

    async def _send_logged(self, *, after: int, upto: int | None) -> None:
        texts = await database_sync_to_async(services.changes_between)(
            map_id=self.map_id, after=after, upto=upto
        )
        for revision, text in texts:
            if revision > self.last:
                await self.send(text_data=text)
                self.last = revision

    async def disconnect(self, code: int) -> None:
        self.share_link_detach()
        self._leave_room()
        await self._leave_presence()

    async def _leave_presence(self) -> None:
        if self.announced:
            self.announced = False
            await presence_store().remove(str(self.map_id), self.session)
            await self._tell_group(presence_message("leave", self.peer))

    def _leave_room(self) -> None:
        if self.joined:
            self.joined = self.ready = False
            room_leave(room=self.room, listener=self)
        if self.flusher is not None and self.flusher is not asyncio.current_task():
            self.flusher.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined:
            return
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            code = "bad_message" if text_data is None else "too_large"
            await self._error(None, code, "messages are JSON text of at most 256 KiB")
            return
        try:
            data = json.loads(text_data)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            data = None
        if not isinstance(data, dict):
            await self._error(None, "bad_message", "a message is a JSON object")
            return
        kind = data.get("type")
        if kind == "change":
            await self._change(data)
        elif kind == "presence":
            await self._presence(data)
        elif kind == "ping":
            await self._ping()
        else:
            await self._error(None, "bad_message", "unknown message type")

    async def _change(self, data: dict[str, Any]) -> None:
        change_id = data.get("id")
        if self.share_link_id is not None:
            # Share-link sockets are read-only (docs/protocol.md), commenter links included: a
            # comment needs an author, so it goes through REST with a signed-in person.
            await self._error(change_id, "forbidden", "a share link is read-only here")
            return
        if not self.changes.take():
            await self._error(change_id, "rate_limited", "too many changes: slow down")
            return
        try:
            # The role as last checked (live/rooms.py keeps it current), and the access epoch
            # it was read at: if access changed since, apply_ops reads it again, map locked.
            request = ChangeRequest(
                actor=self.user,
                change_id=parse_change_id(change_id),
                ops=data.get("ops"),
                session=self.session,
                role=self.role,
                role_epoch=self.role_epoch,
            )
            applied = await change_submit(map_id=self.map_id, request=request)
        except OpError as error:
            await self._error(change_id, error.code, error.message, error.op)
            return
        except OUTAGES:
            # Not applied (or applied and its id logged): the client sends it again later.
            await self._error(change_id, "unavailable", "the server cannot store changes now")
            return
        except Unpublished as unpublished:
            # Committed, but Redis is down, so not even the author heard of it: end this
            # socket (1013, see dispatch); the editor reconnects with ?since= and finds its
            # change, acknowledged, in the catch-up.
            raise unpublished.error from None
        except Exception:
            logger.exception("change on map %s failed", self.map_id)
            await self._error(change_id, "invalid_op", "the server could not apply this change")
            return
        if applied.duplicate:
            # Already applied: the author gets the same acknowledgement again, nobody else.
            await self.send(text_data=message_text(applied.message()))
            return
        # Published with its batch (live/lanes.py): this socket's copy is the ack.

    async def _presence(self, data: dict[str, Any]) -> None:
        if not self.presences.take():
            return  # Cursors are throttled by the client; extra ones are simply dropped.
        try:
            editing, cursor = clean_presence(data)
        except ValueError as error:
            await self._error(None, "bad_message", str(error))
            return
        await presence_store().put(str(self.map_id), {**self.peer, "editing": editing})
        await self._tell_group(presence_message("presence", self.peer, editing, cursor))

    async def _ping(self) -> None:
        if not self.presences.take():
            await self._error(None, "rate_limited", "too many messages: slow down")
            return
        # A ping is also the presence heartbeat: this session is still here.
        await presence_store().put(str(self.map_id), self.peer)
        await self.send(text_data='{"type":"pong"}')
        # And it repairs silent losses: a change whose broadcast was lost (Redis restarting)
        # shows as a gap only with the next change; here it is sent within one heartbeat.
        try:
            revision = await database_sync_to_async(services.map_revision)(map_id=self.map_id)
        except OUTAGES:
            return  # the database is down: nothing new was applied either
        if revision > self.room.last:
            self.room.repair(upto=revision)

    async def _tell_group(self, message: dict[str, Any]) -> None:
        event = {"type": "map.message", "text": message_text(message), "session": self.session}
        await self.channel_layer.group_send(self.group, event)

    async def _error(self, change_id: Any, code: str, message: str, op: int | None = None) -> None:
        body: dict[str, Any] = {
            "type": "error",
            "id": _echoed_id(change_id),
            "code": code,
            "message": message,
        }
        if op is not None:
            body["op"] = op
        await self.send(text_data=message_text(body))

    def room_deliver(self, revision: int | None, text: str) -> None:
        """From the map's room (live/rooms.py): a change (or presence, revision None) to send.
        Queued, so that a socket whose client reads slowly holds up only itself."""
        self.outbox.append((revision, text))
        if len(self.outbox) > OUTBOX_LIMIT:
            logger.warning("map socket %s: client too slow, closing", self.session)
            self.outbox.clear()
            self._leave_room()
            asyncio.get_running_loop().create_task(self.close(code=services.CLOSE_TRY_AGAIN))
            return
        self._flush_soon()

    def room_review(self, verdict: services.Verdict, epoch: int) -> None:
        """From the map's room, after access changed: close, or take the role as it is now.
        A lowered role stays connected (it may still read) and is told in an `error` naming
        the new role; a raised one reconnects, and its `welcome` says the role."""
        if verdict.close is not None:
            self.access_end(verdict.close, verdict.reason)
            return
        before, self.role, self.role_epoch = self.role, verdict.role, epoch
        if verdict.role == before:
            return
        if role_at_least(verdict.role, before or MapRole.VIEWER):
            self.access_end(services.CLOSE_ROLE_CHANGED, services.REASON_ROLE_CHANGED)
            return
        message = {
            "type": "error",
            "id": None,
            "code": "forbidden",
            "message": f"your role on this map is now {verdict.role}",
            "role": verdict.role,
        }
        self.room_deliver(None, message_text(message))

    def access_end(self, code: int, reason: str) -> None:
        """This socket may no longer read the map: out of its room now, so nothing more is
        handed to it, then closed with `code` and `reason` (docs/protocol.md)."""
        self.outbox.clear()
        self._leave_room()
        self.share_link_detach()
        asyncio.get_running_loop().create_task(self._close_after_access_end(code, reason))

    async def _close_after_access_end(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):  # the client went away meanwhile
            await self.close(code=code, reason=reason)
        await self._leave_presence()

    def _flush_soon(self) -> None:
        if self.ready and self.outbox and self.flusher is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self.outbox:
                revision, text = self.outbox.popleft()
                if revision is None:
                    await self.send(text_data=text)
                else:
                    await self._forward(revision, text)
        except Exception as error:
            # A gap this socket could not fill (the database is down) or a send that failed:
            # the client reconnects and catches up with ?since=. A client that just went away
            # (OSError: uvicorn's ClientDisconnected) is no news.
            level = logging.DEBUG if isinstance(error, OSError) else logging.WARNING
            logger.log(level, "map socket %s: %r while forwarding", self.session, error)
            self.outbox.clear()
            self._leave_room()
            with contextlib.suppress(Exception):  # already gone
                await self.close(code=services.CLOSE_TRY_AGAIN)
        finally:
            self.flusher = None

    async def _forward(self, revision: int, text: str) -> None:
        if revision <= self.last:
            return
        if revision > self.last + 1:
            await self._send_logged(after=self.last, upto=revision - 1)
        await self.send(text_data=text)
        self.last = revision


def _credentials(
    scope: dict[str, Any], user: Any, admission: services.Admission
) -> services.Credentials:
    """How this socket was let in, for the checks when access changes (live/rooms.py)."""
    if admission.link is not None:
        return services.Credentials(link=str(admission.link.pk))
    token = scope.get("token_key")
    if token is not None:
        return services.Credentials(user=user.pk, token=token)
    session = scope.get("session")
    return services.Credentials(user=user.pk, session=getattr(session, "session_key", None))


def _echoed_id(raw: Any) -> str | None:
    """The change id as the client sent it, if it is one: a list, an object, 200 KB of text or
    a lone surrogate (which no UTF-8 frame can carry) is not echoed back."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        uuid.UUID(raw)
    except ValueError:
        return None
    return raw


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None
