"""REST for who has access and what they say: per-map roles, share links, the share-link
view, notifications, the workspace activity feed.

Thin views: validate, call one service (workspaces.sharing, collab.notifications), serialize.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.activity import workspace_activity
from collab.models import Notification
from collab.notifications import notifications_of
from collab.serializers import MapAccessInviteSerializer, MapMemberSerializer
from journeymap.api import ApiError, request_language
from journeymap.schema import list_of_objects
from maps.access import map_for
from maps.document_cache import IF_NONE_MATCH, document_revalidated
from maps.document_types import MapDocument
from workspaces.access import forbidden, not_found, parse_uuid, signed_in, workspace_for
from workspaces.models import MapAccess, MapRole, Membership, ShareLink, role_at_least
from workspaces.serializers import UserSerializer, display_name
from workspaces.sharing import (
    SharingError,
    map_access_change,
    map_access_remove,
    share_link_create,
    share_link_find,
    share_link_revoke,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from maps.models import JourneyMap

STATUS_OF = {"not_found": 404, "last_owner": 409, "invalid": 400}


def _sharing_error(error: SharingError) -> ApiError:
    return ApiError(code=error.code, message=error.message, status_code=STATUS_OF[error.code])


class RoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=MapRole.choices)


class MapMembersView(APIView):
    @extend_schema(responses=MapMemberSerializer(many=True))
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        explicit = {
            access.user_id: access for access in journey_map.accesses.select_related("user")
        }
        members = []
        for membership in Membership.objects.filter(workspace=journey_map.workspace).select_related(
            "user"
        ):
            members.append(membership.user)
        users = {u.pk: u for u in members} | {a.user_id: a.user for a in explicit.values()}
        rows = []
        for user in sorted(users.values(), key=lambda u: u.username):
            rows.append(
                {
                    "user": UserSerializer(user).data,
                    "role": journey_map.role_of(user),
                    "explicit": user.pk in explicit,
                }
            )
        return Response(rows)

    @extend_schema(
        request=MapAccessInviteSerializer,
        responses={200: MapMemberSerializer, 201: MapMemberSerializer},
    )
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        serializer = MapAccessInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, role = serializer.validated_data["user"], serializer.validated_data["role"]
        created = not MapAccess.objects.filter(map=journey_map, user=user).exists()
        try:
            # The sharing service keeps at least one owner on the map.
            map_access_change(journey_map=journey_map, user=user, role=role)
        except SharingError as error:
            raise ApiError(code=error.code, message=error.message, status_code=409) from None
        body = {
            "user": UserSerializer(user).data,
            "role": journey_map.role_of(user),
            "explicit": True,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MapMemberView(APIView):
    """Change or remove one person's explicit role on a map (owners only)."""

    def _target(self, request: Request, map_id: uuid.UUID, user_id: int) -> tuple[JourneyMap, User]:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise not_found("user")
        return journey_map, user

    @extend_schema(request=RoleSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, map_id: uuid.UUID, user_id: int) -> Response:
        journey_map, user = self._target(request, map_id, user_id)
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            map_access_change(
                journey_map=journey_map, user=user, role=serializer.validated_data["role"]
            )
        except SharingError as error:
            raise _sharing_error(error) from None
        return Response(
            {"user": UserSerializer(user).data, "role": journey_map.role_of(user), "explicit": True}
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, map_id: uuid.UUID, user_id: int) -> Response:
        journey_map, user = self._target(request, map_id, user_id)
        try:
            map_access_remove(journey_map=journey_map, user=user)
        except SharingError as error:
            raise _sharing_error(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShareLinkCreateSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=ShareLink.Role.choices)
    expires = serializers.DateTimeField(required=False, allow_null=True)
    allow_export = serializers.BooleanField(required=False, default=False)


def share_link_body(request: Request, link: ShareLink) -> dict[str, Any]:
    return {
        "id": str(link.pk),
        "token": link.token,
        "url": request.build_absolute_uri(f"/share/{link.token}/"),
        "role": link.role,
        "expires": link.expires.isoformat() if link.expires else None,
        "allow_export": link.allow_export,
        "active": link.is_active,
        "created": link.created_at.isoformat(),
    }


