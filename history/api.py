"""REST for a map's past and its relations: timeline, versions, past revisions, compare,
restore, current vs future state side by side.

Thin views over history.services, history.timeline and history.side_by_side; a past
revision of the document itself is maps' (`GET /api/maps/{id}/?revision=`, maps.revisions).
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from history.services import document_compare, map_restore, version_create
from history.side_by_side import side_by_side
from history.timeline import map_timeline
from journeymap.api import ApiError, request_language
from journeymap.schema import list_of_objects
from maps.access import map_for
from maps.models import JourneyMap, Version
from maps.ops import OpError
from maps.rest import revision_param
from maps.revisions import document_at
from workspaces.access import forbidden, signed_in
from workspaces.models import MapRole
from workspaces.serializers import display_name


class HistoryView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("before", OpenApiTypes.INT),
            OpenApiParameter("lang", OpenApiTypes.STR, enum=["vi", "en"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        before = request.query_params.get("before")
        before_revision = revision_param(before, journey_map, "before") if before else None
        body = map_timeline(
            journey_map=journey_map, language=request_language(request), before=before_revision
        )
        body["revision"] = journey_map.revision
        return Response(body)


class VersionNameSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, trim_whitespace=True)

    def validate_name(self, value: str) -> str:
        # Text is stored as NFC, without the control characters a PDF or database refuses.
        value = unicodedata.normalize("NFC", value)
        if any(ord(ch) < 32 or ch == "\x7f" for ch in value):
            raise serializers.ValidationError("Control characters are not allowed.")
        return value


def version_body(version: Version) -> dict[str, Any]:
    author = version.created_by
    return {
        "id": str(version.pk),
        "name": version.name,
        "revision": version.revision,
        "created": version.created_at.isoformat(),
        "author": {"username": author.username, "name": display_name(author)} if author else None,
    }


class VersionListView(APIView):
    @extend_schema(responses=list_of_objects())
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        versions = (
            Version.objects.filter(map=journey_map)
            .exclude(name="")
            .select_related("created_by")
            .defer("document")
        )
        return Response([version_body(v) for v in versions])

    @extend_schema(request=VersionNameSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.EDITOR)
        serializer = VersionNameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = version_create(
            journey_map=journey_map,
            name=serializer.validated_data["name"],
            actor=signed_in(request.user),
        )
        return Response(version_body(version), status=status.HTTP_201_CREATED)


class CompareView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True),
            OpenApiParameter("to", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        old = revision_param(request.query_params.get("from"), journey_map, "from")
        new = revision_param(
            request.query_params.get("to", journey_map.revision), journey_map, "to"
        )
        diff = document_compare(
            document_at(journey_map=journey_map, revision=old),
            document_at(journey_map=journey_map, revision=new),
        )
        return Response({"from": old, "to": new, **diff})


class RestoreSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField(min_value=0)


class RestoreView(APIView):
    @extend_schema(request=RestoreSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, role = map_for(request.user, map_id, MapRole.EDITOR)
        serializer = RestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = revision_param(serializer.validated_data["revision"], journey_map)
        try:
            new_revision = map_restore(
                journey_map=journey_map, actor=request.user, revision=revision, role=role
            )
        except OpError as error:
            from maps.rest import op_error_response

            raise op_error_response(error) from None
        return Response({"revision": new_revision})


class CurrentStateSerializer(serializers.Serializer[Any]):
    map = serializers.UUIDField(allow_null=True)


class CurrentStateView(APIView):
    """Link a future-state map to the current-state map it improves on (or unlink)."""

    @extend_schema(request=CurrentStateSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.EDITOR)
        serializer = CurrentStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other_id = serializer.validated_data["map"]
        other = None
        if other_id is not None:
            other, _ = map_for(request.user, other_id)
            if other.pk == journey_map.pk or other.current_state_id == journey_map.pk:
                raise ApiError(code="invalid", message="A map cannot be its own current state.")
            if other.workspace_id != journey_map.workspace_id:
                raise ApiError(code="invalid", message="Both maps must be in one workspace.")
        JourneyMap.objects.filter(pk=journey_map.pk).update(current_state=other)
        return Response(
            {"id": str(journey_map.pk), "current_state": str(other.pk) if other else None}
        )


class SideBySideView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        future, _ = map_for(request.user, map_id)
        if future.current_state_id is None:
            raise ApiError(code="invalid", message="This map is not linked to a current state.")
        current = JourneyMap.objects.filter(pk=future.current_state_id).first()
        if current is None or current.role_of(request.user) is None:
            raise forbidden("You cannot see the current-state map this one is linked to.")
        return Response(side_by_side(current=current, future=future))
