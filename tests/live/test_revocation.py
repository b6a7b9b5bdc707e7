"""Access taken away reaches open sockets at once (live/revocation.py, live/rooms.py): every way
access ends closes the socket with its code and reason, and nothing that follows the revocation
reaches it: no change, presence or export progress."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from journeymap.asgi import application
from live import revocation
from maps.models import JourneyMap
from maps.services import apply_ops, broadcast
from tests.live.test_consumers import ORIGIN, joined, next_of, send_change, stage_op
from workspaces.models import MapAccess, Membership, ShareLink, Workspace
from workspaces.services import membership_set
from workspaces.sharing import map_access_change, map_access_remove, share_link_revoke

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Kế hoạch giá Q3 (bí mật)"


def objective_op(text: str) -> dict[str, Any]:
    return {"type": "map.update", "fields": {"objective": text}}


@database_sync_to_async
def owner_writes(journey_map: Any, owner: Any, text: str = SECRET) -> int:
    applied = apply_ops(
        map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[objective_op(text)]
    )
    return applied.revision


async def closed_with(socket: WebsocketCommunicator, *, seconds: float = 3) -> tuple[int, str]:
    """The socket's close code and reason; fails if anything reaches it before the close
    but the presence of peers (sent before the revocation)."""
    while True:
        output = await socket.receive_output(timeout=seconds)
        if output["type"] == "websocket.close":
            return int(output["code"]), output.get("reason", "")
        text = output.get("text", "")
        assert SECRET not in text, "a change after the revocation reached the socket"
        assert '"type":"change"' not in text, text


async def hears_nothing_more(socket: WebsocketCommunicator) -> None:
    assert await socket.receive_nothing(timeout=0.3)


async def stays_open(socket: WebsocketCommunicator) -> None:
    """Nothing but peers' presence for a while, and no close."""
    while not await socket.receive_nothing(timeout=0.3):
        output = await socket.receive_output()
        assert output["type"] == "websocket.send", output


