"""Restoring a revision whose stages opened sub-journeys: the links come back when they still
can, and a link that can no longer be made does not make the whole restore fail."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from history.services import map_restore
from maps.documents import map_create
from maps.models import JourneyMap, Stage
from maps.services import apply_ops

pytestmark = pytest.mark.django_db


def _change(journey_map: Any, actor: Any, *ops: dict[str, Any]) -> int:
    applied = apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=list(ops))
    return applied.revision


@pytest.fixture
def linked(journey_map: Any, workspace: Any, owner: Any) -> tuple[Any, Any, str, int]:
    """`journey_map`'s one stage opens `sub`; answers them and the revision of the link."""
    sub = map_create(workspace=workspace, actor=owner, title="Thanh toán")
    stage = str(uuid.uuid4())
    _change(
        journey_map, owner, {"type": "stage.create", "id": stage, "name": "Mua", "position": "a0"}
    )
    revision = _change(
        journey_map,
        owner,
        {"type": "stage.update", "id": stage, "fields": {"subjourney": str(sub.pk)}},
    )
    return journey_map, sub, stage, revision


def test_a_restore_brings_the_link_back(linked, owner):
    journey_map, sub, stage, revision = linked
    _change(
        journey_map, owner, {"type": "stage.update", "id": stage, "fields": {"subjourney": None}}
    )

    map_restore(journey_map=journey_map, actor=owner, revision=revision, role="owner")

    assert Stage.objects.get(pk=stage).subjourney_id == sub.pk


def test_a_restore_after_the_sub_journey_was_deleted_leaves_the_stage_unlinked(linked, owner):
    journey_map, sub, stage, revision = linked
    _change(journey_map, owner, {"type": "stage.update", "id": stage, "fields": {"name": "Mới"}})
    sub.delete()

    map_restore(journey_map=journey_map, actor=owner, revision=revision, role="owner")

    restored = Stage.objects.get(pk=stage)
    assert (restored.name, restored.subjourney_id) == ("Mua", None)


def test_a_restore_that_would_close_a_cycle_leaves_the_stage_unlinked(linked, owner):
    journey_map, sub, stage, revision = linked
    _change(
        journey_map, owner, {"type": "stage.update", "id": stage, "fields": {"subjourney": None}}
    )
    sub_stage = str(uuid.uuid4())
    _change(sub, owner, {"type": "stage.create", "id": sub_stage, "name": "Về", "position": "a0"})
    _change(
        sub,
        owner,
        {"type": "stage.update", "id": sub_stage, "fields": {"subjourney": str(journey_map.pk)}},
    )

    new_revision = map_restore(
        journey_map=journey_map, actor=owner, revision=revision, role="owner"
    )

    assert Stage.objects.get(pk=stage).subjourney_id is None
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == new_revision
