"""Sharing rules on the live socket: every role x every action, share-link expiry and role
changes on open sockets, restore and mentions arriving through the socket path."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from collab.models import Notification
from maps.services import apply_ops
from tests.live.test_consumers import joined, make_link, next_of, send_change
from workspaces.models import ShareLink

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["owner", "editor", "commenter", "viewer", "viewer link", "commenter link"]
# action -> the roles that may do it over the socket. Share-link sockets are read-only
# (docs/protocol.md): commenting through a link goes through REST with a signed-in person.
ALLOWED = {
    "edit content": {"owner", "editor"},
    "comment": {"owner", "editor", "commenter"},
    "resolve a comment": {"owner", "editor", "commenter"},
    "edit the owner's comment": {"owner"},
    "delete the editor's comment": {"owner", "editor"},
}


@database_sync_to_async
def setting_up(journey_map: Any, role_users: dict[str, Any]) -> dict[str, str]:
    stage, by_owner, by_editor = (str(uuid.uuid4()) for _ in range(3))
    apply_ops(
        map_id=journey_map.pk,
        actor=role_users["owner"],
        change_id=uuid.uuid4(),
        ops=[
            {"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"},
            {"type": "comment.create", "id": by_owner, "stage": stage, "text": "Của chủ"},
        ],
    )
    apply_ops(
        map_id=journey_map.pk,
        actor=role_users["editor"],
        change_id=uuid.uuid4(),
        ops=[{"type": "comment.create", "id": by_editor, "stage": stage, "text": "Của Minh"}],
    )
    links = {
        role: ShareLink.objects.create(
            map=journey_map, role=role.split()[0], created_by=role_users["owner"]
        ).token
        for role in ("viewer link", "commenter link")
    }
    return {"stage": stage, "by_owner": by_owner, "by_editor": by_editor, **links}


def op_for(action: str, ids: dict[str, str]) -> dict[str, Any]:
    ops: dict[str, dict[str, Any]] = {
        "edit content": {"type": "stage.update", "id": ids["stage"], "fields": {"name": "Mới"}},
        "comment": {
            "type": "comment.create",
            "id": str(uuid.uuid4()),
            "stage": ids["stage"],
            "text": "Ý kiến",
        },
        "resolve a comment": {"type": "comment.resolve", "id": ids["by_owner"]},
        "edit the owner's comment": {
            "type": "comment.update",
            "id": ids["by_owner"],
            "text": "Sửa",
        },
        "delete the editor's comment": {"type": "comment.delete", "id": ids["by_editor"]},
    }
    return ops[action]


async def reply_to(socket: Any, change_id: str) -> dict[str, Any]:
    for _ in range(20):
        message = await socket.receive_json_from(timeout=3)
        if message["type"] in {"change", "error"} and message.get("id") == change_id:
            return message
    raise AssertionError("no answer to the change")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
async def test_each_role_may_do_exactly_what_it_is_allowed_over_the_socket(
    action: str, role: str, journey_map: Any, role_users: dict[str, Any]
) -> None:
    ids = await setting_up(journey_map, role_users)
    if role.endswith("link"):
        socket, welcome = await joined(journey_map.pk, query=f"share={ids[role]}")
    else:
        socket, welcome = await joined(journey_map.pk, role_users[role])
    assert welcome["role"] == role.split()[0]
    change_id = await send_change(socket, [op_for(action, ids)])
    answer = await reply_to(socket, change_id)
    if role in ALLOWED[action]:
        assert answer["type"] == "change", answer
    else:
        assert (answer["type"], answer["code"]) == ("error", "forbidden")
    await socket.disconnect()


async def test_a_share_link_that_expires_closes_its_open_socket(journey_map: Any, owner: Any):
    link = await make_link(
        journey_map, owner, expires=timezone.now() + dt.timedelta(milliseconds=800)
    )
    socket, welcome = await joined(journey_map.pk, query=f"share={link.token}")
    assert welcome["role"] == "viewer"
    for _ in range(10):
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            assert output["code"] == 4403
            return
    raise AssertionError("the socket outlived its link")


async def test_a_role_changed_or_removed_by_the_owner_bites_on_an_open_socket(
    journey_map: Any, role_users: dict[str, Any], client_for: Any
) -> None:
    ids = await setting_up(journey_map, role_users)
    guest = role_users["commenter"]
    socket, _ = await joined(journey_map.pk, guest)
    owner_api = await database_sync_to_async(client_for)(role_users["owner"])
    url = f"/api/maps/{journey_map.pk}/members/{guest.pk}/"

    promoted = await database_sync_to_async(owner_api.patch)(url, {"role": "editor"}, format="json")
    assert promoted.status_code == 200
    assert await closed_code(socket) == 4409  # reconnect: the welcome says the new role
    socket, welcome = await joined(journey_map.pk, guest)
    assert welcome["role"] == "editor"
    change_id = await send_change(socket, [op_for("edit content", ids)])
    assert (await reply_to(socket, change_id))["type"] == "change"

    assert (await database_sync_to_async(owner_api.delete)(url)).status_code == 204
    assert await closed_code(socket) == 4403


async def closed_code(socket: Any) -> int:
    while True:
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return int(output["code"])


async def test_a_restore_reaches_open_sockets_as_one_change(
    journey_map: Any, role_users: dict[str, Any], client_for: Any
) -> None:
    ids = await setting_up(journey_map, role_users)
    watcher, welcome = await joined(journey_map.pk, role_users["viewer"])
    editor, _ = await joined(journey_map.pk, role_users["editor"])
    change_id = await send_change(editor, [op_for("edit content", ids)])
    await reply_to(editor, change_id)
    assert (await next_of(watcher, "change"))["revision"] == welcome["revision"] + 1

    owner_api = await database_sync_to_async(client_for)(role_users["owner"])
    response = await database_sync_to_async(owner_api.post)(
        f"/api/maps/{journey_map.pk}/restore/", {"revision": welcome["revision"]}, format="json"
    )

    restored = await next_of(watcher, "change")
    assert restored["revision"] == response.json()["revision"] == welcome["revision"] + 2
    assert restored["ops"] == [
        {"type": "stage.update", "id": ids["stage"], "fields": {"name": "Nhận thức"}}
    ]
    await asyncio.gather(watcher.disconnect(), editor.disconnect())


async def test_a_mention_sent_over_the_socket_notifies_after_commit(
    journey_map: Any, role_users: dict[str, Any]
) -> None:
    ids = await setting_up(journey_map, role_users)
    socket, _ = await joined(journey_map.pk, role_users["commenter"])
    op = {
        "type": "comment.create",
        "id": str(uuid.uuid4()),
        "stage": ids["stage"],
        "text": "@viewer @outsider xem giúp",
    }
    change_id = await send_change(socket, [op])
    assert (await reply_to(socket, change_id))["type"] == "change"
    notified = await database_sync_to_async(
        lambda: sorted(Notification.objects.values_list("recipient__username", flat=True))
    )()
    assert notified == ["viewer"]
    await socket.disconnect()
