"""When someone's access to a map ends, their open sockets hear of it at once.

Every way access ends is a model or auth signal, so that no view, admin action, cascade or
command can forget it: a map role removed or changed, a workspace membership removed or
changed, a share link revoked or deleted, a map (or the workspace holding it) deleted, a
password changed, an account deactivated, an API token deleted, a session signed out or
deleted (which is how "sign out everywhere" ends sessions).
For each, `access_revoke`:
1. in the transaction that takes the access away, moves the affected maps' access epoch on
   (JourneyMap.access_epoch). Every change committed after it carries the new epoch, and a
   map's room (live/rooms.py) checks its sockets again before handing on the first change of
   a new epoch, so nothing that follows a revocation reaches the revoked, however the change
   and the news of the revocation cross the channel layer;
2. after the commit, sends ACCESS_CHANGED to each affected map's group, so the rooms check at
   once even when nothing else happens on the map. A room's check (live/services.py,
   access_review) closes the sockets that may no longer read with 4401, 4403 or 4404 and a
   reason, and tells a socket whose role changed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from rest_framework.authtoken.models import Token

from journeymap.outages import OUTAGES
from live.services import session_digest
from maps.models import JourneyMap
from workspaces.models import MapAccess, Membership, ShareLink

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

# The channel-layer event (group "map.<id>") that makes the map's rooms check their sockets.
ACCESS_CHANGED = "access.changed"
# User fields whose change ends sessions or the account (Django checks the password's hash).
CREDENTIAL_FIELDS = ("password", "is_active")
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def access_revoke(*, maps: QuerySet[JourneyMap], sessions: Collection[str] = ()) -> None:
    """Within the transaction that ends someone's access to `maps`: move their access epoch
    on, and after the commit have their rooms check every socket. `sessions`: digests of
    sessions just signed out (their rows may outlive the signal)."""
    map_ids = list(maps.values_list("pk", flat=True))
    if not map_ids:
        return
    JourneyMap.objects.filter(pk__in=map_ids).update(access_epoch=F("access_epoch") + 1)
    transaction.on_commit(lambda: access_announce(map_ids=map_ids, sessions=sessions))


def access_announce(*, map_ids: Collection[uuid.UUID], sessions: Collection[str] = ()) -> None:
    """Tell the maps' rooms to check their sockets now (after a commit, or for a map that is
    gone, whose epoch can no longer move)."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": ACCESS_CHANGED, "sessions": list(sessions)}
    for map_id in map_ids:
        try:
            async_to_sync(layer.group_send)(f"map.{map_id}", event)
        except OUTAGES as error:
            # Redis is down: the sockets are cut off from every change too, and the first
            # change of the new epoch makes their rooms check them when it is back.
            logger.warning("access change of map %s not announced: %s", map_id, error)


def maps_of_user(user_id: int) -> QuerySet[JourneyMap]:
    """Every map a person may have a socket on: their workspaces' and their own."""
    return JourneyMap.objects.filter(
        Q(workspace__memberships__user_id=user_id) | Q(accesses__user_id=user_id)
    ).distinct()


def _map_access_changed(sender: Any, instance: MapAccess, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new role grants, it takes nothing away
    access_revoke(maps=JourneyMap.objects.filter(pk=instance.map_id))


def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    access_revoke(maps=JourneyMap.objects.filter(workspace_id=instance.workspace_id))


def _share_link_changed(sender: Any, instance: ShareLink, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    access_revoke(maps=JourneyMap.objects.filter(pk=instance.map_id))


def _map_deleted(sender: Any, instance: JourneyMap, **kwargs: Any) -> None:
    map_id = instance.pk
    transaction.on_commit(lambda: access_announce(map_ids=[map_id]))


def _credentials_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Note whether a save changes the password or deactivates the account (a sign-in's
    update of last_login names its fields and is let through without a query)."""
    fields = kwargs.get("update_fields")
    if instance.pk is None or (fields is not None and not set(fields) & set(CREDENTIAL_FIELDS)):
        return
    before = sender.objects.filter(pk=instance.pk).values(*CREDENTIAL_FIELDS).first()
    instance._credentials_changed = before is not None and any(
        before[name] != getattr(instance, name) for name in CREDENTIAL_FIELDS
    )


def _credentials_after(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_credentials_changed", False):
        instance._credentials_changed = False
        access_revoke(maps=maps_of_user(instance.pk))


def _token_deleted(sender: Any, instance: Token, **kwargs: Any) -> None:
    access_revoke(maps=maps_of_user(instance.user_id))


def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    """Django flushes the session after this signal: name it, or a room checking at once
    would still find it signed in. (With sessions in the database, the row's deletion is
    heard instead, below: also when sessions are ended without a sign-out.)"""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if user is None or not key or settings.SESSION_ENGINE == DATABASE_SESSIONS:
        return
    access_revoke(maps=maps_of_user(user.pk), sessions=[session_digest(key)])


def _session_deleted(sender: Any, instance: Session, **kwargs: Any) -> None:
    """A session row gone: signed out, ended everywhere by an admin or a command, or expired
    and cleared. Whoever it signed in has their sockets checked."""
    user_id = instance.get_decoded().get(SESSION_KEY)
    if user_id is None or not str(user_id).isdigit():
        return
    access_revoke(maps=maps_of_user(int(user_id)), sessions=[session_digest(instance.pk)])


def revocation_connect() -> None:
    """Connect the receivers (live/apps.py)."""
    user_model = get_user_model()
    uid = "live.revocation"
    post_save.connect(_map_access_changed, sender=MapAccess, dispatch_uid=f"{uid}.access")
    post_delete.connect(_map_access_changed, sender=MapAccess, dispatch_uid=f"{uid}.access-")
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid=f"{uid}.member")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid=f"{uid}.member-")
    post_save.connect(_share_link_changed, sender=ShareLink, dispatch_uid=f"{uid}.link")
    post_delete.connect(_share_link_changed, sender=ShareLink, dispatch_uid=f"{uid}.link-")
    post_delete.connect(_map_deleted, sender=JourneyMap, dispatch_uid=f"{uid}.map-")
    pre_save.connect(_credentials_before, sender=user_model, dispatch_uid=f"{uid}.user")
    post_save.connect(_credentials_after, sender=user_model, dispatch_uid=f"{uid}.user+")
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid=f"{uid}.token-")
    user_logged_out.connect(_signed_out, dispatch_uid=f"{uid}.logout")
    post_delete.connect(_session_deleted, sender=Session, dispatch_uid=f"{uid}.session-")
