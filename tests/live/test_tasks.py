"""The periodic sweep of share links that just expired (live/tasks.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from live.revocation import ACCESS_CHANGED
from live.tasks import share_links_expire
from workspaces.models import ShareLink

pytestmark = pytest.mark.django_db


def test_the_sweep_has_maps_check_their_sockets_when_a_link_just_expired(
    owner, journey_map, django_capture_on_commit_callbacks
):
    now = timezone.now()
    ShareLink.objects.create(
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
    epoch = journey_map.access_epoch

    with django_capture_on_commit_callbacks(execute=True):
        assert share_links_expire() == 1

    assert async_to_sync(layer.receive)(channel) == {"type": ACCESS_CHANGED, "sessions": []}
    journey_map.refresh_from_db()
    assert journey_map.access_epoch == epoch + 1


def test_the_sweep_with_nothing_expired_tells_nobody(owner, journey_map):
    ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    epoch = journey_map.access_epoch
    assert share_links_expire() == 0
    journey_map.refresh_from_db()
    assert journey_map.access_epoch == epoch
