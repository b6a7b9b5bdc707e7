"""An opportunity card's scores, status, owner and due date (issue 15): card content, set by
`item.create`/`item.update` through `apply_ops`, in the map document and the portable export."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maps.documents import PortableDocument, document_export, document_import
from maps.models import Item, JourneyMap
from maps.ops import OpError
from maps.services import apply_ops, map_document

pytestmark = pytest.mark.django_db


def new() -> str:
    return str(uuid.uuid4())


def change(journey_map: Any, actor: Any, *ops: dict[str, Any]) -> Any:
    return apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=list(ops))


@pytest.fixture
def board(journey_map: Any, owner: Any) -> dict[str, str]:
    ids = {"stage": new(), "opportunities": new(), "action_plan": new(), "touchpoints": new()}
    ids |= {"card": new(), "action": new()}
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": ids["stage"], "name": "Mua hàng", "position": "a"}
    ]
    for position, kind in enumerate(("opportunities", "action_plan", "touchpoints")):
        ops.append(
            {
                "type": "lane.create",
                "id": ids[kind],
                "kind": kind,
                "title": kind,
                "position": f"a{position}",
            }
        )
    ops.append(
        {
            "type": "item.create",
            "id": ids["card"],
            "lane": ids["opportunities"],
            "stage": ids["stage"],
            "position": "a",
            "text": "Thanh toán một chạm",
        }
    )
    ops.append(
        {
            "type": "item.create",
            "id": ids["action"],
            "lane": ids["action_plan"],
            "stage": ids["stage"],
            "position": "a",
            "text": "Tích hợp ví điện tử",
        }
    )
    change(journey_map, owner, *ops)
    return ids


def test_an_opportunity_card_takes_rice_scores_status_owner_and_due(
    journey_map: Any, owner: Any, board: dict[str, str]
) -> None:
    fields = {
        "impact": 4,
        "effort": 2,
        "reach": 12000,
        "confidence": 80,
        "status": "planned",
        "owner": "Team Growth",
        "due": "2027-03-31",
    }
    change(journey_map, owner, {"type": "item.update", "id": board["card"], "fields": fields})

    card = Item.objects.get(pk=board["card"])
    assert (card.impact, card.effort, card.reach, card.confidence) == (4, 2, 12000, 80)
    assert (card.status, card.owner, str(card.due)) == (
        "planned",
        "Team Growth",
        "2027-03-31",
    )
    in_document: dict[str, Any] = dict(
        next(i for i in map_document(journey_map=journey_map)["items"] if i["id"] == board["card"])
    )
    assert {key: in_document[key] for key in fields} == fields


def test_a_new_card_starts_unscored_and_untriaged(journey_map: Any, board: dict[str, str]) -> None:
    in_document = next(
        i for i in map_document(journey_map=journey_map)["items"] if i["id"] == board["card"]
    )

    assert in_document["impact"] is None and in_document["effort"] is None
    assert in_document["status"] == ""


@pytest.mark.parametrize(
    "fields",
    [
        {"impact": 6},
        {"effort": 0},
        {"reach": -1},
        {"confidence": 101},
        {"effort": "3"},
        {"status": "todo"},
        {"status": "someday"},
        {"status": None},
    ],
)
def test_out_of_range_scores_and_unknown_statuses_are_refused_and_change_nothing(
    journey_map: Any, owner: Any, board: dict[str, str], fields: dict[str, Any]
) -> None:
    revision = JourneyMap.objects.get(pk=journey_map.pk).revision

    with pytest.raises(OpError) as caught:
        change(journey_map, owner, {"type": "item.update", "id": board["card"], "fields": fields})

    assert caught.value.code == "invalid_op"
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == revision
    card = Item.objects.get(pk=board["card"])
    assert (card.impact, card.effort, card.reach, card.confidence, card.status) == (
        None,
        None,
        None,
        None,
        "",
    )


def test_an_action_item_keeps_its_own_statuses(
    journey_map: Any, owner: Any, board: dict[str, str]
) -> None:
    with pytest.raises(OpError) as caught:
        change(
            journey_map,
            owner,
            {"type": "item.update", "id": board["action"], "fields": {"status": "planned"}},
        )
    assert "todo" in caught.value.message

    change(
        journey_map,
        owner,
        {"type": "item.update", "id": board["action"], "fields": {"status": "done"}},
    )
    assert Item.objects.get(pk=board["action"]).status == "done"


def test_an_action_item_takes_no_effort(
    journey_map: Any, owner: Any, board: dict[str, str]
) -> None:
    with pytest.raises(OpError) as caught:
        change(
            journey_map,
            owner,
            {"type": "item.update", "id": board["action"], "fields": {"effort": 2}},
        )
    assert caught.value.code == "invalid_op"


def test_scores_can_be_cleared_with_null(
    journey_map: Any, owner: Any, board: dict[str, str]
) -> None:
    scored = {"impact": 3, "effort": 3, "reach": 10, "confidence": 50}
    change(journey_map, owner, {"type": "item.update", "id": board["card"], "fields": scored})
    cleared = dict.fromkeys(scored)
    change(journey_map, owner, {"type": "item.update", "id": board["card"], "fields": cleared})

    card = Item.objects.get(pk=board["card"])
    assert (card.impact, card.effort, card.reach, card.confidence) == (None, None, None, None)


def test_the_portable_export_carries_the_scores_into_an_imported_map(
    journey_map: Any, owner: Any, workspace: Any, board: dict[str, str]
) -> None:
    fields = {"impact": 5, "effort": 1, "reach": 300, "confidence": 90, "status": "in_progress"}
    change(journey_map, owner, {"type": "item.update", "id": board["card"], "fields": fields})
    exported = document_export(journey_map=journey_map)
    copy = document_import(
        workspace=workspace, actor=owner, document=PortableDocument.model_validate(exported)
    )

    imported = Item.objects.get(map=copy, text="Thanh toán một chạm")
    assert (imported.impact, imported.effort, imported.reach) == (5, 1, 300)
    assert (imported.confidence, imported.status) == (90, "in_progress")
