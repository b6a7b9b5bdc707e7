"""Current state and future state of a journey, stage by stage.

Stages pair up by name when both maps have a stage of that name (case and accents kept),
otherwise by their order, so a renamed stage still lines up with its counterpart.
"""

from __future__ import annotations

from typing import Any

from maps.document_types import ItemRow, MapDocument, StageRow
from maps.models import JourneyMap
from maps.services import map_document


def _stage_view(document: MapDocument, stage: StageRow) -> dict[str, Any]:
    """The stage and its items, lane by lane in the map's lane order (empty lanes left out)."""
    by_lane: dict[str, list[ItemRow]] = {}
    for item in document["items"]:
        if item["stage"] == stage["id"]:
            by_lane.setdefault(item["lane"], []).append(item)
    lanes = [
        {"kind": lane["kind"], "title": lane["title"], "items": by_lane[lane["id"]]}
        for lane in document["lanes"]
        if lane["id"] in by_lane
    ]
    return {"stage": stage, "lanes": lanes}


def _pairs(current: list[StageRow], future: list[StageRow]) -> list[tuple[Any, Any]]:
    future_by_name = {stage["name"].casefold(): stage for stage in future}
    used: set[str] = set()
    pairs: list[tuple[Any, Any]] = []
    unmatched_current = []
    for stage in current:
        match = future_by_name.get(stage["name"].casefold())
        if match is not None and match["id"] not in used:
            used.add(match["id"])
            pairs.append((stage, match))
        else:
            unmatched_current.append(stage)
    rest = [stage for stage in future if stage["id"] not in used]
    for index in range(max(len(unmatched_current), len(rest))):
        pairs.append(
            (
                unmatched_current[index] if index < len(unmatched_current) else None,
                rest[index] if index < len(rest) else None,
            )
        )
    order = {stage["id"]: i for i, stage in enumerate(current)}
    future_order = {stage["id"]: i for i, stage in enumerate(future)}
    return sorted(
        pairs,
        key=lambda p: (
            order.get(p[0]["id"], len(order)) if p[0] else len(order) + future_order[p[1]["id"]]
        ),
    )


def side_by_side(*, current: JourneyMap, future: JourneyMap) -> dict[str, Any]:
    now, later = map_document(journey_map=current), map_document(journey_map=future)
    kinds: list[str] = []
    for lane in now["lanes"] + later["lanes"]:
        if lane["kind"] not in kinds:
            kinds.append(lane["kind"])
    rows = [
        {
            "current": _stage_view(now, a) if a else None,
            "future": _stage_view(later, b) if b else None,
        }
        for a, b in _pairs(now["stages"], later["stages"])
    ]
    return {
        "current": {"id": now["id"], "title": now["title"], "revision": now["revision"]},
        "future": {"id": later["id"], "title": later["title"], "revision": later["revision"]},
        "lane_kinds": kinds,
        "rows": rows,
    }
