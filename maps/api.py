from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from pydantic import ValidationError as PydanticValidationError
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journeymap.api import ApiError
from journeymap.text import clean_text
from maps import hooks, services
from maps.access import map_for, map_for_reading
from maps.change_log import change_page_read
from maps.document_cache import (
    IF_NONE_MATCH,
    DocumentVersion,
    conditional,
    documents,
    etag_matches,
    not_modified,
)
from maps.documents import PortableDocument, document_export, document_import, map_create
from maps.models import JourneyMap, MapType
from maps.ops import OpError
from maps.rest import change_apply, revision_param
from maps.revisions import RevisionError, document_at
from maps.serializers import (
    ChangeRequestSerializer,
    ChangeSerializer,
    ImportSerializer,
    MapCreateSerializer,
    MapSummarySerializer,
)
from maps.subjourneys import map_hierarchy
from workspaces.access import parse_uuid, signed_in, workspace_for
from workspaces.models import MapAccess, MapRole


def _pydantic_error(error: PydanticValidationError) -> ApiError:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    details = [
        {"loc": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
        for e in error.errors()[:20]
    ]
    return ApiError(code="invalid", message=f"{where}: {first['msg']}", details=details)


def document_response(request: Request, journey_map: JourneyMap, role: str) -> HttpResponseBase:
    """GET /api/maps/{id}/[?revision=N]: the document (at N, read-only), with an ETag naming
    its version and the caller's role; a matching If-None-Match gets 304 and builds nothing."""
    at = None
    if "revision" in request.query_params:
        at = revision_param(request.query_params.get("revision"), journey_map)
    version = DocumentVersion.of(journey_map, at=at)
    as_json = request.accepted_renderer.format == "json"
    # Another representation (the browsable API's page) gets another validator.
    etag = version.etag(role) if as_json else version.etag(role, request.accepted_renderer.format)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag)
    cached = documents.get(version, lambda: _document_build(journey_map, at))
    fields: dict[str, Any] = {"role": role}
    if at is not None:
        fields["current_revision"] = journey_map.revision
    if as_json:
        # The cached JSON as it is, the caller's fields appended: no re-render per request.
        body = cached.body_with(**fields)
        return conditional(HttpResponse(body, content_type="application/json"), etag)
    return conditional(Response({**cached.document(), **fields}), etag)


def _document_build(journey_map: JourneyMap, at: int | None) -> Mapping[str, Any]:
    if at is None:
        return services.map_document(journey_map=journey_map)
    try:
        return document_at(journey_map=journey_map, revision=at)
    except RevisionError as error:
        raise ApiError(code="invalid", message=str(error)) from None


class MapListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("workspace", OpenApiTypes.UUID),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="search title, objective, scenario"
            ),
            OpenApiParameter("type", OpenApiTypes.STR, enum=MapType.values),
            OpenApiParameter("persona", OpenApiTypes.UUID),
            OpenApiParameter("owner", OpenApiTypes.STR, description="username of an owner"),
            OpenApiParameter(
                "ordering", OpenApiTypes.STR, enum=["-updated_at", "title", "-created_at"]
            ),
        ],
        responses=MapSummarySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = {name: _query_text(request, name) for name in request.query_params}
        maps: QuerySet[JourneyMap] = JourneyMap.objects.visible_to(request.user)
        if params.get("workspace"):
            maps = maps.filter(workspace_id=parse_uuid(params["workspace"], "workspace"))
        if params.get("q"):
            maps = _matching(maps, params["q"][:200])
        if params.get("type"):
            maps = maps.filter(type=params["type"])
        if params.get("persona"):
            maps = maps.filter(personas__id=parse_uuid(params["persona"], "persona"))
        if params.get("owner"):
            maps = maps.filter(
                accesses__role=MapRole.OWNER, accesses__user__username=params["owner"]
            )
        ordering = params.get("ordering", "-updated_at")
        if ordering not in {"-updated_at", "title", "-created_at"}:
            ordering = "-updated_at"
        maps = (
            maps.order_by(ordering)
            .distinct()
            .prefetch_related(
                "stages",
                "personas",
                Prefetch("accesses", queryset=MapAccess.objects.select_related("user")),
            )[:500]
        )
        return Response(MapSummarySerializer(maps, many=True).data)

    @extend_schema(request=MapCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        serializer = MapCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workspace = workspace_for(request.user, data["workspace"])
        document = None
        if data.get("template"):
            document = hooks.template_document(
                workspace=workspace, key=data["template"], language=data["language"]
            )
            if document is None:
                raise ApiError(code="invalid", message=f"Unknown template {data['template']!r}.")
        journey_map = map_create(
            workspace=workspace,
            actor=signed_in(request.user),
            title=data["title"],
            language=data["language"],
            document=document,
            template=data.get("template", ""),
        )
        body = services.map_document(journey_map=journey_map)
        return Response(body, status=status.HTTP_201_CREATED)


class MapDetailView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("revision", OpenApiTypes.INT, description="a past revision"),
            IF_NONE_MATCH,
        ],
        responses={200: OpenApiTypes.OBJECT, 304: None},
    )
    def get(self, request: Request, map_id: uuid.UUID) -> HttpResponseBase:
        journey_map, role = map_for_reading(request.user, map_id)
        return document_response(request, journey_map, role)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, role = map_for(request.user, map_id, MapRole.EDITOR)
        fields = dict(request.data) if isinstance(request.data, dict) else request.data
        change_apply(
            request,
            journey_map,
            role,
            {"id": str(uuid.uuid4()), "ops": [{"type": "map.update", "fields": fields}]},
        )
        journey_map.refresh_from_db()
        return Response(services.map_document(journey_map=journey_map))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id, MapRole.OWNER)
        services.map_delete(journey_map=journey_map, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeListView(APIView):
    page_size = 500

    @extend_schema(
        request=ChangeRequestSerializer,
        responses=inline_serializer(
            "ChangeApplied", {"revision": serializers.IntegerField(), "id": serializers.UUIDField()}
        ),
    )
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, role = map_for(request.user, map_id)
        applied = change_apply(request, journey_map, role, request.data)
        return Response({"revision": applied.revision, "id": str(applied.change_id)})

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.INT),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=inline_serializer(
            "ChangePage",
            {
                "results": ChangeSerializer(many=True),
                "next": serializers.URLField(allow_null=True),
                "revision": serializers.IntegerField(),
            },
        ),
    )
    def get(self, request: Request, map_id: uuid.UUID) -> HttpResponseBase:
        journey_map, _ = map_for(request.user, map_id)
        since = _int_param(request, "since", 0)
        limit = min(max(_int_param(request, "limit", self.page_size), 1), self.page_size)
        page = change_page_read(map_id=journey_map.pk, since=since, limit=limit)
        next_url = None
        if page.full:
            path = reverse("api-map-changes", args=[journey_map.pk])
            next_url = request.build_absolute_uri(f"{path}?since={page.last}&limit={limit}")
        if request.accepted_renderer.format == "json":
            body = page.body(next_url=next_url, revision=journey_map.revision)
            return HttpResponse(body, content_type="application/json")
        results = json.loads(page.results)
        return Response({"results": results, "next": next_url, "revision": journey_map.revision})