async def session_socket(journey_map: Any, user: Any) -> tuple[WebsocketCommunicator, Client]:
    """A socket signed in by a session cookie, as the browser's, and that browser."""
    browser = Client()
    await database_sync_to_async(browser.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    socket = WebsocketCommunicator(
        application,
        f"/ws/maps/{journey_map.pk}/",
        headers=[ORIGIN, (b"cookie", cookie.encode())],
    )
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "welcome"
    return socket, browser


# --- each way access ends ------------------------------------------------------------------


async def test_a_viewer_removed_from_the_map_is_closed_and_never_hears_the_next_change(
    journey_map: Any, role_users: Any
) -> None:
    owner, viewer = role_users["owner"], role_users["viewer"]
    watcher, _ = await joined(journey_map.pk, owner)
    socket, _ = await joined(journey_map.pk, viewer)
    await database_sync_to_async(map_access_remove)(journey_map=journey_map, user=viewer)
    assert await closed_with(socket) == (4403, "access_removed")
    revision = await owner_writes(journey_map, owner)
    assert (await next_of(watcher, "change"))["revision"] == revision  # the owner still hears
    await watcher.disconnect()


async def test_an_editor_lowered_to_viewer_keeps_reading_but_may_no_longer_change(
    journey_map: Any, role_users: Any
) -> None:
    owner, editor = role_users["owner"], role_users["commenter"]
    await database_sync_to_async(map_access_change)(
        journey_map=journey_map, user=editor, role="editor"
    )
    socket, welcome = await joined(journey_map.pk, editor)
    assert welcome["role"] == "editor"
    await database_sync_to_async(map_access_change)(
        journey_map=journey_map, user=editor, role="viewer"
    )
    notice = await next_of(socket, "error")
    assert (notice["code"], notice["role"], notice["id"]) == ("forbidden", "viewer", None)
    change_id = await send_change(socket, [stage_op()])
    refused = await next_of(socket, "error")
    assert (refused["id"], refused["code"]) == (change_id, "forbidden")
    revision = await owner_writes(journey_map, owner, "Mục tiêu mới")
    assert (await next_of(socket, "change"))["revision"] == revision
    await socket.disconnect()


async def test_a_viewer_raised_to_editor_is_asked_to_reconnect_and_is_welcomed_as_editor(
    journey_map: Any, role_users: Any
) -> None:
    viewer = role_users["viewer"]
    socket, _ = await joined(journey_map.pk, viewer)
    await database_sync_to_async(map_access_change)(
        journey_map=journey_map, user=viewer, role="editor"
    )
    assert await closed_with(socket) == (4409, "role_changed")
    again, welcome = await joined(journey_map.pk, viewer)
    assert welcome["role"] == "editor"
    await again.disconnect()


async def test_a_member_removed_from_the_workspace_is_closed(
    journey_map: Any, owner: Any, member: Any
) -> None:
    socket, welcome = await joined(journey_map.pk, member)
    assert welcome["role"] == "editor"
    await database_sync_to_async(Membership.objects.filter(user=member).delete)()
    assert await closed_with(socket) == (4403, "access_removed")
    await owner_writes(journey_map, owner)
    await hears_nothing_more(socket)


async def test_an_admin_lowered_to_member_is_told_they_now_edit_instead_of_own(
    journey_map: Any, workspace: Any, owner: Any, member: Any
) -> None:
    await database_sync_to_async(membership_set)(workspace=workspace, user=member, role="admin")
    socket, welcome = await joined(journey_map.pk, member)
    assert welcome["role"] == "owner"
    await database_sync_to_async(membership_set)(workspace=workspace, user=member, role="member")
    notice = await next_of(socket, "error")
    assert (notice["code"], notice["role"]) == ("forbidden", "editor")
    await socket.disconnect()


async def test_a_deleted_map_closes_its_sockets(journey_map: Any, owner: Any) -> None:
    socket, _ = await joined(journey_map.pk, owner)
    await database_sync_to_async(JourneyMap.objects.filter(pk=journey_map.pk).delete)()
    assert await closed_with(socket) == (4404, "map_deleted")


async def test_a_deleted_workspace_closes_the_sockets_of_its_maps(
    journey_map: Any, owner: Any, member: Any
) -> None:
    sockets = [(await joined(journey_map.pk, user))[0] for user in (owner, member)]
    await database_sync_to_async(Workspace.objects.filter(pk=journey_map.workspace_id).delete)()
    for socket in sockets:
        assert await closed_with(socket) == (4404, "map_deleted")


async def test_a_revoked_share_link_closes_its_sockets_and_no_other(
    journey_map: Any, owner: Any
) -> None:
    links = await database_sync_to_async(
        lambda: [
            ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
            for _ in range(2)
        ]
    )()
    revoked, kept = [
        (await joined(journey_map.pk, query=f"share={link.token}"))[0] for link in links
    ]
    await database_sync_to_async(share_link_revoke)(link=links[0])
    assert await closed_with(revoked) == (4403, "access_removed")
    revision = await owner_writes(journey_map, owner)
    assert (await next_of(kept, "change"))["revision"] == revision
    await kept.disconnect()


async def test_a_changed_password_signs_out_the_sockets_of_its_sessions(
    journey_map: Any, member: Any
) -> None:
    socket, _ = await session_socket(journey_map, member)

    @database_sync_to_async
    def change_password() -> None:
        user = get_user_model().objects.get(pk=member.pk)
        user.set_password("a new one")
        user.save()

    await change_password()
    assert await closed_with(socket) == (4401, "signed_out")


async def test_signing_out_closes_that_sessions_sockets_and_not_the_others(
    journey_map: Any, member: Any
) -> None:
    signed_out, browser = await session_socket(journey_map, member)
    other, _ = await session_socket(journey_map, member)
    await database_sync_to_async(browser.post)("/logout/")
    assert await closed_with(signed_out) == (4401, "signed_out")
    await stays_open(other)
    await other.disconnect()


async def test_a_deactivated_account_is_closed(journey_map: Any, member: Any) -> None:
    socket, _ = await joined(journey_map.pk, member)

    @database_sync_to_async
    def deactivate() -> None:
        user = get_user_model().objects.get(pk=member.pk)
        user.is_active = False
        user.save()

    await deactivate()
    assert await closed_with(socket) == (4401, "signed_out")


async def test_a_deleted_token_closes_the_sockets_it_opened(journey_map: Any, member: Any) -> None:
    socket, _ = await joined(journey_map.pk, member)
    await database_sync_to_async(Token.objects.filter(user=member).delete)()
    assert await closed_with(socket) == (4401, "signed_out")


async def test_signing_in_again_closes_nothing(journey_map: Any, member: Any) -> None:
    socket, _ = await session_socket(journey_map, member)
    await database_sync_to_async(Client().force_login)(member)  # last_login saved: no check
    await stays_open(socket)
    await socket.disconnect()


# --- nothing after the revocation ------------------------------------------------------------


async def test_no_presence_or_export_progress_reaches_a_removed_viewer(
    journey_map: Any, role_users: Any
) -> None:
    owner, viewer = role_users["owner"], role_users["viewer"]
    socket, _ = await joined(journey_map.pk, viewer)
    watcher, _ = await joined(journey_map.pk, owner)
    await next_of(socket, "join")
    await database_sync_to_async(map_access_remove)(journey_map=journey_map, user=viewer)
    await watcher.send_json_to({"type": "presence", "editing": None, "cursor": {"x": 1, "y": 2}})
    await database_sync_to_async(broadcast)(
        group=journey_map.group_name,
        message={"type": "export", "id": str(uuid.uuid4()), "status": "running", "progress": 40},
    )
    while True:
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            break
        assert '"presence"' not in output["text"] and '"export"' not in output["text"]
    await watcher.disconnect()


async def test_a_change_that_outruns_the_news_of_a_revocation_waits_for_the_check(
    journey_map: Any, role_users: Any, monkeypatch: Any
) -> None:
    """The revocation's announcement is lost (or slower than the next change): the change
    carries the new access epoch, and the room checks its sockets before handing it on."""
    owner, viewer = role_users["owner"], role_users["viewer"]
    monkeypatch.setattr(revocation, "access_announce", lambda **kwargs: None)
    watcher, _ = await joined(journey_map.pk, owner)
    socket, _ = await joined(journey_map.pk, viewer)
    await next_of(watcher, "join")
    await database_sync_to_async(map_access_remove)(journey_map=journey_map, user=viewer)
    await hears_nothing_more(socket)  # nobody told it yet
    revision = await owner_writes(journey_map, owner)
    assert await closed_with(socket) == (4403, "access_removed")
    assert (await next_of(watcher, "change"))["revision"] == revision
    await watcher.disconnect()


async def test_a_socket_of_a_removed_person_is_refused_even_if_its_admission_was_earlier(
    journey_map: Any, role_users: Any, monkeypatch: Any
) -> None:
    """Access removed between the admission and the room's subscription: the socket reads
    the access epoch again after joining and is closed before its welcome."""
    viewer = role_users["viewer"]
    from live import services

    admit = services.socket_admit

    def admit_then_remove(**kwargs: Any) -> Any:
        admission = admit(**kwargs)
        MapAccess.objects.filter(user=viewer).delete()
        return admission

    monkeypatch.setattr(services, "socket_admit", admit_then_remove)
    socket = WebsocketCommunicator(
        application,
        f"/ws/maps/{journey_map.pk}/",
        headers=[ORIGIN, (b"authorization", f"Token {await _token(viewer)}".encode())],
    )
    await socket.connect()
    assert await closed_with(socket) == (4403, "access_removed")


@database_sync_to_async
def _token(user: Any) -> str:
    return Token.objects.get_or_create(user=user)[0].key


async def test_many_revocations_at_once_close_each_socket_once(
    journey_map: Any, owner: Any, make_user: Any
) -> None:
    guests = await database_sync_to_async(lambda: [make_user(f"guest{n}") for n in range(5)])()
    for guest in guests:
        await database_sync_to_async(MapAccess.objects.create)(
            map=journey_map, user=guest, role="viewer"
        )
    sockets = [(await joined(journey_map.pk, guest))[0] for guest in guests]
    await asyncio.gather(
        *(
            database_sync_to_async(map_access_remove)(journey_map=journey_map, user=guest)
            for guest in guests
        )
    )
    for socket in sockets:
        assert await closed_with(socket) == (4403, "access_removed")
        await hears_nothing_more(socket)


async def test_sessions_ended_everywhere_close_their_sockets(journey_map: Any, member: Any) -> None:
    """Sessions deleted without a sign-out (an admin ending them, "sign out everywhere")."""
    from django.contrib.sessions.models import Session

    first, _ = await session_socket(journey_map, member)
    second, _ = await session_socket(journey_map, member)

    @database_sync_to_async
    def end_every_session() -> None:
        for session in Session.objects.all():
            if session.get_decoded().get("_auth_user_id") == str(member.pk):
                session.delete()

    await end_every_session()
    for socket in (first, second):
        assert await closed_with(socket) == (4401, "signed_out")
