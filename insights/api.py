"""The insights REST API (docs/api.md, "Insights"): the workspace repository, one insight with
the cards using it, a map's card insights and derived evidence, and linking cards."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.access import insight_for, insight_workspace_for, insights_readable
from insights.models import InsightKind
from insights.serializers import (
    CardInsightsSerializer,
    InsightDetailSerializer,
    InsightSerializer,
    LinkRequestSerializer,
    MapInsightsSerializer,
)
from insights.services import (
    card_on_map,
    insight_cards,
    insight_create,
    insight_delete,
    insight_link,
    insight_unlink,
    insight_update,
    insights_filtered,
    map_insights,
)
from maps.access import map_for
from workspaces.access import forbidden, signed_in
from workspaces.models import MapRole

PARSERS = [JSONParser, MultiPartParser, FormParser]
LIST_LIMIT = 500


def _urls(request: Request) -> dict[str, Any]:
    """Serializer context that makes `source_file` an absolute URL (the schema's `format:
    uri`), fetched from the app with the caller's own session or token."""
    return {"request": request}


class WorkspaceInsightsView(APIView):
    parser_classes = PARSERS

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=InsightKind.values),
            OpenApiParameter("tag", OpenApiTypes.STR),
            OpenApiParameter("q", OpenApiTypes.STR, description="Words in the text or source."),
        ],
        responses=InsightSerializer(many=True),
    )
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace, member = insight_workspace_for(request.user, workspace_id)
        params = request.query_params
        kind = params.get("kind", "")
        kind = kind if kind in InsightKind.values else ""
        insights = insights_filtered(
            insights_readable(request.user, workspace, member=member),
            kind=kind,
            tag=params.get("tag", "")[:100],
            query=params.get("q", "")[:200],
        ).annotate(card_count=Count("links"))[:LIST_LIMIT]
        return Response(InsightSerializer(insights, many=True, context=_urls(request)).data)

    @extend_schema(request=InsightSerializer, responses={201: InsightSerializer})
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace, member = insight_workspace_for(request.user, workspace_id)
        if not member:
            raise forbidden("Only members of the workspace can add insights.")
        serializer = InsightSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        insight = insight_create(
            workspace=workspace, actor=signed_in(request.user), fields=serializer.validated_data
        )
        body = InsightSerializer(insight, context=_urls(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class InsightDetailView(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=InsightDetailSerializer)
    def get(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight, _member = insight_for(request.user, insight_id)
        cards = insight_cards(insight=insight, user=request.user)
        context = {**_urls(request), "cards": cards}
        return Response(InsightDetailSerializer(insight, context=context).data)

    @extend_schema(request=InsightSerializer, responses=InsightSerializer)
    def patch(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight, _member = insight_for(request.user, insight_id, change=True)
        serializer = InsightSerializer(insight, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        insight = insight_update(insight=insight, fields=serializer.validated_data)
        return Response(InsightSerializer(insight, context=_urls(request)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight, _member = insight_for(request.user, insight_id, change=True)
        insight_delete(insight=insight)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MapInsightsView(APIView):
    @extend_schema(responses=MapInsightsSerializer)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _role = map_for(request.user, map_id)
        return Response(map_insights(journey_map=journey_map))


class CardInsightsView(APIView):
    """POST links an insight to a card (creating it first when `new` is given)."""

    @extend_schema(request=LinkRequestSerializer, responses={201: CardInsightsSerializer})
    def post(self, request: Request, map_id: uuid.UUID, item_id: uuid.UUID) -> Response:
        journey_map, _role = map_for(request.user, map_id, MapRole.EDITOR)
        item = card_on_map(journey_map=journey_map, item_id=item_id)
        serializer = LinkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = signed_in(request.user)
        if "insight" in serializer.validated_data:
            insight, _member = insight_for(request.user, serializer.validated_data["insight"])
        else:
            insight = insight_create(
                workspace=journey_map.workspace,
                actor=actor,
                fields=serializer.validated_data["new"],
            )
        insight_link(insight=insight, item=item, actor=actor)
        entry = map_insights(journey_map=journey_map)["items"][str(item.pk)]
        return Response(entry, status=status.HTTP_201_CREATED)


class CardInsightView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(
        self, request: Request, map_id: uuid.UUID, item_id: uuid.UUID, insight_id: uuid.UUID
    ) -> Response:
        journey_map, _role = map_for(request.user, map_id, MapRole.EDITOR)
        item = card_on_map(journey_map=journey_map, item_id=item_id)
        insight, _member = insight_for(request.user, insight_id)
        insight_unlink(insight=insight, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)
