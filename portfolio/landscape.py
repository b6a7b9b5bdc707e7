"""The journey landscape of a workspace: every map the caller may read, how the maps nest
(stages linking to sub-journeys, maps/subjourneys.py), and per map its owner, personas,
channels, happiness per persona, health-check score and key metrics against target.

Read in a fixed number of queries whatever the number of maps (`workspace_landscape`): the
maps, their owners, personas, stages and items are each one query, and the health check runs
on the rows in memory (method/health.py `health_findings`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Exists, OuterRef, TextField
from django.db.models.functions import Cast
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


def landscape_workspace(
    *, user: User | AnonymousUser, workspace_id: uuid.UUID
) -> tuple[Workspace, bool]:
    """The workspace and whether the user is a member. A non-member with a role on one of
    its maps sees those maps; anyone else gets 404 (existence is not leaked)."""
    workspace_uuid = parse_uuid(workspace_id, "workspace")
    if not user.is_authenticated:
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


def _texts(keys: tuple[str, ...], uuids: set[str]) -> tuple[list[Any], bool]:
    """The columns to read, UUIDs as text on PostgreSQL (parsing 30,000 UUIDs to print them
    again was most of the landscape's time, as it was of the map document's); elsewhere the
    caller turns them into text."""
    as_text = connection.vendor == "postgresql"
    columns = [Cast(key, TextField()) if as_text and key in uuids else key for key in keys]
    return columns, as_text


def _text_rows(queryset: Any, keys: tuple[str, ...], uuids: set[str]) -> list[dict[str, Any]]:
    columns, as_text = _texts(keys, uuids)
    rows = [dict(zip(keys, values, strict=True)) for values in queryset.values_list(*columns)]
    if not as_text:
        for row in rows:
            for key in uuids:
                if row[key] is not None:
                    row[key] = str(row[key])
    return rows


STAGE_KEYS = ("id", "map_id", "name", "position", "subjourney_id")
ITEM_KEYS = (*ITEM_FIELDS, *EXTRA_ITEM_FIELDS, "map_id")
ITEM_UUIDS = {"id", "stage_id", "fixes_id", "persona_id", "map_id"}


def _rows(maps: list[JourneyMap]) -> dict[str, MapRows]:
    """Four queries: owners, personas, stages, items of every map at once. Ids are text."""
    ids = [m.pk for m in maps]
    rows = {str(m.pk): MapRows(m, [], [], [], None) for m in maps}
    owners = (
        MapAccess.objects.filter(map_id__in=ids, role=MapRole.OWNER)
        .order_by("created_at", "id")
        .values_list("map_id", "user_id", "user__username", "user__first_name", "user__last_name")
    )
    for map_id, user_id, username, first, last in owners:
        if rows[str(map_id)].owner is None:
            rows[str(map_id)].owner = {"id": user_id, "name": _display(first, last, username)}
    through = JourneyMap.personas.through.objects.filter(journeymap_id__in=ids)
    for map_id, persona_id, name, color in through.order_by("persona__name").values_list(
        "journeymap_id", "persona_id", "persona__name", "persona__color"
    ):
        rows[str(map_id)].personas.append({"id": str(persona_id), "name": name, "color": color})
    stages = Stage.objects.filter(map_id__in=ids).order_by("position", "id")
    for row in _text_rows(stages, STAGE_KEYS, {"id", "map_id", "subjourney_id"}):
        # Unsaved instances with text ids: what the health check reads (pk, name).
        rows[row["map_id"]].stages.append(Stage(**row))
    items = Item.objects.filter(map_id__in=ids).annotate(**item_annotations())
    for item in _text_rows(items, ITEM_KEYS, ITEM_UUIDS):
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
        key = item["persona_id"]
        counts[key][0] += 1
        counts[key][1] += item["score"] > 0
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


KEY_METRICS = 5


def key_metrics(rows: MapRows) -> tuple[list[dict[str, Any]], int]:
    """The map's first KEY_METRICS metrics that have a target, in stage order, value against
    target; and how many it has in all (a big map may have one per stage and channel)."""
    order = {stage.pk: index for index, stage in enumerate(rows.stages)}
    metrics = [
        item
        for item in rows.items
        if item["kind"] == ItemKind.METRIC and item["target"] is not None
    ]
    metrics.sort(key=lambda i: (order.get(i["stage_id"], 0), i["lane__position"], i["position"]))
    shown = [
        {
            "name": item["name"] or item["text"],
            "value": item["value"],
            "target": item["target"],
            "unit": item["unit"],
            "trend": item["trend"],
            "ratio": _ratio(item["value"], item["target"]),
        }
        for item in metrics[:KEY_METRICS]
    ]
    return shown, len(metrics)


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
    metrics, metrics_total = key_metrics(rows)
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
        "metrics": metrics,
        "metrics_total": metrics_total,
    }


def _nesting(rows: dict[str, MapRows], summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Fill each map's `children` (the stage and the map it opens) and `parents` with the
    links between maps the caller may read; answer the roots (maps under no readable map)."""
    for summary in summaries.values():
        summary["children"], summary["parents"] = [], []
    for map_rows in rows.values():
        parent = str(map_rows.journey_map.pk)
        for stage in map_rows.stages:
            child: str | None = stage.subjourney_id  # type: ignore[assignment]  # text here
            if child is not None and child in summaries:
                summaries[parent]["children"].append(
                    {"map": child, "stage": stage.pk, "stage_name": stage.name}
                )
                summaries[child]["parents"].append(parent)
    return [key for key, summary in summaries.items() if not summary["parents"]]


def workspace_landscape(
    *, workspace: Workspace, user: User | AnonymousUser, today: dt.date | None = None
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
    summaries = {str(m.pk): map_summary(rows[str(m.pk)], today) for m in maps}
    roots = _nesting(rows, summaries)
    return {
        "workspace": {"id": str(workspace.pk), "name": workspace.name},
        "maps": list(summaries.values()),
        "roots": roots,
    }
