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
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery

from maps.models import (
    Item,
    ItemKind,
    JourneyMap,
    LaneKind,
    OpportunityStatus,
    Stage,
    strongest_role,
)
from portfolio.models import SolutionLink
from workspaces.models import MapAccess, MapRole, Membership, Workspace, role_at_least

OPPORTUNITY_FIELDS = ("impact", "effort", "reach", "confidence", "status", "owner", "due")
ACTION_FIELDS = ("owner", "due", "status", "fixes_id")
ITEM_FIELDS = ("id", "map_id", "stage_id", "lane__kind", "position", "text", "color")


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


def visible_maps(*, workspace: Workspace, user: Any) -> list[VisibleMap]:
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


def _stages(map_ids: list[Any]) -> dict[Any, tuple[str, int]]:
    """Each stage's name and its place in its map."""
    found: dict[Any, tuple[str, int]] = {}
    counts: dict[Any, int] = defaultdict(int)
    rows = Stage.objects.filter(map_id__in=map_ids).order_by("map_id", "position", "id")
    for stage_id, map_id, name in rows.values_list("id", "map_id", "name"):
        found[stage_id] = (name, counts[map_id])
        counts[map_id] += 1
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _opportunity(row: dict[str, Any], stage: tuple[str, int]) -> dict[str, Any]:
    scores = {key: row[key] for key in ("impact", "effort", "reach", "confidence")}
    return {
        "id": str(row["id"]),
        "map": str(row["map_id"]),
        "stage": str(row["stage_id"]),
        "stage_name": stage[0],
        "stage_index": stage[1],
        "text": row["text"],
        "color": row["color"],
        **scores,
        "priority": priority(**scores),
        "status": row["status"] or OpportunityStatus.IDEA.value,
        "owner": row["owner"],
        "due": _iso(row["due"]),
        "solutions": [],
    }


def _action(row: dict[str, Any], stage: tuple[str, int]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "map": str(row["map_id"]),
        "stage": str(row["stage_id"]),
        "stage_name": stage[0],
        "stage_index": stage[1],
        "text": row["text"],
        "owner": row["owner"],
        "due": _iso(row["due"]),
        "status": row["status"],
        "opportunities": [],
    }


def _items(map_ids: list[Any], stages: dict[Any, tuple[str, int]]) -> tuple[list, list]:
    """The opportunity cards and action items of the maps, in map and stage order."""
    fields = (*ITEM_FIELDS, *OPPORTUNITY_FIELDS, "fixes_id", "kind")
    rows = Item.objects.filter(
        map_id__in=map_ids, lane__kind__in=[LaneKind.OPPORTUNITIES, LaneKind.ACTION_PLAN]
    ).values(*fields)
    opportunities, actions = [], []
    for row in rows:
        stage = stages.get(row["stage_id"], ("", 0))
        if row["lane__kind"] == LaneKind.OPPORTUNITIES and row["kind"] == ItemKind.CARD:
            opportunities.append((row, _opportunity(row, stage)))
        elif row["kind"] == ItemKind.ACTION:
            actions.append((row, _action(row, stage)))
    return opportunities, actions


def _solutions(
    opportunities: list[tuple[dict[str, Any], dict[str, Any]]],
    actions: list[tuple[dict[str, Any], dict[str, Any]]],
    links: list[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    """Join actions and opportunities both ways: an action's same-map `fixes` when it names
    an opportunity, and every cross-map link. Answers the links as the API lists them."""
    by_id = {entry["id"]: entry for _, entry in opportunities}
    pairs: list[tuple[str | None, str, str]] = []
    for row, action in actions:
        fixes = str(row["fixes_id"]) if row["fixes_id"] else None
        action["fixes"] = fixes
        if fixes is not None and fixes in by_id:
            pairs.append((None, action["id"], fixes))
    pairs += [(str(link[0]), str(link[1]), str(link[2])) for link in links]
    actions_by_id = {entry["id"]: entry for _, entry in actions}
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
    *, workspace: Workspace, user: Any, maps: list[VisibleMap] | None = None
) -> dict[str, Any]:
    """Every opportunity and action item on the maps of the workspace the user may read."""
    maps = visible_maps(workspace=workspace, user=user) if maps is None else maps
    map_ids = [m.pk for m in maps]
    links = visible_links(workspace, set(map_ids))
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
        "opportunities": sorted((o for _, o in opportunities), key=lambda o: _sort_key(o, order)),
        "actions": sorted((a for _, a in actions), key=lambda a: _sort_key(a, order)),
        "links": listed,
    }


def opportunity_entry(*, item_id: Any) -> dict[str, Any]:
    """One opportunity as the portfolio lists it (its solutions aside): what a PATCH answers."""
    fields = (*ITEM_FIELDS, *OPPORTUNITY_FIELDS, "stage__name")
    row = Item.objects.filter(pk=item_id).values(*fields).get()
    return _opportunity(row, (row["stage__name"], 0)) | {"solutions": None}
