"""Who has access to a map: per-map roles and share links.

Share links carry a random token of 256 bits (workspaces.models.new_share_token). A lookup
narrows candidates by an indexed prefix and then compares the whole token in constant time,
so response timing does not reveal how much of a guessed token matched.
Taking access away (a role, a link) also closes the sockets it let in: live/revocation.py
hears of it through the models' signals.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from workspaces.models import MapAccess, MapRole, Membership, ShareLink

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = 12  # characters used to find candidates; the rest is compared in constant time


class SharingError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def owners_of(journey_map: Any) -> set[int]:
    """Everyone whose role on the map is owner: explicit owners and workspace admins."""
    explicit = MapAccess.objects.filter(map=journey_map, role=MapRole.OWNER)
    admins = Membership.objects.filter(
        workspace_id=journey_map.workspace_id, role=Membership.Role.ADMIN
    )
    return set(explicit.values_list("user_id", flat=True)) | set(
        admins.values_list("user_id", flat=True)
    )


def _keep_an_owner(journey_map: Any, user_id: int, new_role: str | None) -> None:
    if new_role == MapRole.OWNER:
        return
    if owners_of(journey_map) - {user_id}:
        return
    raise SharingError("last_owner", "A map needs an owner: make someone else owner first.")


def map_access_change(*, journey_map: Any, user: User, role: str) -> MapAccess:
    """Give a user an explicit role on the map (workspace admins stay owners regardless)."""
    with transaction.atomic():
        type(journey_map).objects.select_for_update().filter(pk=journey_map.pk).first()
        _keep_an_owner(journey_map, user.pk, role)
        access, _ = MapAccess.objects.update_or_create(
            map=journey_map, user=user, defaults={"role": role}
        )
    return access


def map_access_remove(*, journey_map: Any, user: User) -> None:
    with transaction.atomic():
        type(journey_map).objects.select_for_update().filter(pk=journey_map.pk).first()
        access = MapAccess.objects.filter(map=journey_map, user=user).first()
        if access is None:
            raise SharingError("not_found", "This person has no role of their own on the map.")
        _keep_an_owner(journey_map, user.pk, None)
        access.delete()


def share_link_create(
    *,
    journey_map: Any,
    actor: User,
    role: str,
    expires: dt.datetime | None = None,
    allow_export: bool = False,
) -> ShareLink:
    if role not in ShareLink.Role.values:
        raise SharingError("invalid", "A share link is for viewers or commenters.")
    if expires is not None and expires <= timezone.now():
        raise SharingError("invalid", "expires must be in the future.")
    return ShareLink.objects.create(
        map=journey_map, role=role, expires=expires, allow_export=allow_export, created_by=actor
    )


def share_link_find(token: str | None) -> ShareLink | None:
    """The active link with this token, or None. Constant-time on the secret part."""
    if not isinstance(token, str) or not (32 <= len(token) <= 64):
        return None
    candidates = ShareLink.objects.select_related("map").filter(
        token__startswith=token[:TOKEN_PREFIX]
    )
    found = None
    for link in candidates:
        if hmac.compare_digest(link.token.encode(), token.encode()):
            found = link
    if found is None or not found.is_active:
        return None
    return found


def share_link_revoke(*, link: ShareLink) -> None:
    """Revoke the link now; sockets it opened close once the revocation is committed."""
    with transaction.atomic():
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])


def share_link_seconds_left(link: ShareLink) -> float | None:
    """How long a socket opened with this link may stay open (None: no expiry)."""
    if link.expires is None:
        return None
    return max((link.expires - timezone.now()).total_seconds(), 0.0)
