"""The `change` message is built and serialised in one place (maps/messages.py): a change
heard live and the same change read back from the op log are the same message."""

from __future__ import annotations

import json
import uuid

import pytest

from live.lanes import changes_event
from live.services import change_text
from maps.models import Change
from maps.services import apply_ops

pytestmark = pytest.mark.django_db


def test_a_change_read_back_for_catch_up_is_the_message_that_was_broadcast(journey_map, owner):
    ops = [{"type": "stage.create", "id": str(uuid.uuid4()), "name": "Nhận thức", "position": "a0"}]
    applied = apply_ops(
        map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops, session="s1"
    )
    [[revision, live_text, _epoch]] = changes_event([applied])["changes"]
    logged = Change.objects.get(map=journey_map, revision=revision)
    # The same message; PostgreSQL's jsonb keeps an op's keys in an order of its own.
    assert json.loads(change_text(logged)) == json.loads(live_text)
    assert "Nhận thức" in live_text  # UTF-8 as it is, not escaped
