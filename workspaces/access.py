"""Who may see and change what: the checks every view and socket shares.

Objects in a workspace the caller cannot see answer 404, never 403 (existence is not
leaked); a caller who can see an object but lacks the role gets 403.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rest_framework import exceptions, status

from journeymap.api import ApiError
from workspaces.models import MapRole, Membership, Workspace, role_at_least

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from maps.models import JourneyMap


def not_found(what: str = "object") -> ApiError:
    return ApiError(
        code="not_found", message=f"No such {what}.", status_code=status.HTTP_404_NOT_FOUND
    )


def forbidden(message: str) -> ApiError:
    return ApiError(code="forbidden", message=message, status_code=status.HTTP_403_FORBIDDEN)


def signed_in(user: Any) -> User:
    """The caller as a User; API views require authentication, so this only narrows the type."""
    from django.contrib.auth.models import User

    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def parse_uuid(raw: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError):
        raise ApiError(code="invalid", message=f"{what} must be a UUID.") from None


def workspace_for(user: Any, workspace_id: Any, *, admin: bool = False) -> Workspace:
    """The workspace if the user is a member (an admin when `admin`), else 404/403."""
    workspace_uuid = parse_uuid(workspace_id, "workspace")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(workspace_id=workspace_uuid, user=user)
        .first()
    )
    if membership is None:
        raise not_found("workspace")
    if admin and membership.role != Membership.Role.ADMIN:
        raise forbidden("Only workspace admins can do this.")
    return membership.workspace


def map_for(user: Any, map_id: Any, minimum: str = MapRole.VIEWER) -> tuple[JourneyMap, str]:
    """The map and the user's role on it, if that role is at least `minimum`."""
    from django.db.models import OuterRef, Subquery

    from maps.models import JourneyMap, strongest_role
    from workspaces.models import MapAccess

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
