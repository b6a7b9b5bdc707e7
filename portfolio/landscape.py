"""The journey landscape of a workspace: every map the caller may read, how the maps nest
(stages linking to sub-journeys, maps/subjourneys.py), and per map its owner, personas,
channels, happiness per persona, health-check score and key metrics against target.

Read in a fixed number of queries whatever the number of maps (`workspace_landscape`): the
maps, their owners, personas, stages and items are each one query, and the health check runs
on the rows in memory (method/health.py `health_findings`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from maps.models import Item, ItemKind, JourneyMap, MapStatus, MapType, Stage
from method.health import (
    ITEM_FIELDS,
    SEVERITY,
    WARNING,
    health_findings,
    health_score,
    item_annotations,
)
from workspaces.access import not_found, parse_uuid
from workspaces.models import MapAccess, MapRole, Membership, Workspace

# Read with the health check's fields: what the landscape adds to them.
EXTRA_ITEM_FIELDS = ("persona_id", "channel", "value", "target", "unit", "trend", "lane__position")
MAP_FIELDS = ("id", "title", "type", "status", "objective", "next_review", "updated_at")


@dataclass
class MapRows:
    """One map's rows, gathered from the landscape's few queries."""

    journey_map: JourneyMap
    stages: list[Stage]
    items: list[dict[str, Any]]
    personas: list[dict[str, Any]]
    owner: dict[str, Any] | None


def landscape_workspace(*, user: Any, workspace_id: Any) -> tuple[Workspace, bool]:
    """The workspace and whether the user is a member. A non-member with a role on one of
    its maps sees those maps; anyone else gets 404 (existence is not leaked)."""
    workspace_uuid = parse_uuid(workspace_id, "workspace")
    if not getattr(user, "is_authenticated", False):
        raise not_found("workspace")
    member = Membership.objects.filter(workspace=OuterRef("pk"), user=user)
    granted = MapAccess.objects.filter(map__workspace=OuterRef("pk"), user=user)
    found = (
        Workspace.objects.filter(pk=workspace_uuid)
        .annotate(is_member=Exists(member), has_grant=Exists(granted))
        .first()
    )
    if found is None or not (found.is_member or found.has_grant):
        raise not_found("workspace")
    return found, bool(found.is_member)


def _display(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _rows(maps: list[JourneyMap]) -> dict[Any, MapRows]:
    """Four queries: owners, personas, stages, items of every map at once."""
    ids = [m.pk for m in maps]
    rows = {m.pk: MapRows(m, [], [], [], None) for m in maps}
    owners = (
        MapAccess.objects.filter(map_id__in=ids, role=MapRole.OWNER)
        .order_by("created_at", "id")
        .values_list("map_id", "user_id", "user__username", "user__first_name", "user__last_name")
    )
    for map_id, user_id, username, first, last in owners:
        if rows[map_id].owner is None:
            rows[map_id].owner = {"id": user_id, "name": _display(first, last, username)}
    through = JourneyMap.personas.through.objects.filter(journeymap_id__in=ids)
    for map_id, persona_id, name, color in through.order_by("persona__name").values_list(
        "journeymap_id", "persona_id", "persona__name", "persona__color"
    ):
        rows[map_id].personas.append({"id": str(persona_id), "name": name, "color": color})
    stages = Stage.objects.filter(map_id__in=ids).order_by("position", "id")
    for stage in stages.only("id", "map_id", "name", "position", "subjourney_id"):
        rows[stage.map_id].stages.append(stage)
    fields = (*ITEM_FIELDS, *EXTRA_ITEM_FIELDS, "map_id")
    item_rows = Item.objects.filter(map_id__in=ids).annotate(**item_annotations())
    for values in item_rows.values_list(*fields):
        item = dict(zip(fields, values, strict=True))
        rows[item["map_id"]].items.append(item)
    return rows


def happiness(rows: MapRows) -> list[dict[str, Any]]:
    """Per persona of the map (and for points naming none), the share of its as-is emotion
    points above neutral; `share` is null for a persona with no point yet."""
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for item in rows.items:
        if item["kind"] != ItemKind.EMOTION or item["score"] is None:
            continue
        if item["variant"] == "to_be":
            continue  # a target curve, not how customers feel today
        persona = str(item["persona_id"]) if item["persona_id"] else None
        counts[persona][0] += 1
        counts[persona][1] += item["score"] > 0
    result = []
    for persona in rows.personas:
        points, happy = counts.get(persona["id"], (0, 0))
        result.append(_share(persona["id"], persona["name"], persona["color"], points, happy))
    if None in counts:
        points, happy = counts[None]
        result.append(_share(None, "", "", points, happy))
    return result


def _share(persona: str | None, name: str, color: str, points: int, happy: int) -> dict[str, Any]:
    share = round(happy / points, 3) if points else None
    return {
        "persona": persona,
        "name": name,
        "color": color,
        "points": points,
        "happy": happy,
        "share": share,
    }


def key_metrics(rows: MapRows) -> list[dict[str, Any]]:
    """The map's metrics that have a target, in stage order: value against target."""
    order = {stage.pk: index for index, stage in enumerate(rows.stages)}
    metrics = [
        item
        for item in rows.items
        if item["kind"] == ItemKind.METRIC and item["target"] is not None
    ]
    metrics.sort(key=lambda i: (order.get(i["stage_id"], 0), i["lane__position"], i["position"]))
    return [
        {
            "name": item["name"] or item["text"],
            "value": item["value"],
            "target": item["target"],
            "unit": item["unit"],
            "trend": item["trend"],
            "ratio": _ratio(item["value"], item["target"]),
        }
        for item in metrics
    ]


