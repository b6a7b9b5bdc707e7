from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from live.share_links import CLOSE_NO_ACCESS, ShareLinkSocketMixin
from workspaces.models import ShareLink
from workspaces.sharing import SHARE_REVOKED
from workspaces.tasks import share_links_expire

pytestmark = pytest.mark.django_db


class FakeSocket(ShareLinkSocketMixin):
    def __init__(self) -> None:
        self.closed: list[int] = []

    async def close(self, code: int) -> None:
        self.closed.append(code)


def test_a_socket_closes_when_its_own_link_is_revoked_and_only_then(owner, journey_map):
    mine = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    other = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)

    async def scenario() -> list[int]:
        socket = FakeSocket()
        socket.share_link_attach(mine)
        await socket.share_revoked({"type": SHARE_REVOKED, "link": str(other.pk)})
        assert socket.closed == []
        await socket.share_revoked({"type": SHARE_REVOKED, "link": str(mine.pk)})
        return socket.closed

    assert asyncio.run(scenario()) == [CLOSE_NO_ACCESS]


def test_a_socket_closes_itself_when_its_link_expires(owner, journey_map):
    link = ShareLink.objects.create(
        map=journey_map,
        role="viewer",
        created_by=owner,
        expires=timezone.now() + dt.timedelta(milliseconds=150),
    )

    async def scenario() -> list[int]:
        socket = FakeSocket()
        socket.share_link_attach(link)
        await asyncio.sleep(0.05)
        assert socket.closed == []
        await asyncio.sleep(0.3)
        return socket.closed

    assert asyncio.run(scenario()) == [CLOSE_NO_ACCESS]


def test_the_sweep_tells_maps_about_links_that_just_expired(owner, journey_map):
    now = timezone.now()
    expired = ShareLink.objects.create(
        map=journey_map, role="viewer", created_by=owner, expires=now - dt.timedelta(seconds=30)
    )
    ShareLink.objects.create(
        map=journey_map, role="viewer", created_by=owner, expires=now + dt.timedelta(hours=1)
    )
    ShareLink.objects.create(
        map=journey_map, role="viewer", created_by=owner, expires=now - dt.timedelta(days=2)
    )
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(journey_map.group_name, channel)

    assert share_links_expire() == 1
    assert async_to_sync(layer.receive)(channel) == {"type": SHARE_REVOKED, "link": str(expired.pk)}
