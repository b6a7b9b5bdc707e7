"""Who may reach a map: the map and the caller's role on it, or the API's 404/403."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

from maps.models import JourneyMap, strongest_role
from personas.models import Persona
from workspaces.access import forbidden, not_found
from workspaces.models import MapAccess, MapRole, Membership, role_at_least


def map_for(
    user: User | AnonymousUser, map_id: uuid.UUID, minimum: str = MapRole.VIEWER
) -> tuple[JourneyMap, str]:
    """The map and the user's role on it, if that role is at least `minimum`."""
    return _map_and_role(user, map_id, minimum, personas_stamp=False)


def map_for_reading(user: User | AnonymousUser, map_id: uuid.UUID) -> tuple[JourneyMap, str]:
    """As map_for (any role reads), with what its document version needs besides the
    revision, in the same query: `personas_count` and `personas_changed`, since a persona is
    edited outside the change path (maps/document_cache.py)."""
    return _map_and_role(user, map_id, MapRole.VIEWER, personas_stamp=True)


def _map_and_role(
    user: User | AnonymousUser, map_id: uuid.UUID, minimum: str, *, personas_stamp: bool
) -> tuple[JourneyMap, str]:
    if not user.is_authenticated:
        raise not_found("map")
    # One query for the map and both of the caller's grants: the map document's query
    # budget (docs/protocol.md: bounded) starts here.
    access = MapAccess.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]
    membership = Membership.objects.filter(workspace=OuterRef("workspace_id"), user=user)
    maps = (
        JourneyMap.objects.filter(pk=map_id)
        .select_related("workspace")
        .annotate(
            map_role=Subquery(access),
            workspace_role=Subquery(membership.values("role")[:1]),
        )
    )
    if personas_stamp:
        maps = maps.annotate(**personas_annotations())
    journey_map = maps.first()
    role = (
        strongest_role(journey_map.map_role, journey_map.workspace_role)
        if journey_map is not None
        else None
    )
    if journey_map is None or role is None:
        raise not_found("map")
    if not role_at_least(role, minimum):
        raise forbidden(f"This needs the {minimum} role on the map; you are {role}.")
    return journey_map, role


def personas_annotations() -> dict[str, Any]:
    """How many personas a map has and when the last of them was edited, as subqueries (a
    persona's own edits do not change the map's revision, and its document shows them)."""
    personas = Persona.objects.filter(maps=OuterRef("pk")).order_by().values("maps")
    return {
        "personas_count": Coalesce(Subquery(personas.annotate(n=Count("pk")).values("n")[:1]), 0),
        "personas_changed": Subquery(personas.annotate(last=Max("updated_at")).values("last")[:1]),
    }
