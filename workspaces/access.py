"""Who may see and change what: the checks every view and socket shares.

Objects in a workspace the caller cannot see answer 404, never 403 (existence is not
leaked); a caller who can see an object but lacks the role gets 403.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from rest_framework import exceptions, status

from journeymap.api import ApiError
from workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def not_found(what: str = "object") -> ApiError:
    return ApiError(
        code="not_found", message=f"No such {what}.", status_code=status.HTTP_404_NOT_FOUND
    )


def forbidden(message: str) -> ApiError:
    return ApiError(code="forbidden", message=message, status_code=status.HTTP_403_FORBIDDEN)


def signed_in(user: User | AnonymousUser) -> User:
    """The caller as a User; API views require authentication, so this only narrows the type."""
    from django.contrib.auth.models import User

    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def parse_uuid(raw: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError):
        raise ApiError(code="invalid", message=f"{what} must be a UUID.") from None


def workspace_for(
    user: User | AnonymousUser, workspace_id: object, *, admin: bool = False
) -> Workspace:
    """The workspace if the user is a member (an admin when `admin`), else 404/403."""
    workspace_uuid = parse_uuid(workspace_id, "workspace")
    if not user.is_authenticated:  # API views require sign-in: this only narrows the type
        raise not_found("workspace")
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