class ShareLinkListView(APIView):
    @extend_schema(responses=list_of_objects())
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        links = ShareLink.objects.filter(map=journey_map, revoked_at__isnull=True)
        return Response([share_link_body(request, link) for link in links])

    @extend_schema(request=ShareLinkCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        serializer = ShareLinkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            link = share_link_create(
                journey_map=journey_map,
                actor=signed_in(request.user),
                role=data["role"],
                expires=data.get("expires"),
                allow_export=data["allow_export"],
            )
        except SharingError as error:
            raise _sharing_error(error) from None
        return Response(share_link_body(request, link), status=status.HTTP_201_CREATED)


class ShareLinkDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, map_id: uuid.UUID, link_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        link = ShareLink.objects.filter(map=journey_map, pk=link_id).first()
        if link is None:
            raise not_found("share link")
        share_link_revoke(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharedMapView(APIView):
    """The map document for whoever holds an active link; no account needed."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: OpenApiTypes.OBJECT, 304: None},
    )
    def get(self, request: Request, token: str) -> HttpResponseBase:
        link = share_link_find(token)
        if link is None:
            raise not_found("share link")
        can_comment = link.role == ShareLink.Role.COMMENTER and bool(request.user.is_authenticated)
        link_state = (str(link.pk), str(can_comment), str(link.allow_export), str(link.expires))
        return document_revalidated(
            journey_map=link.map,
            if_none_match=request.headers.get("If-None-Match"),
            shown=("share", link.role),
            hidden=link_state,
            respond=lambda document: Response(_shared(document, link, can_comment)),
        )


def _shared(document: MapDocument, link: ShareLink, can_comment: bool) -> dict[str, Any]:
    """What a link's holder sees of the document: no workspace, no author ids, no persona
    photos (served to people with access only, journeymap/files.py; the share view draws none)."""
    shared: dict[str, Any] = dict(document)  # another shape: keys go and come
    shared.pop("workspace", None)
    for persona in document.get("personas", []):
        persona["photo"] = None
    for comment in shared["comments"]:
        comment["author"].pop("id", None)
    shared["role"] = link.role
    shared["can_comment"] = can_comment
    shared["allow_export"] = link.allow_export
    shared["expires"] = link.expires.isoformat() if link.expires else None
    return shared


class SharedChangeView(APIView):
    """Comments through a commenter link, for someone signed in (a comment has an author).

    The change takes the same path as every other, with the link's role: commenter ops only.
    """

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, token: str) -> Response:
        link = share_link_find(token)
        if link is None:
            raise not_found("share link")
        if link.role != ShareLink.Role.COMMENTER:
            raise forbidden("This link is for viewing only.")
        from maps.rest import change_apply

        # The stronger of the link's role and the person's own role on the map.
        own = link.map.role_of(request.user)
        role: str = own if own and role_at_least(own, MapRole.COMMENTER) else MapRole.COMMENTER
        applied = change_apply(request, link.map, role, request.data)
        return Response({"revision": applied.revision, "id": str(applied.change_id)})


def notification_body(note: Notification) -> dict[str, Any]:
    comment = note.comment
    return {
        "id": note.pk,
        "kind": note.kind,
        "read": note.read,
        "created": note.created_at.isoformat(),
        "map": {"id": str(note.map_id), "title": note.map.title},
        "comment": {
            "id": str(comment.pk),
            "text": comment.text[:280],
            "item": str(comment.item_id) if comment.item_id else None,
            "stage": str(comment.stage_id) if comment.stage_id else None,
        },
        "actor": {"username": note.actor.username, "name": display_name(note.actor)}
        if note.actor
        else None,
        "url": f"/maps/{note.map_id}/?comment={comment.pk}",
    }


def _me(request: Request) -> User:
    return signed_in(request.user)  # IsAuthenticated has run: a real user


class NotificationListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        me = _me(request)
        notes = notifications_of(me).select_related("map", "comment", "actor")
        if request.query_params.get("unread"):
            notes = notes.filter(read=False)
        rows = [notification_body(n) for n in notes[:100]]
        unread = notifications_of(me).filter(read=False).count()
        return Response(
            {
                "results": rows,
                "unread": unread,
                "me": {"id": me.pk, "username": me.username, "name": display_name(me)},
            }
        )


class NotificationReadSerializer(serializers.Serializer[Any]):
    # Bounded to a 64-bit key: a larger number is no notification, and SQLite cannot bind it.
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=500,
    )


class NotificationReadView(APIView):
    @extend_schema(request=NotificationReadSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Only what the caller still sees: the count marked says nothing of the rest.
        notes = notifications_of(_me(request)).filter(read=False)
        if "ids" in serializer.validated_data:
            notes = notes.filter(pk__in=serializer.validated_data["ids"])
        return Response({"marked": notes.update(read=True)})


class ActivityView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("lang", OpenApiTypes.STR, enum=["vi", "en"])],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, parse_uuid(workspace_id, "workspace"))
        return Response(
            {
                "results": workspace_activity(
                    workspace=workspace, user=request.user, language=request_language(request)
                )
            }
        )
