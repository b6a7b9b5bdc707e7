"""The method's API: metric catalog and calculators, health check, touchpoint coverage,
persona templates. Thin views: parse, check access, call one function, serialize."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from pydantic import ValidationError as PydanticValidationError
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journeymap.api import ApiError
from journeymap.schema import list_of_objects
from journeymap.text import clean_text
from maps.access import map_for
from maps.models import JourneyMap, Language
from method.coverage import touchpoint_coverage
from method.health import map_health
from method.library import all_templates
from method.metrics import MetricInputError, catalog, metric_calculate
from method.workspace_templates import (
    workspace_template_save,
    workspace_template_summaries,
    workspace_template_summary,
)
from personas.persona_templates import (
    PERSONA_TEMPLATES,
    persona_from_template,
    persona_template_list,
)
from personas.serializers import PersonaSerializer
from workspaces.access import forbidden, signed_in, workspace_for
from workspaces.models import Membership

LANGUAGES = ("vi", "en")
LANG_PARAM = OpenApiParameter("lang", OpenApiTypes.STR, enum=list(LANGUAGES))


def request_language(request: Request, journey_map: JourneyMap | None = None) -> str:
    """?lang= first; then the language the user chose (cookie) or the browser asks for; then
    the map's own language."""
    asked = request.query_params.get("lang", "")
    if asked:
        if asked not in LANGUAGES:
            raise ApiError(code="invalid", message="lang is vi or en.")
        return asked
    django_request = request._request
    chose = "django_language" in django_request.COOKIES or "HTTP_ACCEPT_LANGUAGE" in (
        django_request.META
    )
    if chose or journey_map is None:
        language = translation.get_language_from_request(django_request)
        if language in LANGUAGES:
            return language
    return journey_map.language if journey_map is not None else "vi"


class TemplateListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Template",
            {
                "key": serializers.CharField(),
                "name_vi": serializers.CharField(),
                "name_en": serializers.CharField(),
                "type": serializers.CharField(),
                "stage_count": serializers.IntegerField(),
            },
            many=True,
        )
    )
    def get(self, request: Request) -> Response:
        entries = [spec.summary() for spec in all_templates().values()]
        if request.query_params.get("workspace"):  # plus that workspace's own templates
            workspace = workspace_for(request.user, request.query_params["workspace"])
            entries += workspace_template_summaries(workspace=workspace)
        return Response(entries)


class MetricCatalogView(APIView):
    @extend_schema(
        parameters=[LANG_PARAM],
        responses=list_of_objects(),
        description="The metric catalog; without `lang`, texts are {vi, en} objects.",
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("lang")
        if language is not None and language not in LANGUAGES:
            raise ApiError(code="invalid", message="lang is vi or en.")
        return Response(catalog(language))


class MetricCalculateView(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("metric"), str):
            raise ApiError(code="invalid", message='Send {"metric": "nps", …inputs}.')
        language = request_language(request)
        try:
            result = metric_calculate(metric=body["metric"], inputs=body)
        except MetricInputError as error:
            raise ApiError(code="invalid", message=error.message(language)) from None
        return Response({"metric": body["metric"], **result.as_dict(language)})


class MapHealthView(APIView):
    @extend_schema(parameters=[LANG_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _role = map_for(request.user, map_id)
        language = request_language(request, journey_map)
        findings = map_health(journey_map=journey_map)
        return Response({"findings": [finding.as_dict(language) for finding in findings]})


class MapCoverageView(APIView):
    @extend_schema(parameters=[LANG_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _role = map_for(request.user, map_id)
        language = request_language(request, journey_map)
        return Response(touchpoint_coverage(journey_map=journey_map, language=language))


class PersonaTemplateListView(APIView):
    @extend_schema(responses=list_of_objects())
    def get(self, request: Request) -> Response:
        return Response(persona_template_list())


class PersonaTemplateCreateView(APIView):
    """POST {"workspace", "language"?}: a new workspace persona from the template."""

    @extend_schema(
        request=inline_serializer(
            "PersonaFromTemplate",
            {
                "workspace": serializers.UUIDField(),
                "language": serializers.ChoiceField(choices=Language.choices, required=False),
            },
        ),
        responses={201: PersonaSerializer},
    )
    def post(self, request: Request, key: str) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        if not body.get("workspace"):
            raise ApiError(code="invalid", message="Give the persona's workspace.")
        workspace = workspace_for(request.user, body["workspace"])
        if key not in PERSONA_TEMPLATES:
            raise ApiError(
                code="not_found",
                message=f"No persona template {key[:80]!r}.",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        language = body.get("language") or request_language(request)
        if language not in LANGUAGES:
            raise ApiError(code="invalid", message="language is vi or en.")
        persona = persona_from_template(
            workspace=workspace, actor=signed_in(request.user), key=key, language=language
        )
        body = PersonaSerializer(persona, context={"request": request}).data  # absolute photo URL
        return Response(body, status=status.HTTP_201_CREATED)


def _text_field(body: dict[str, Any], name: str, limit: int, required: bool = False) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ApiError(code="invalid", message=f"{name} is text.")
    try:
        value = clean_text(value.strip())
    except ValueError as error:
        raise ApiError(code="invalid", message=f"{name}: {error}") from None
    if required and not value:
        raise ApiError(code="invalid", message=f"Give the template's {name}.")
    if len(value) > limit:
        raise ApiError(code="invalid", message=f"{name} is at most {limit} characters.")
    return value


class SaveAsTemplateView(APIView):
    """POST {"name", "name_en"?, "description"?}: the map becomes a template of its workspace.
    Workspace admins only; people who cannot see the map get 404."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _role = map_for(request.user, map_id)
        actor = signed_in(request.user)
        admin = Membership.objects.filter(
            workspace_id=journey_map.workspace_id, user=actor, role=Membership.Role.ADMIN
        )
        if not admin.exists():
            raise forbidden("Only a workspace admin can save a map as a workspace template.")
        body = request.data if isinstance(request.data, dict) else {}
        names = {
            "name_vi": _text_field(body, "name", 120, required=True),
            "name_en": _text_field(body, "name_en", 120),
            "description": _text_field(body, "description", 500),
        }
        try:
            template = workspace_template_save(journey_map=journey_map, actor=actor, **names)
        except PydanticValidationError as error:  # a map an import would refuse
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ApiError(code="invalid", message=f"{where}: {first['msg']}") from None
        return Response(workspace_template_summary(template), status=status.HTTP_201_CREATED)
