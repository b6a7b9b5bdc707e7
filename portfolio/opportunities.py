"""The opportunity and solution portfolio of a workspace: every opportunity card (a card in an
opportunities lane) and every action-plan item on the maps the caller may read, with the map,
stage and personas it came from, its scores and computed priority, and the solutions linked to
each opportunity (same-map `fixes`, cross-map `SolutionLink`s).

Read in a fixed number of queries whatever the number of maps (`workspace_portfolio`): the
maps with the caller's roles, their personas, stages, items and the links are one query each.
`portfolio_etag` answers, from the first of those queries and the links' ids alone, whether
anything the caller sees changed: the page polls with If-None-Match.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast

from maps.models import (
    Item,
    ItemKind,
    JourneyMap,
    Lane,
    LaneKind,
    OpportunityStatus,
    Stage,
    strongest_role,
)
from portfolio.models import SolutionLink
from workspaces.models import MapAccess, MapRole, Membership, Workspace, role_at_least


def priority(
    *, impact: int | None, effort: int | None, reach: int | None, confidence: int | None
) -> float | None:
    """RICE: reach × impact × confidence ÷ effort. Without a reach it counts as 1 and without
    a confidence as 100 %, so impact ÷ effort alone already ranks; no impact or effort, no
    priority (the card is not scored yet)."""
    if not impact or not effort:
        return None
    people = reach if reach is not None else 1
    sure = confidence if confidence is not None else 100
    return round(people * impact * sure / 100 / effort, 2)


@dataclass(frozen=True)
class VisibleMap:
    pk: Any
    title: str
    revision: int
    role: str | None


def visible_maps(*, workspace: Workspace, user: User) -> list[VisibleMap]:
    """The maps of the workspace the user may read, with the user's role (one query)."""
    access = MapAccess.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]
    membership = Membership.objects.filter(workspace=OuterRef("workspace_id"), user=user)
    rows = (
        JourneyMap.objects.visible_to(user)
        .filter(workspace=workspace)
        .order_by("title", "id")
        .values_list(
            "id", "title", "revision", Subquery(access), Subquery(membership.values("role")[:1])
        )
    )
    return [
        VisibleMap(pk, title, revision, strongest_role(map_role, workspace_role))
        for pk, title, revision, map_role, workspace_role in rows
    ]


def visible_links(workspace: Workspace, map_ids: set[Any]) -> list[tuple[Any, Any, Any, Any, Any]]:
    """The workspace's solution links whose two items are both on maps the caller reads."""
    rows = SolutionLink.objects.filter(workspace=workspace).values_list(
        "id", "action_id", "opportunity_id", "action__map_id", "opportunity__map_id"
    )
    return [row for row in rows if row[3] in map_ids and row[4] in map_ids]


