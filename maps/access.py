"""Who may reach a map: the map and the caller's role on it, or the API's 404/403."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from maps.models import JourneyMap, strongest_role
from workspaces.access import forbidden, not_found
from workspaces.models import MapAccess, MapRole, Membership, role_at_least


def map_for(user: Any, map_id: Any, minimum: str = MapRole.VIEWER) -> tuple[JourneyMap, str]:
    """The map and the user's role on it, if that role is at least `minimum`."""
    if not getattr(user, "is_authenticated", False):
        raise not_found("map")
    # One query for the map and both of the caller's grants: the map document's query
    # budget (PROTOCOL.md: bounded) starts here.
    access = MapAccess.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]
    membership = Membership.objects.filter(workspace=OuterRef("workspace_id"), user=user)
    journey_map = (
        JourneyMap.objects.filter(pk=map_id)
        .select_related("workspace")
        .annotate(
            map_role=Subquery(access),
            workspace_role=Subquery(membership.values("role")[:1]),
        )
        .first()
    )
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
