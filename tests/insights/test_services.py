"""Links follow their cards: a card deleted by a change (or with its stage or map) takes its
links with it; the insight stays in the workspace."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from insights.models import Insight, InsightLink
from maps.models import Item
from maps.services import apply_ops
from tests.insights import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(workspace: Any, journey_map: Any, owner: Any) -> dict[str, Any]:
    built = world.build(workspace=workspace, journey_map=journey_map, owner=owner)
    for card in built["cards"]:
        InsightLink.objects.create(insight=built["quote"], item_id=card)
    return built


def test_deleting_a_card_deletes_its_links_and_keeps_the_insight(
    w: dict[str, Any], owner: Any
) -> None:
    op = {"type": "item.delete", "id": w["cards"][0]}
    apply_ops(map_id=w["map"].pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
    assert list(InsightLink.objects.values_list("item_id", flat=True)) == [uuid.UUID(w["cards"][1])]
    assert Insight.objects.filter(pk=w["quote"].pk).exists()


def test_deleting_a_stage_or_the_map_takes_the_links_along(w: dict[str, Any], owner: Any) -> None:
    stage = Item.objects.get(pk=w["cards"][0]).stage_id
    op = {"type": "stage.delete", "id": str(stage)}
    apply_ops(map_id=w["map"].pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
    assert not InsightLink.objects.exists()
    InsightLink.objects.create(insight=w["survey"], item_id=w["other_cards"][0])
    w["other"].delete()
    assert not InsightLink.objects.exists()
    assert Insight.objects.count() == 2
