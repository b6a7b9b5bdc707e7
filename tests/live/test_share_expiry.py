from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from django.utils import timezone

from live.share_links import CLOSE_NO_ACCESS, ShareLinkSocketMixin
from workspaces.models import ShareLink

pytestmark = pytest.mark.django_db


class FakeSocket(ShareLinkSocketMixin):
    def __init__(self) -> None:
        self.closed: list[tuple[int, str]] = []

    def access_end(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))


def test_a_socket_closes_itself_when_its_link_expires(owner, journey_map):
    link = ShareLink.objects.create(
        map=journey_map,
        role="viewer",
        created_by=owner,
        expires=timezone.now() + dt.timedelta(milliseconds=150),
    )

    async def scenario() -> list[tuple[int, str]]:
        socket = FakeSocket()
        socket.share_link_attach(link)
        await asyncio.sleep(0.05)
        assert socket.closed == []
        await asyncio.sleep(0.3)
        return socket.closed

    assert asyncio.run(scenario()) == [(CLOSE_NO_ACCESS, "access_removed")]