def _ratio(value: float | None, target: float) -> float | None:
    if value is None or target == 0:
        return None
    return round(value / target, 3)


def map_summary(rows: MapRows, today: dt.date) -> dict[str, Any]:
    journey_map = rows.journey_map
    findings = health_findings(
        journey_map=journey_map,
        stages=rows.stages,
        items=rows.items,
        has_persona=bool(rows.personas),
        today=today,
    )
    channels = sorted({i["channel"] for i in rows.items if i["channel"]})
    return {
        "id": str(journey_map.pk),
        "title": journey_map.title,
        "type": journey_map.type,
        "type_label": str(MapType(journey_map.type).label),
        "status": journey_map.status,
        "status_label": str(MapStatus(journey_map.status).label),
        "updated": journey_map.updated_at.isoformat(),
        "owner": rows.owner,
        "personas": rows.personas,
        "channels": channels,
        "stages": len(rows.stages),
        "items": len(rows.items),
        "happiness": happiness(rows),
        "health": {
            "score": health_score(stages=rows.stages, items=rows.items, findings=findings),
            "warnings": sum(1 for f in findings if SEVERITY[f.code] == WARNING),
            "findings": len(findings),
        },
        "metrics": key_metrics(rows),
    }


def _nesting(rows: dict[Any, MapRows], summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Fill each map's `children` (the stage and the map it opens) and `parents` with the
    links between maps the caller may read; answer the roots (maps under no readable map)."""
    for summary in summaries.values():
        summary["children"], summary["parents"] = [], []
    for map_rows in rows.values():
        parent = str(map_rows.journey_map.pk)
        for stage in map_rows.stages:
            child = str(stage.subjourney_id) if stage.subjourney_id else None
            if child in summaries:
                summaries[parent]["children"].append(
                    {"map": child, "stage": str(stage.pk), "stage_name": stage.name}
                )
                summaries[child]["parents"].append(parent)
    return [key for key, summary in summaries.items() if not summary["parents"]]


def workspace_landscape(
    *, workspace: Workspace, user: Any, today: dt.date | None = None
) -> dict[str, Any]:
    """Every map of the workspace the user may read (map grants and workspace roles alike,
    `JourneyMap.objects.visible_to`), summarised, with how they nest."""
    today = today or timezone.localdate()
    maps = list(
        JourneyMap.objects.visible_to(user)
        .filter(workspace=workspace)
        .order_by("title", "id")
        .only(*MAP_FIELDS, "workspace_id")
    )
    rows = _rows(maps)
    summaries = {str(m.pk): map_summary(rows[m.pk], today) for m in maps}
    roots = _nesting(rows, summaries)
    return {
        "workspace": {"id": str(workspace.pk), "name": workspace.name},
        "maps": list(summaries.values()),
        "roots": roots,
    }
