"""maps/document_types.py says what map_document returns: the same keys, per row and per kind
of item (so a key added to the document without its type, or the reverse, fails here)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maps.document_types import (
    CommentAuthor,
    CommentRow,
    ItemRow,
    LaneRow,
    LinkRow,
    MapDocument,
    PersonaSummary,
    StageRow,
)
from maps.item_schema import ITEM_COMMON, ITEM_FIELDS_OF_KIND
from maps.models import ITEM_KIND_OF_LANE, ItemKind, LaneKind
from maps.services import apply_ops, map_document

pytestmark = pytest.mark.django_db


def keys(typed: Any) -> set[str]:
    return set(typed.__required_keys__ | typed.__optional_keys__)


def test_item_keys_are_the_schemas() -> None:
    assert ItemRow.__required_keys__ == set(ITEM_COMMON)
    assert ItemRow.__optional_keys__ == {
        key for extra in ITEM_FIELDS_OF_KIND.values() for key in extra
    }


def test_a_built_document_has_exactly_the_typed_keys(
    journey_map: Any, owner: Any, personas: list[str]
) -> None:
    stage, text, link = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    lane_of = {ItemKind.CARD.value: LaneKind.THOUGHTS.value} | {
        kind.value: lane.value for lane, kind in ITEM_KIND_OF_LANE.items()
    }
    ops: list[dict[str, Any]] = [
        {"type": "map.update", "fields": {"next_review": "2027-01-31"}},
        {"type": "persona.attach", "persona": personas[0]},
        {"type": "stage.create", "id": stage, "name": "Tìm hiểu", "position": "a"},
    ]
    items = {}
    for position, (kind, lane_kind) in enumerate(sorted(lane_of.items())):
        lane, item = str(uuid.uuid4()), str(uuid.uuid4())
        items[kind] = item
        ops.append(
            {
                "type": "lane.create",
                "id": lane,
                "kind": lane_kind,
                "title": kind,
                "position": f"a{position}",
            }
        )
        ops.append(
            {
                "type": "item.create",
                "id": item,
                "lane": lane,
                "stage": stage,
                "position": "a",
                "text": kind,
            }
        )
    ops.append(
        {"type": "link.create", "id": link, "source": items["card"], "target": items["action"]}
    )
    ops.append({"type": "comment.create", "id": text, "item": items["card"], "text": "@owner"})
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    journey_map.refresh_from_db()

    document = map_document(journey_map=journey_map)

    assert set(document) == keys(MapDocument)
    assert {frozenset(p) for p in document["personas"]} == {frozenset(keys(PersonaSummary))}
    assert set(document["stages"][0]) == keys(StageRow)
    assert all(set(lane) == keys(LaneRow) for lane in document["lanes"])
    assert set(document["links"][0]) == keys(LinkRow)
    assert set(document["comments"][0]) == keys(CommentRow)
    assert set(document["comments"][0]["author"]) == keys(CommentAuthor)
    assert {item["kind"] for item in document["items"]} == set(ItemKind.values)
    for row in document["items"]:
        assert set(row) <= keys(ItemRow)
        assert ItemRow.__required_keys__ <= set(row)
