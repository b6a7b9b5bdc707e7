"""The map document read model: the whole map as the document docs/protocol.md describes (GET
/api/maps/{id}/, the socket's resync, exports, history), read in a fixed number of queries
and without model instances where rows will do (docs/architecture.md: never a query per stage,
lane or item). Re-exported by maps.services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from maps.document_types import (
    CommentRow,
    ItemRow,
    LaneRow,
    LinkRow,
    MapDocument,
    PersonaSummary,
    StageRow,
)
from maps.item_schema import ITEM_COLUMNS, ITEM_COMMON, ITEM_FIELDS_OF_KIND
from maps.models import Comment, Item, JourneyMap, Lane, Link, Stage

if TYPE_CHECKING:
    from personas.models import Persona


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Fractional-index keys compare as plain ASCII strings; ties by id (docs/protocol.md).
    # Sorting here keeps the order independent of the database collation.
    return sorted(rows, key=lambda row: (row["position"], str(row["id"])))


STAGE_FIELDS = ("id", "name", "description", "phase", "color", "position", "subjourney")
LANE_FIELDS = ("id", "kind", "title", "description", "collapsed", "position")
# An item's keys and columns (ITEM_COMMON, ITEM_FIELDS_OF_KIND, ITEM_COLUMNS): item_schema.py.
FOREIGN_KEYS = {"lane", "stage", "persona", "fixes"}
UUID_KEYS = {"id"} | FOREIGN_KEYS
_COLUMN_INDEX = {key: index for index, key in enumerate(ITEM_COLUMNS)}
# For each kind, the (key, column index) pairs its items show.
_PICKS = {
    kind: [(key, _COLUMN_INDEX[key]) for key in ITEM_COMMON + extra]
    for kind, extra in ITEM_FIELDS_OF_KIND.items()
}


def _item_rows(map_id: Any) -> list[dict[str, Any]]:
    """Every item of the map as plain rows: tuples from one query, no model instances.

    On PostgreSQL the UUIDs come back as text: parsing 3,000 UUIDs only to print them again
    was a third of the time of a 600-item document.
    """
    as_text = connection.vendor == "postgresql"
    columns = [
        Cast(f"{key}_id" if key in FOREIGN_KEYS else key, output_field=TextField())
        if as_text and key in UUID_KEYS
        else (f"{key}_id" if key in FOREIGN_KEYS else key)
        for key in ITEM_COLUMNS
    ]
    kind_index = _COLUMN_INDEX["kind"]
    items = []
    for row in Item.objects.filter(map_id=map_id).values_list(*columns):
        item = {key: row[index] for key, index in _PICKS[row[kind_index]]}
        if not as_text:
            for key in UUID_KEYS & item.keys():
                if item[key] is not None:
                    item[key] = str(item[key])
        if item.get("due") is not None:
            item["due"] = item["due"].isoformat()
        items.append(item)
    return items


def _ids_to_str(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if row.get(key) is not None:
            row[key] = str(row[key])
    return row


def persona_summary(persona: Persona) -> PersonaSummary:
    return {
        "id": str(persona.id),
        "name": persona.name,
        "quote": persona.quote,
        "color": persona.color,
        "segment": persona.segment,
        "photo": persona.photo.url if persona.photo else None,
        "age": persona.age,
        "location": persona.location,
        "job_title": persona.job_title,
        "company": persona.company,
        "goals": persona.goals,
        "pain_points": persona.pain_points,
    }


def map_document(*, journey_map: JourneyMap) -> MapDocument:
    """The whole map as docs/protocol.md's document, in a fixed number of queries (7)."""
    map_id = journey_map.pk
    stages = list(Stage.objects.filter(map_id=map_id).values(*STAGE_FIELDS))
    lanes = list(Lane.objects.filter(map_id=map_id).values(*LANE_FIELDS))
    items = _item_rows(map_id)
    links = [
        _ids_to_str(
            {
                "id": r["id"],
                "source": r["source_id"],
                "target": r["target_id"],
                "label": r["label"],
            },
            "id",
            "source",
            "target",
        )
        for r in Link.objects.filter(map_id=map_id).values("id", "source_id", "target_id", "label")
    ]
    comments: list[CommentRow] = [
        {
            "id": str(c["id"]),
            "item": str(c["item_id"]) if c["item_id"] else None,
            "stage": str(c["stage_id"]) if c["stage_id"] else None,
            "parent": str(c["parent_id"]) if c["parent_id"] else None,
            "author": {
                "id": c["author_id"],
                "username": c["author__username"],
                "name": _display(
                    c["author__first_name"], c["author__last_name"], c["author__username"]
                ),
            },
            "text": c["text"],
            "mentions": c["mentions"],
            "resolved": c["resolved"],
            "created": c["created_at"].isoformat(),
            "updated": c["updated_at"].isoformat(),
        }
        for c in Comment.objects.filter(map_id=map_id).values(
            "id",
            "item_id",
            "stage_id",
            "parent_id",
            "author_id",
            "author__username",
            "author__first_name",
            "author__last_name",
            "text",
            "mentions",
            "resolved",
            "created_at",
            "updated_at",
        )
    ]
    personas = [persona_summary(p) for p in journey_map.personas.all()]
    for stage in stages:
        _ids_to_str(stage, "id", "subjourney")
    for lane in lanes:
        lane["id"] = str(lane["id"])
    return {
        "id": str(map_id),
        "workspace": str(journey_map.workspace_id),
        "title": journey_map.title,
        "objective": journey_map.objective,
        "type": journey_map.type,
        "audience": journey_map.audience,
        "scenario": journey_map.scenario,
        "status": journey_map.status,
        "language": journey_map.language,
        "next_review": journey_map.next_review.isoformat() if journey_map.next_review else None,
        "template": journey_map.template,
        "current_state": str(journey_map.current_state_id)
        if journey_map.current_state_id
        else None,
        "revision": journey_map.revision,
        "created": journey_map.created_at.isoformat(),
        "updated": journey_map.updated_at.isoformat(),
        "personas": personas,
        "stages": cast("list[StageRow]", _sorted(stages)),
        "lanes": cast("list[LaneRow]", _sorted(lanes)),
        "items": cast("list[ItemRow]", _sorted(items)),
        "links": cast("list[LinkRow]", links),
        "comments": comments,
    }


def _display(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{first or ''} {last or ''}".strip()
    return full or (username or "")
