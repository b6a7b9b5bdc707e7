from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journeymap.api import ApiError
from personas.models import Persona
from personas.serializers import PersonaSerializer
from workspaces.access import not_found, workspace_for
from workspaces.models import Membership


def persona_for(user: User | AnonymousUser, persona_id: uuid.UUID) -> Persona:
    if not user.is_authenticated:  # API views require sign-in: this only narrows the type
        raise not_found("persona")
    persona = Persona.objects.filter(
        pk=persona_id, workspace__in=Membership.objects.filter(user=user).values("workspace")
    ).first()
    if persona is None:
        raise not_found("persona")
    return persona


def _urls(request: Request) -> dict[str, Any]:
    """Serializer context that makes `photo` an absolute URL (the schema's `format: uri`)."""
    return {"request": request}


class PersonaListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("workspace", OpenApiTypes.UUID, required=True)],
        responses=PersonaSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if "workspace" not in request.query_params:
            raise ApiError(code="invalid", message="Give ?workspace={id}.")
        workspace = workspace_for(request.user, request.query_params["workspace"])
        personas = workspace.personas.all()
        return Response(PersonaSerializer(personas, many=True, context=_urls(request)).data)

    @extend_schema(
        # docs/protocol.md: POST /api/personas/?workspace={id} (a "workspace" body field
        # also works).
        parameters=[OpenApiParameter("workspace", OpenApiTypes.UUID, required=True)],
        request=PersonaSerializer,
        responses={201: PersonaSerializer},
    )
    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        workspace_id = request.query_params.get("workspace") or body.get("workspace")
        if not workspace_id:
            raise ApiError(code="invalid", message="Give the persona's workspace.")
        workspace = workspace_for(request.user, workspace_id)
        serializer = PersonaSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        persona = serializer.save(workspace=workspace, created_by=request.user)
        body = PersonaSerializer(persona, context=_urls(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class PersonaDetailView(APIView):
    @extend_schema(responses=PersonaSerializer)
    def get(self, request: Request, persona_id: uuid.UUID) -> Response:
        persona = persona_for(request.user, persona_id)
        return Response(PersonaSerializer(persona, context=_urls(request)).data)

    @extend_schema(request=PersonaSerializer, responses=PersonaSerializer)
    def patch(self, request: Request, persona_id: uuid.UUID) -> Response:
        persona = persona_for(request.user, persona_id)
        serializer = PersonaSerializer(
            persona, data=request.data, partial=True, context=_urls(request)
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, persona_id: uuid.UUID) -> Response:
        persona_for(request.user, persona_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
