"""The live-editing socket on the real ASGI application (docs/protocol.md, "The live socket")."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone
from rest_framework.authtoken.models import Token

from journeymap.asgi import application
from maps import services
from maps.models import Change, JourneyMap, Stage
from workspaces.models import MapAccess, ShareLink

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


def stage_op(name: str = "Nhận thức", position: str = "a0") -> dict[str, Any]:
    return {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": position}


@database_sync_to_async
def token_for(user: Any) -> str:
    return Token.objects.get_or_create(user=user)[0].key


async def open_socket(
    map_id: Any,
    user: Any = None,
    *,
    query: str = "",
    origin: tuple[bytes, bytes] = ORIGIN,
) -> WebsocketCommunicator:
    headers = [origin]
    if user is not None:
        headers.append((b"authorization", f"Token {await token_for(user)}".encode()))
    path = f"/ws/maps/{map_id}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


async def joined(map_id: Any, user: Any = None, *, query: str = "") -> tuple[Any, dict[str, Any]]:
    """A connected socket and its welcome message."""
    socket = await open_socket(map_id, user, query=query)
    connected, _ = await socket.connect()
    assert connected
    welcome = await socket.receive_json_from()
    assert welcome["type"] == "welcome"
    return socket, welcome


async def refused_with(map_id: Any, user: Any = None, *, query: str = "") -> int:
    socket = await open_socket(map_id, user, query=query)
    connected, _ = await socket.connect()
    assert connected  # accepted first so that the close code reaches the client
    closed = await socket.receive_output()
    await socket.disconnect()
    assert closed["type"] == "websocket.close"
    return int(closed["code"])


async def next_of(socket: Any, kind: str) -> dict[str, Any]:
    """The next message of this type (presence join/leave may interleave)."""
    for _ in range(20):
        message = await socket.receive_json_from(timeout=3)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


async def send_change(socket: Any, ops: list[dict[str, Any]], change_id: str | None = None) -> str:
    change_id = change_id or str(uuid.uuid4())
    await socket.send_json_to({"type": "change", "id": change_id, "ops": ops})
    return change_id


@database_sync_to_async
def apply_directly(journey_map: Any, actor: Any) -> int:
    applied = services.apply_ops(
        map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[stage_op()]
    )
    return applied.revision


async def test_welcome_names_the_revision_role_and_the_peers_already_here(
    journey_map: Any, owner: Any, member: Any
) -> None:
    first, welcome = await joined(journey_map.pk, owner)
    assert welcome["revision"] == journey_map.revision
    assert welcome["role"] == "owner"
    assert welcome["you"]["user"] == owner.pk and welcome["you"]["name"] == "Lan Nguyễn"
    assert welcome["you"]["color"].startswith("#") and welcome["you"]["session"]
    assert welcome["peers"] == []
    second, welcome2 = await joined(journey_map.pk, member)
    assert [p["session"] for p in welcome2["peers"]] == [welcome["you"]["session"]]
    join = await next_of(first, "join")
    assert join["session"] == welcome2["you"]["session"] and join["name"] == "Minh"
    await second.disconnect()
    leave = await next_of(first, "leave")
    assert leave["session"] == welcome2["you"]["session"]
    await first.disconnect()


async def test_a_change_reaches_every_socket_and_acknowledges_the_author(
    journey_map: Any, owner: Any, member: Any
) -> None:
    author, welcome = await joined(journey_map.pk, owner)
    peer, _ = await joined(journey_map.pk, member)
    change_id = await send_change(author, [stage_op()])
    ack = await next_of(author, "change")
    seen = await next_of(peer, "change")
    assert ack == seen
    assert ack["id"] == change_id and ack["revision"] == welcome["revision"] + 1
    assert ack["actor"] == {"session": welcome["you"]["session"], "user": owner.pk}
    assert ack["ops"][0]["name"] == "Nhận thức"
    await author.disconnect()
    await peer.disconnect()


@pytest.mark.parametrize("role", ["owner", "editor"])
async def test_owners_and_editors_can_change_the_map(
    role_users: Any, journey_map: Any, role: str
) -> None:
    socket, welcome = await joined(journey_map.pk, role_users[role])
    assert welcome["role"] == role
    await send_change(socket, [stage_op()])
    assert (await next_of(socket, "change"))["revision"] == welcome["revision"] + 1
    await socket.disconnect()


@pytest.mark.parametrize("role", ["commenter", "viewer"])
async def test_commenters_and_viewers_cannot_change_the_map(
    role_users: Any, journey_map: Any, role: str
) -> None:
    socket, welcome = await joined(journey_map.pk, role_users[role])
    assert welcome["role"] == role
    change_id = await send_change(socket, [stage_op()])
    error = await next_of(socket, "error")
    assert error["code"] == "forbidden" and error["id"] == change_id
    assert await database_sync_to_async(Stage.objects.count)() == 0
    await socket.send_json_to({"type": "ping"})
    assert (await next_of(socket, "pong"))["type"] == "pong"  # still open
    await socket.disconnect()


async def test_a_commenter_can_comment_over_the_socket(
    role_users: Any, template_map: Any, owner: Any
) -> None:
    await database_sync_to_async(MapAccess.objects.create)(
        map=template_map, user=role_users["commenter"], role="commenter"
    )
    item = await database_sync_to_async(lambda: template_map.items.first())()
    socket, _ = await joined(template_map.pk, role_users["commenter"])
    op = {"type": "comment.create", "id": str(uuid.uuid4()), "item": str(item.pk), "text": "Hay!"}
    await send_change(socket, [op])
    assert (await next_of(socket, "change"))["ops"][0]["type"] == "comment.create"
    await socket.disconnect()


async def test_anonymous_sockets_are_refused_with_4401(journey_map: Any) -> None:
    assert await refused_with(journey_map.pk) == 4401


async def test_outsiders_are_told_the_map_does_not_exist(journey_map: Any, outsider: Any) -> None:
    assert await refused_with(journey_map.pk, outsider) == 4404


async def test_an_unknown_map_closes_with_4404(owner: Any) -> None:
    assert await refused_with(uuid.uuid4(), owner) == 4404
    assert await refused_with("not-a-uuid", owner) == 4404


async def test_a_foreign_origin_is_refused(journey_map: Any, owner: Any) -> None:
    socket = await open_socket(journey_map.pk, owner, origin=(b"origin", b"https://evil.example"))
    connected, _ = await socket.connect()
    assert not connected


async def test_the_session_cookie_signs_the_socket_in(journey_map: Any, owner: Any) -> None:
    from django.test import Client

    client = Client()
    await database_sync_to_async(client.force_login)(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = WebsocketCommunicator(
        application, f"/ws/maps/{journey_map.pk}/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["role"] == "owner"
    await socket.disconnect()


@database_sync_to_async
def make_link(journey_map: Any, owner: Any, role: str = "viewer", **extra: Any) -> ShareLink:
    return ShareLink.objects.create(map=journey_map, role=role, created_by=owner, **extra)


async def test_a_share_link_opens_a_read_only_socket(journey_map: Any, owner: Any) -> None:
    link = await make_link(journey_map, owner)
    socket, welcome = await joined(journey_map.pk, query=f"share={link.token}")
    assert welcome["role"] == "viewer" and welcome["you"]["user"] is None
    await send_change(socket, [stage_op()])
    assert (await next_of(socket, "error"))["code"] == "forbidden"
    await socket.disconnect()


async def test_revoked_expired_foreign_or_wrong_share_links_are_refused(
    journey_map: Any, owner: Any, workspace: Any
) -> None:
    from maps.documents import map_create

    revoked = await make_link(journey_map, owner, revoked_at=timezone.now())
    expired = await make_link(journey_map, owner, expires=timezone.now() - dt.timedelta(minutes=1))
    other = await database_sync_to_async(map_create)(workspace=workspace, actor=owner, title="B")
    foreign = await make_link(other, owner)
    assert await refused_with(journey_map.pk, query=f"share={revoked.token}") == 4403
    assert await refused_with(journey_map.pk, query=f"share={expired.token}") == 4403
    assert await refused_with(journey_map.pk, query=f"share={foreign.token}") == 4403
    assert await refused_with(journey_map.pk, query="share=" + "x" * 43) == 4403


async def test_revoking_a_share_link_closes_its_open_socket(journey_map: Any, owner: Any) -> None:
    from workspaces.sharing import share_link_revoke

    link = await make_link(journey_map, owner)
    socket, _ = await joined(journey_map.pk, query=f"share={link.token}")
    await database_sync_to_async(share_link_revoke)(link=link)
    for _ in range(5):
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            assert output["code"] == 4403
            return
    raise AssertionError("the socket stayed open")


async def test_a_role_lowered_behind_the_sockets_back_refuses_its_very_next_change(
    journey_map: Any, role_users: Any
) -> None:
    editor = role_users["viewer"]
    await database_sync_to_async(MapAccess.objects.filter(user=editor).update)(role="editor")
    socket, welcome = await joined(journey_map.pk, editor)
    assert welcome["role"] == "editor"
    # A queryset update sends no signal: nothing tells the socket, only the database knows.
    await database_sync_to_async(MapAccess.objects.filter(user=editor).update)(role="viewer")
    await database_sync_to_async(JourneyMap.objects.filter(pk=journey_map.pk).update)(
        access_epoch=journey_map.access_epoch + 1
    )
    await send_change(socket, [stage_op()])
    assert (await next_of(socket, "error"))["code"] == "forbidden"
    await socket.disconnect()


async def test_bad_messages_get_errors_and_the_socket_stays_open(
    journey_map: Any, owner: Any
) -> None:
    socket, _ = await joined(journey_map.pk, owner)
    await socket.send_to(text_data="not json")
    assert (await next_of(socket, "error"))["code"] == "bad_message"
    await socket.send_to(bytes_data=b"\x00")
    assert (await next_of(socket, "error"))["code"] == "bad_message"
    await socket.send_json_to({"type": "dance"})
    assert (await next_of(socket, "error"))["code"] == "bad_message"
    await socket.send_json_to({"type": "change", "ops": [stage_op()]})
    assert (await next_of(socket, "error"))["code"] == "bad_message"
    change_id = await send_change(socket, [{"type": "stage.create", "id": "x"}])
    error = await next_of(socket, "error")
    assert error["code"] == "invalid_op" and error["id"] == change_id and error["op"] == 0
    change_id = await send_change(
        socket, [stage_op(), {"type": "stage.delete", "id": str(uuid.uuid4())}]
    )
    error = await next_of(socket, "error")
    assert error["code"] == "not_found" and error["op"] == 1
    await socket.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 300_000}))
    assert (await next_of(socket, "error"))["code"] == "too_large"
    await socket.send_json_to({"type": "presence", "editing": 5, "cursor": None})
    assert (await next_of(socket, "error"))["code"] == "bad_message"
    assert await database_sync_to_async(Stage.objects.count)() == 0
    await socket.send_json_to({"type": "ping"})
    assert (await next_of(socket, "pong"))["type"] == "pong"
    await socket.disconnect()


async def test_too_many_changes_are_rate_limited(
    journey_map: Any, owner: Any, settings: Any
) -> None:
    settings.LIVE_CHANGE_RATE = (0.001, 2)
    socket, _ = await joined(journey_map.pk, owner)
    for index in range(3):
        await send_change(socket, [stage_op(position=f"a{index}")])
    codes = [(await socket.receive_json_from(timeout=3))["type"] for _ in range(3)]
    assert codes.count("change") == 2 and codes.count("error") == 1
    await socket.disconnect()


async def test_a_duplicate_change_id_is_acknowledged_again_to_its_author_only(
    journey_map: Any, owner: Any, member: Any
) -> None:
    author, _ = await joined(journey_map.pk, owner)
    peer, _ = await joined(journey_map.pk, member)
    ops = [stage_op()]
    change_id = await send_change(author, ops)
    first = await next_of(author, "change")
    assert (await next_of(peer, "change"))["id"] == change_id
    await send_change(author, ops, change_id)
    assert await next_of(author, "change") == first
    assert await peer.receive_nothing(timeout=0.3)
    await send_change(author, [stage_op()], change_id)
    assert (await next_of(author, "error"))["code"] == "invalid_op"
    assert await database_sync_to_async(Change.objects.count)() == 1
    await author.disconnect()
    await peer.disconnect()


async def test_catch_up_sends_missed_changes_in_order(journey_map: Any, owner: Any) -> None:
    start = journey_map.revision
    for _ in range(3):
        await apply_directly(journey_map, owner)
    socket, welcome = await joined(journey_map.pk, owner, query=f"since={start}")
    assert welcome["revision"] == start + 3
    revisions = [(await next_of(socket, "change"))["revision"] for _ in range(3)]
    assert revisions == [start + 1, start + 2, start + 3]
    await apply_directly(journey_map, owner)
    assert (await next_of(socket, "change"))["revision"] == start + 4
    await socket.disconnect()


async def test_a_client_too_far_behind_is_told_to_resync(
    journey_map: Any, owner: Any, monkeypatch: Any
) -> None:
    from live import services as live

    monkeypatch.setattr(live, "CATCH_UP_LIMIT", 2)
    start = journey_map.revision
    for _ in range(3):
        await apply_directly(journey_map, owner)
    socket, _ = await joined(journey_map.pk, owner, query=f"since={start}")
    assert (await socket.receive_json_from())["type"] == "resync"
    await socket.disconnect()
    ahead, _ = await joined(journey_map.pk, owner, query="since=99999")
    assert (await ahead.receive_json_from())["type"] == "resync"
    await ahead.disconnect()


async def test_a_dropped_group_message_is_repaired_from_the_op_log(
    journey_map: Any, owner: Any, monkeypatch: Any
) -> None:
    socket, welcome = await joined(journey_map.pk, owner)
    real = services.broadcast
    monkeypatch.setattr(services, "broadcast", lambda **kwargs: None)  # the layer loses it
    await apply_directly(journey_map, owner)
    monkeypatch.setattr(services, "broadcast", real)
    assert await socket.receive_nothing(timeout=0.2)
    await apply_directly(journey_map, owner)
    revisions = [(await next_of(socket, "change"))["revision"] for _ in range(2)]
    assert revisions == [welcome["revision"] + 1, welcome["revision"] + 2]
    await socket.disconnect()


async def test_the_changes_api_fills_a_gap_a_client_sees(
    journey_map: Any, owner: Any, client_for: Any
) -> None:
    start = journey_map.revision
    for _ in range(2):
        await apply_directly(journey_map, owner)
    url = f"/api/maps/{journey_map.pk}/changes/?since={start}"
    body = await database_sync_to_async(lambda: client_for(owner).get(url).json())()
    assert [change["revision"] for change in body["results"]] == [start + 1, start + 2]


async def test_presence_reaches_peers_but_not_the_sender(
    journey_map: Any, owner: Any, member: Any
) -> None:
    first, _ = await joined(journey_map.pk, owner)
    second, welcome2 = await joined(journey_map.pk, member)
    await next_of(first, "join")
    await second.send_json_to({"type": "presence", "editing": "abc", "cursor": {"x": 3, "y": 4.25}})
    seen = await next_of(first, "presence")
    assert seen["session"] == welcome2["you"]["session"] and seen["editing"] == "abc"
    assert seen["cursor"] == {"x": 3.0, "y": 4.2}
    assert await second.receive_nothing(timeout=0.2)
    third, welcome3 = await joined(journey_map.pk, owner)
    editing = {p["session"]: p.get("editing") for p in welcome3["peers"]}
    assert editing[welcome2["you"]["session"]] == "abc"
    for socket in (first, second, third):
        await socket.disconnect()


async def test_a_change_to_a_map_that_disappears_is_refused_with_not_found(
    journey_map: Any, owner: Any, monkeypatch: Any
) -> None:
    from live import revocation

    # The deletion's news is held back, so the socket is still open when its change arrives.
    monkeypatch.setattr(revocation, "access_announce", lambda **kwargs: None)
    socket, _ = await joined(journey_map.pk, owner)
    await database_sync_to_async(JourneyMap.objects.filter(pk=journey_map.pk).delete)()
    await send_change(socket, [stage_op()])
    assert (await next_of(socket, "error"))["code"] in {"not_found", "forbidden"}
    await socket.disconnect()