def portfolio_etag(maps: list[VisibleMap], links: list[tuple[Any, ...]]) -> str:
    """Changes when anything the caller sees changes: a map's revision (every edit bumps it),
    a map or a role gained or lost, a link made or removed."""
    parts = [f"{m.pk}:{m.revision}:{m.role}" for m in maps]
    parts += sorted(str(link[0]) for link in links)
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def _personas(map_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    personas: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    through = JourneyMap.personas.through.objects.filter(journeymap_id__in=map_ids)
    for map_id, persona_id, name, color in through.order_by("persona__name").values_list(
        "journeymap_id", "persona_id", "persona__name", "persona__color"
    ):
        personas[map_id].append({"id": str(persona_id), "name": name, "color": color})
    return personas


def _columns(*names: str) -> list[Any]:
    """The columns as values_list arguments; on PostgreSQL the ids and dates come back as text:
    parsing 12,000 UUIDs only to print them again was a third of the time of 50 maps."""
    if connection.vendor != "postgresql":
        return list(names)
    return [Cast(name, output_field=TextField()) if name in TEXT_CAST else name for name in names]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _stages(map_ids: list[Any]) -> dict[str, tuple[str, int]]:
    """Each stage's name and its place in its map."""
    found: dict[str, tuple[str, int]] = {}
    counts: dict[Any, int] = defaultdict(int)
    rows = Stage.objects.filter(map_id__in=map_ids).order_by("map_id", "position", "id")
    for stage_id, map_id, name in rows.values_list(*_columns("id", "map_id", "name")):
        found[str(stage_id)] = (name, counts[map_id])
        counts[map_id] += 1
    return found


ITEM_COLUMNS = (
    "id",
    "map_id",
    "stage_id",
    "kind",
    "text",
    "color",
    "impact",
    "effort",
    "reach",
    "confidence",
    "status",
    "owner",
    "due",
    "fixes_id",
)
TEXT_CAST = {"id", "map_id", "stage_id", "fixes_id", "due"}


def _items(map_ids: list[Any], stages: dict[str, tuple[str, int]]) -> tuple[list, list]:
    """The opportunity cards and action items of the maps (one query, rows as tuples)."""
    # Through the lanes' ids (the items' lane index), not a join on every item of the maps.
    lanes = Lane.objects.filter(
        map_id__in=map_ids, kind__in=[LaneKind.OPPORTUNITIES, LaneKind.ACTION_PLAN]
    )
    rows = Item.objects.filter(lane_id__in=lanes.values("id")).values_list(*_columns(*ITEM_COLUMNS))
    opportunities, actions = [], []
    idea = OpportunityStatus.IDEA.value
    for row in rows:
        (pk, map_id, stage_id, kind, text, color) = row[:6]
        (impact, effort, reach, confidence, status, owner, due, fixes) = row[6:]
        stage_id = str(stage_id)
        stage_name, stage_index = stages.get(stage_id, ("", 0))
        entry = {
            "id": str(pk),
            "map": str(map_id),
            "stage": stage_id,
            "stage_name": stage_name,
            "stage_index": stage_index,
            "text": text,
        }
        if kind == ItemKind.CARD:  # cards of an opportunities lane: the only cards here
            entry["color"] = color
            entry["impact"], entry["effort"] = impact, effort
            entry["reach"], entry["confidence"] = reach, confidence
            entry["priority"] = priority(
                impact=impact, effort=effort, reach=reach, confidence=confidence
            )
            entry["status"] = status or idea
            entry |= {"owner": owner, "due": _text(due), "solutions": []}
            opportunities.append(entry)
        elif kind == ItemKind.ACTION:
            entry |= {"owner": owner, "due": _text(due), "status": status}
            entry |= {"fixes": _text(fixes), "opportunities": []}
            actions.append(entry)
    return opportunities, actions


def _solutions(
    opportunities: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    links: list[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    """Join actions and opportunities both ways: an action's same-map `fixes` when it names
    an opportunity, and every cross-map link. Answers the links as the API lists them."""
    by_id = {entry["id"]: entry for entry in opportunities}
    pairs: list[tuple[str | None, str, str]] = [
        (None, action["id"], action["fixes"]) for action in actions if action["fixes"] in by_id
    ]
    pairs += [(str(link[0]), str(link[1]), str(link[2])) for link in links]
    actions_by_id = {entry["id"]: entry for entry in actions}
    listed: list[dict[str, Any]] = []
    for link_id, action_id, opportunity_id in pairs:
        solution, opportunity = actions_by_id.get(action_id), by_id.get(opportunity_id)
        if solution is None or opportunity is None:
            continue  # an item that left its lane since the link was made
        if action_id not in opportunity["solutions"]:
            opportunity["solutions"].append(action_id)
            solution["opportunities"].append(opportunity_id)
        if link_id is not None:
            listed.append({"id": link_id, "action": action_id, "opportunity": opportunity_id})
    return listed


def _sort_key(entry: dict[str, Any], order: dict[str, int]) -> tuple[Any, ...]:
    return (order[entry["map"]], entry["stage_index"], entry["id"])


def workspace_portfolio(
    *,
    workspace: Workspace,
    user: User,
    maps: list[VisibleMap] | None = None,
    links: list[tuple[Any, ...]] | None = None,
) -> dict[str, Any]:
    """Every opportunity and action item on the maps of the workspace the user may read
    (`maps` and `links` as `visible_maps` and `visible_links` answer them, if already read)."""
    maps = visible_maps(workspace=workspace, user=user) if maps is None else maps
    map_ids = [m.pk for m in maps]
    links = visible_links(workspace, set(map_ids)) if links is None else links
    personas = _personas(map_ids)
    opportunities, actions = _items(map_ids, _stages(map_ids))
    listed = _solutions(opportunities, actions, links)
    order = {str(m.pk): index for index, m in enumerate(maps)}
    return {
        "workspace": {"id": str(workspace.pk), "name": workspace.name},
        "etag": portfolio_etag(maps, links),
        "maps": [
            {
                "id": str(m.pk),
                "title": m.title,
                "revision": m.revision,
                "role": m.role,
                "can_edit": role_at_least(m.role, MapRole.EDITOR),
                "personas": personas.get(m.pk, []),
            }
            for m in maps
        ],
        "opportunities": sorted(opportunities, key=lambda o: _sort_key(o, order)),
        "actions": sorted(actions, key=lambda a: _sort_key(a, order)),
        "links": listed,
    }


def opportunity_entry(*, item_id: uuid.UUID) -> dict[str, Any]:
    """One opportunity as the portfolio lists it (its solutions aside): what a PATCH answers."""
    item = Item.objects.select_related("stage").get(pk=item_id)
    scores = {key: getattr(item, key) for key in ("impact", "effort", "reach", "confidence")}
    return {
        "id": str(item.pk),
        "map": str(item.map_id),
        "stage": str(item.stage_id),
        "stage_name": item.stage.name,
        "stage_index": 0,
        "text": item.text,
        "color": item.color,
        **scores,
        "priority": priority(**scores),
        "status": item.status or OpportunityStatus.IDEA.value,
        "owner": item.owner,
        "due": _text(item.due),
        "solutions": None,
    }
