"""The landscape API: `GET /api/workspaces/{id}/landscape/`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio.landscape import landscape_workspace, workspace_landscape


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
    def get(self, request: Request, workspace_id: Any) -> Response:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
        return Response(workspace_landscape(workspace=workspace, user=request.user))
