"""Access taken away in one process closes sockets held by another (Redis channel layer,
PostgreSQL): for every way access ends, a socket open on a separate ASGI server process is
closed within a second with its code and reason, and receives nothing after the revocation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from maps.models import JourneyMap
from maps.services import apply_ops
from tests.servers import AppServer, free_port, shared_test_database_url
from workspaces.models import MapAccess, Membership, ShareLink, Workspace
from workspaces.services import membership_set
from workspaces.sharing import map_access_change, map_access_remove, share_link_revoke

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
SECRET = "Kế hoạch giá Q3 (bí mật)"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[AppServer]:
    with django_db_blocker.unblock():
        url = shared_test_database_url()
    app = AppServer(free_port(), tmp_path_factory.mktemp("revocation"), DATABASE_URL=url)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def _set_password(user: Any) -> None:
    fresh = get_user_model().objects.get(pk=user.pk)
    fresh.set_password("một mật khẩu mới")
    fresh.save()


def _end_sessions(user: Any) -> None:
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


def _deactivate(user: Any) -> None:
    fresh = get_user_model().objects.get(pk=user.pk)
    fresh.is_active = False
    fresh.save()


# way -> (how the viewer's socket authenticates, the revocation, the expected close)
WAYS: dict[str, tuple[str, Callable[[Any, Any, Any], Any], tuple[int, str]]] = {
    "map role removed": (
        "token",
        lambda m, u, link: map_access_remove(journey_map=m, user=u),
        (4403, "access_removed"),
    ),
    "workspace membership removed": (
        "member token",
        lambda m, u, link: Membership.objects.filter(user=u).delete(),
        (4403, "access_removed"),
    ),
    "map deleted": (
        "token",
        lambda m, u, link: JourneyMap.objects.filter(pk=m.pk).delete(),
        (4404, "map_deleted"),
    ),
    "workspace deleted": (
        "token",
        lambda m, u, link: Workspace.objects.filter(pk=m.workspace_id).delete(),
        (4404, "map_deleted"),
    ),
    "share link revoked": (
        "link",
        lambda m, u, link: share_link_revoke(link=link),
        (4403, "access_removed"),
    ),
    "password changed": ("session", lambda m, u, link: _set_password(u), (4401, "signed_out")),
    "account deactivated": ("token", lambda m, u, link: _deactivate(u), (4401, "signed_out")),
    "token revoked": (
        "token",
        lambda m, u, link: Token.objects.filter(user=u).delete(),
        (4401, "signed_out"),
    ),
    "sessions ended everywhere": (
        "session",
        lambda m, u, link: _end_sessions(u),
        (4401, "signed_out"),
    ),
    "signed out": (
        "session",
        lambda m, u, link: link.post("/logout/"),
        (4401, "signed_out"),
    ),
}


def _headers(kind: str, user: Any, credentials: Any) -> dict[str, str]:
    headers = {"Origin": "http://127.0.0.1"}
    if kind.endswith("token"):
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    elif kind == "session":
        name = settings.SESSION_COOKIE_NAME
        headers["Cookie"] = f"{name}={credentials.cookies[name].value}"
    return headers


async def _closed(socket: Any, seconds: float) -> tuple[tuple[int, str], list[str]]:
    """The close frame (code, reason) and every text received before it."""
    from websockets.exceptions import ConnectionClosed

    texts: list[str] = []
    try:
        async with asyncio.timeout(seconds):
            with contextlib.suppress(ConnectionClosed):  # closed with a code other than 1000
                async for text in socket:
                    texts.append(str(text))
    except TimeoutError:
        raise AssertionError(f"still open after {seconds} s; received {texts}") from None
    assert socket.close_code is not None
    return (socket.close_code, socket.close_reason or ""), texts


@pytest.mark.parametrize("way", sorted(WAYS))
def test_access_ended_in_one_process_closes_a_socket_held_by_another(
    way: str, server: AppServer, journey_map: Any, owner: Any, member: Any, make_user: Any
) -> None:
    import websockets

    kind, revoke, expected = WAYS[way]
    viewer = member if kind == "member token" else make_user("viewer")
    if viewer is not member:
        MapAccess.objects.create(map=journey_map, user=viewer, role="viewer")
    credentials: Any = None
    query = ""
    if kind == "link":
        credentials = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
        query = f"?share={credentials.token}"
    elif kind == "session":
        credentials = Client()
        credentials.force_login(viewer)
    headers = _headers(kind, viewer, credentials)
    url = f"ws://127.0.0.1:{server.port}/ws/maps/{journey_map.pk}/{query}"

    async def scenario() -> tuple[float, tuple[int, str], list[str]]:
        async with websockets.connect(url, additional_headers=headers) as socket:
            assert json.loads(await socket.recv())["type"] == "welcome"
            await asyncio.to_thread(revoke, journey_map, viewer, credentials)
            started = time.monotonic()  # committed: the clock of "within a second" starts
            # What follows the revocation, made in this process, published through Redis.
            if await asyncio.to_thread(JourneyMap.objects.filter(pk=journey_map.pk).exists):
                await asyncio.to_thread(
                    apply_ops,
                    map_id=journey_map.pk,
                    actor=owner,
                    change_id=uuid.uuid4(),
                    ops=[{"type": "map.update", "fields": {"objective": SECRET}}],
                )
            closed, texts = await _closed(socket, seconds=5)
            return time.monotonic() - started, closed, texts

    took, closed, texts = asyncio.run(scenario())
    assert closed == expected, server.log_tail()
    assert took < 1.0, f"closed after {took:.2f} s"
    assert not [text for text in texts if SECRET in text or '"type":"change"' in text]


@pytest.mark.parametrize("through", ["map role", "workspace membership"])
def test_a_role_lowered_in_one_process_refuses_the_next_change_on_another(
    through: str, server: AppServer, journey_map: Any, workspace: Any, make_user: Any
) -> None:
    import websockets

    editor = make_user("editor")
    if through == "map role":
        MapAccess.objects.create(map=journey_map, user=editor, role="editor")
        start, lowered = "editor", "viewer"

        def lower() -> None:
            map_access_change(journey_map=journey_map, user=editor, role="viewer")
    else:
        membership_set(workspace=workspace, user=editor, role="admin")
        start, lowered = "owner", "editor"

        def lower() -> None:
            membership_set(workspace=workspace, user=editor, role="member")

    headers = _headers("token", editor, None)
    url = f"ws://127.0.0.1:{server.port}/ws/maps/{journey_map.pk}/"

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(url, additional_headers=headers) as socket:
            assert json.loads(await socket.recv())["role"] == start
            await asyncio.to_thread(lower)
            got = [json.loads(await asyncio.wait_for(socket.recv(), 1))]
            op = {"type": "map.update", "fields": {"objective": "Sửa"}}
            await socket.send(json.dumps({"type": "change", "id": str(uuid.uuid4()), "ops": [op]}))
            got.append(json.loads(await asyncio.wait_for(socket.recv(), 3)))
            return got

    notice, answer = asyncio.run(scenario())
    assert (notice["type"], notice["code"], notice["role"]) == ("error", "forbidden", lowered)
    journey_map.refresh_from_db()
    if lowered == "viewer":
        assert (answer["type"], answer["code"]) == ("error", "forbidden")
        assert journey_map.objective != "Sửa"
    else:  # an owner lowered to editor still edits
        assert answer["type"] == "change"
        assert journey_map.objective == "Sửa"
