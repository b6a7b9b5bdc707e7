"""Sub-journeys: a stage that links to another map of its workspace, which details it.

The link is map content (the stage's `subjourney`, set by `stage.create`/`stage.update`
through `apply_ops`); this module checks a link before it is written and answers the
editor's questions about the hierarchy (the trail back up, the maps a stage may link to).
The checks on a new link are in maps/ops.py (`check_subjourney`); the landscape of a whole
workspace is the `portfolio` app's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from maps.models import JourneyMap, Stage

# A trail longer than this is not drawn whole (the hierarchy is acyclic, but may be deep).
MAX_TRAIL = 12


def subjourney_edges(
    *, workspace_id: uuid.UUID, without_stage: uuid.UUID | None = None
) -> set[tuple]:
    """Every (map, sub-journey) pair of the workspace, in one query."""
    rows = Stage.objects.filter(map__workspace_id=workspace_id, subjourney__isnull=False)
    if without_stage is not None:
        rows = rows.exclude(pk=without_stage)
    return set(rows.values_list("map_id", "subjourney_id"))


def reaches(edges: set[tuple], start: Any, goal: Any) -> bool:
    """Whether `goal` is `start` or below it, following the links down."""
    children: dict[Any, list[Any]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(children.get(node, []))
    return False


def subjourney_trail(
    *, journey_map: JourneyMap, user: User | AnonymousUser
) -> list[dict[str, str]]:
    """The maps above this one, the top first: each step the first readable map one of whose
    stages links here (a map may detail stages of several maps: the trail follows one)."""
    readable = JourneyMap.objects.visible_to(user).filter(workspace_id=journey_map.workspace_id)
    parents: dict[Any, tuple[Any, str, str]] = {}
    rows = Stage.objects.filter(map__in=readable, subjourney__isnull=False).order_by(
        "map__title", "position", "id"
    )
    for child, parent, title, stage in rows.values_list(
        "subjourney_id", "map_id", "map__title", "name"
    ):
        parents.setdefault(child, (parent, title, stage))
    trail: list[dict[str, str]] = []
    node = journey_map.pk
    while node in parents and len(trail) < MAX_TRAIL:
        parent, title, stage = parents[node]
        if any(step["id"] == str(parent) for step in trail):  # pragma: no cover - acyclic
            break
        trail.insert(0, {"id": str(parent), "title": title, "stage": stage})
        node = parent
    return trail


def linkable_maps(*, journey_map: JourneyMap, user: User | AnonymousUser) -> list[dict[str, Any]]:
    """The maps of the workspace the user may read, this one aside: a stage's choices.
    `above` marks the maps this one is already under: linking one would make a cycle."""
    rows = (
        JourneyMap.objects.visible_to(user)
        .filter(workspace_id=journey_map.workspace_id)
        .exclude(pk=journey_map.pk)
        .order_by("title", "id")
        .values_list("id", "title", "type", "status")
    )
    edges = subjourney_edges(workspace_id=journey_map.workspace_id)
    return [
        {
            "id": str(pk),
            "title": title,
            "type": kind,
            "status": status,
            "above": reaches(edges, pk, journey_map.pk),
        }
        for pk, title, kind, status in rows
    ]


def map_hierarchy(*, journey_map: JourneyMap, user: User | AnonymousUser) -> dict[str, Any]:
    """What the editor shows of the hierarchy: the trail up and the maps a stage may link to."""
    return {
        "trail": subjourney_trail(journey_map=journey_map, user=user),
        "linkable": linkable_maps(journey_map=journey_map, user=user),
    }


def linking_stages(*, journey_map: JourneyMap) -> Any:
    """The stages of other maps that open this one as their sub-journey (what deleting it
    unlinks)."""
    return Stage.objects.filter(subjourney=journey_map).exclude(map=journey_map)


def parent_maps(*, journey_map: JourneyMap) -> list[JourneyMap]:
    """The maps of those stages, by title."""
    stages = linking_stages(journey_map=journey_map)
    return list(JourneyMap.objects.filter(pk__in=stages.values("map_id")).order_by("title"))
