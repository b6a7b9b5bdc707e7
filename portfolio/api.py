"""The portfolio app's API: the landscape (`GET /api/workspaces/{id}/landscape/`) and the
opportunity and solution portfolio (`/api/workspaces/{id}/portfolio/…`)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journeymap.api import ApiError
from maps.models import OpportunityStatus
from portfolio.landscape import landscape_workspace, workspace_landscape
from portfolio.opportunities import (
    opportunity_entry,
    portfolio_etag,
    visible_links,
    visible_maps,
    workspace_portfolio,
)
from portfolio.services import opportunity_update, solution_link_create, solution_link_delete
from workspaces.access import signed_in


def _schema() -> Any:
    persona: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "name": serializers.CharField(),
        "color": serializers.CharField(),
    }
    share: dict[str, Any] = {
        "persona": serializers.UUIDField(allow_null=True, help_text="null: points of no persona"),
        "name": serializers.CharField(),
        "color": serializers.CharField(),
        "points": serializers.IntegerField(help_text="as-is emotion points of this persona"),
        "happy": serializers.IntegerField(help_text="of them, those above neutral (score > 0)"),
        "share": serializers.FloatField(allow_null=True, help_text="happy / points, 0–1"),
    }
    metric: dict[str, Any] = {
        "name": serializers.CharField(),
        "value": serializers.FloatField(allow_null=True),
        "target": serializers.FloatField(),
        "unit": serializers.CharField(),
        "trend": serializers.CharField(),
        "ratio": serializers.FloatField(allow_null=True, help_text="value / target"),
    }
    child: dict[str, Any] = {
        "map": serializers.UUIDField(),
        "stage": serializers.UUIDField(),
        "stage_name": serializers.CharField(),
    }
    summary: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "title": serializers.CharField(),
        "type": serializers.CharField(),
        "type_label": serializers.CharField(),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
        "updated": serializers.DateTimeField(),
        "owner": inline_serializer(
            "LandscapeOwner",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            allow_null=True,
        ),
        "personas": inline_serializer("LandscapePersona", persona, many=True),
        "channels": serializers.ListField(child=serializers.CharField()),
        "stages": serializers.IntegerField(),
        "items": serializers.IntegerField(),
        "happiness": inline_serializer("LandscapeHappiness", share, many=True),
        "health": inline_serializer(
            "LandscapeHealth",
            {
                "score": serializers.IntegerField(help_text="0–100"),
                "warnings": serializers.IntegerField(),
                "findings": serializers.IntegerField(),
            },
        ),
        "metrics": inline_serializer("LandscapeMetric", metric, many=True),
        "metrics_total": serializers.IntegerField(help_text="metrics with a target in all"),
        "children": inline_serializer("LandscapeChild", child, many=True),
        "parents": serializers.ListField(child=serializers.UUIDField()),
    }
    return inline_serializer(
        "Landscape",
        {
            "workspace": inline_serializer(
                "LandscapeWorkspace",
                {"id": serializers.UUIDField(), "name": serializers.CharField()},
            ),
            "maps": inline_serializer("LandscapeMap", summary, many=True),
            "roots": serializers.ListField(child=serializers.UUIDField()),
        },
    )


class LandscapeView(APIView):
    @extend_schema(
        summary="The journey landscape of a workspace",
        description=(
            "Every map of the workspace the caller may read (workspace members see them all; "
            "someone with a role on some maps only sees those), with its owner, personas, "
            "touchpoint channels, happiness per persona, health-check score and metrics "
            "against target, and how maps nest: `children` are the sub-journeys its stages "
            "open, `roots` the maps under no map the caller may read. A fixed number of "
            "queries whatever the number of maps."
        ),
        responses=_schema(),
    )
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        return Response(workspace_landscape(workspace=workspace, user=request.user))


def _opportunity_schema() -> dict[str, Any]:
    return {
        "id": serializers.UUIDField(),
        "map": serializers.UUIDField(),
        "stage": serializers.UUIDField(),
        "stage_name": serializers.CharField(),
        "stage_index": serializers.IntegerField(),
        "text": serializers.CharField(),
        "color": serializers.CharField(),
        "impact": serializers.IntegerField(allow_null=True, help_text="1–5"),
        "effort": serializers.IntegerField(allow_null=True, help_text="1–5"),
        "reach": serializers.IntegerField(allow_null=True, help_text="people per period"),
        "confidence": serializers.IntegerField(allow_null=True, help_text="percent, 0–100"),
        "priority": serializers.FloatField(
            allow_null=True, help_text="reach × impact × confidence ÷ effort (RICE)"
        ),
        "status": serializers.ChoiceField(choices=OpportunityStatus.choices),
        "owner": serializers.CharField(),
        "due": serializers.DateField(allow_null=True),
        "solutions": serializers.ListField(
            child=serializers.UUIDField(), allow_null=True, help_text="action item ids"
        ),
    }


def _portfolio_schema() -> Any:
    persona: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "name": serializers.CharField(),
        "color": serializers.CharField(),
    }
    journey: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "title": serializers.CharField(),
        "revision": serializers.IntegerField(),
        "role": serializers.CharField(),
        "can_edit": serializers.BooleanField(help_text="may score, move and link"),
        "personas": inline_serializer("PortfolioPersona", persona, many=True),
    }
    action: dict[str, Any] = {
        "id": serializers.UUIDField(),
        "map": serializers.UUIDField(),
        "stage": serializers.UUIDField(),
        "stage_name": serializers.CharField(),
        "stage_index": serializers.IntegerField(),
        "text": serializers.CharField(),
        "owner": serializers.CharField(),
        "due": serializers.DateField(allow_null=True),
        "status": serializers.CharField(),
        "fixes": serializers.UUIDField(allow_null=True),
        "opportunities": serializers.ListField(child=serializers.UUIDField()),
    }
    return inline_serializer(
        "Portfolio",
        {
            "workspace": inline_serializer(
                "PortfolioWorkspace",
                {"id": serializers.UUIDField(), "name": serializers.CharField()},
            ),
            "etag": serializers.CharField(),
            "maps": inline_serializer("PortfolioMap", journey, many=True),
            "opportunities": inline_serializer(
                "PortfolioOpportunity", _opportunity_schema(), many=True
            ),
            "actions": inline_serializer("PortfolioAction", action, many=True),
            "links": inline_serializer("PortfolioLink", _LINK, many=True),
        },
    )


_LINK: dict[str, Any] = {
    "id": serializers.UUIDField(),
    "action": serializers.UUIDField(),
    "opportunity": serializers.UUIDField(),
}


class PortfolioView(APIView):
    @extend_schema(
        summary="The opportunity and solution portfolio of a workspace",
        description=(
            "Every opportunity card (a card in an opportunities lane) and action-plan item on "
            "the maps of the workspace the caller may read (map grants and workspace roles), "
            "with its map, stage, the map's personas, RICE scores and computed priority, "
            "status, owner and due date, and the solutions linked to each opportunity. A fixed "
            "number of queries whatever the number of maps. Answers an `ETag`; with a matching "
            "`If-None-Match` it answers 304 (nothing the caller sees changed) after two queries."
        ),
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
        responses={200: _portfolio_schema(), 304: None},
    )
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        user = signed_in(request.user)
        maps = visible_maps(workspace=workspace, user=user)
        links = visible_links(workspace, {m.pk for m in maps})
        etag = portfolio_etag(maps, links)
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        data = workspace_portfolio(workspace=workspace, user=user, maps=maps, links=links)
        return Response(data, headers={"ETag": etag})


class OpportunityUpdateSerializer(serializers.Serializer):
    """Documentation of the body; maps/ops.py validates the values (docs/protocol.md errors)."""

    impact = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    effort = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    reach = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    confidence = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100
    )
    status = serializers.ChoiceField(choices=OpportunityStatus.choices, required=False)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=120)
    due = serializers.DateField(required=False, allow_null=True)


class OpportunityView(APIView):
    @extend_schema(
        summary="Score an opportunity, move it through the workflow, own or date it",
        description=(
            "One `item.update` change on the opportunity's map through its one change path: "
            "open editors of that map see it live. Needs the editor role on that map (403), "
            "and the map readable (404). Out-of-range values answer `invalid_op`."
        ),
        request=OpportunityUpdateSerializer,
        responses=inline_serializer(
            "OpportunityUpdated",
            {
                "revision": serializers.IntegerField(),
                "opportunity": inline_serializer(
                    "PortfolioOpportunityUpdated", _opportunity_schema()
                ),
            },
        ),
    )
    def patch(self, request: Request, workspace_id: uuid.UUID, item_id: uuid.UUID) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        if not isinstance(request.data, dict):
            raise ApiError(code="invalid", message="Send an object of fields.")
        applied = opportunity_update(
            user=signed_in(request.user),
            workspace=workspace,
            item_id=item_id,
            fields=dict(request.data),
        )
        entry = opportunity_entry(item_id=item_id)
        return Response({"revision": applied.revision, "opportunity": entry})


class SolutionLinkRequest(serializers.Serializer):
    action = serializers.UUIDField(help_text="an action-plan item")
    opportunity = serializers.UUIDField(help_text="an opportunity card, on any map")


class SolutionLinkListView(APIView):
    @extend_schema(
        summary="Link an action item to the opportunity it addresses",
        description=(
            "The two items may be on different maps of the workspace. Needs the editor role "
            "on the action item's map and read access to the opportunity's map."
        ),
        request=SolutionLinkRequest,
        responses={201: inline_serializer("SolutionLink", _LINK)},
    )
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        body = SolutionLinkRequest(data=request.data)
        body.is_valid(raise_exception=True)
        link = solution_link_create(
            user=signed_in(request.user),
            workspace=workspace,
            action_id=body.validated_data["action"],
            opportunity_id=body.validated_data["opportunity"],
        )
        data = {"id": str(link.pk), "action": str(link.action_id)}
        data["opportunity"] = str(link.opportunity_id)
        return Response(data, status=status.HTTP_201_CREATED)


class SolutionLinkView(APIView):
    @extend_schema(
        summary="Remove a solution link",
        description="Needs the editor role on the action item's map.",
        responses={204: None},
    )
    def delete(self, request: Request, workspace_id: uuid.UUID, link_id: uuid.UUID) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        solution_link_delete(user=signed_in(request.user), workspace=workspace, link_id=link_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