def _matching(maps: QuerySet[JourneyMap], q: str) -> QuerySet[JourneyMap]:
    """Maps whose title, objective or scenario contain `q`, ignoring case in any script."""
    if connection.vendor == "postgresql":
        return maps.filter(
            Q(title__icontains=q) | Q(objective__icontains=q) | Q(scenario__icontains=q)
        )
    # SQLite's LIKE folds ASCII only ("đặt" would miss "Đặt vé"): the embedded database
    # serves small teams, so compare the visible maps' text in Python instead.
    needle = q.casefold()
    rows = maps.values_list("pk", "title", "objective", "scenario")
    ids = [pk for pk, *texts in rows if any(needle in text.casefold() for text in texts)]
    return maps.filter(pk__in=ids)


def _query_text(request: Request, name: str) -> str:
    """A query parameter as clean text: PostgreSQL cannot even compare a string with NUL."""
    try:
        return clean_text(request.query_params.get(name, ""))
    except ValueError:
        raise ApiError(code="invalid", message=f"{name} contains control characters.") from None


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(code="invalid", message=f"{name} must be an integer.") from None
    if value < 0:
        raise ApiError(code="invalid", message=f"{name} must not be negative.")
    return value


class DocumentView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        response = Response(document_export(journey_map=journey_map))
        if request.query_params.get("download"):
            response["Content-Disposition"] = (
                f'attachment; filename="journeymap-{journey_map.pk}.json"'
            )
        return response


class ImportView(APIView):
    @extend_schema(request=ImportSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workspace = workspace_for(request.user, serializer.validated_data["workspace"])
        try:
            document = PortableDocument.model_validate(serializer.validated_data["document"])
        except PydanticValidationError as error:
            raise _pydantic_error(error) from None
        warnings: list[str] = []
        try:
            journey_map = document_import(
                workspace=workspace,
                actor=signed_in(request.user),
                document=document,
                warnings=warnings,
            )
        except OpError as error:
            raise ApiError(
                code="invalid", message=error.message, details={"code": error.code, "op": error.op}
            ) from None
        body = services.map_document(journey_map=journey_map) | {"warnings": warnings}
        return Response(body, status=status.HTTP_201_CREATED)


def _hierarchy_schema() -> Any:
    step: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "title": serializers.CharField(),
        "stage": serializers.CharField(),
    }
    linkable: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "title": serializers.CharField(),
        "type": serializers.CharField(),
        "status": serializers.CharField(),
        "above": serializers.BooleanField(),
    }
    return inline_serializer(
        "MapHierarchy",
        {
            "trail": inline_serializer("TrailStep", step, many=True),
            "linkable": inline_serializer("LinkableMap", linkable, many=True),
        },
    )


class HierarchyView(APIView):
    @extend_schema(
        summary="The map's place among sub-journeys",
        description=(
            "`trail`: the maps above this one, the top first (each with the stage that links "
            "down); `linkable`: the maps of the workspace the caller may read that a stage may "
            "name as its `subjourney` (`above`: already above this map, a link would be a cycle)."
        ),
        responses=_hierarchy_schema(),
    )
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        return Response(map_hierarchy(journey_map=journey_map, user=request.user))
