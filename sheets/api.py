"""REST endpoints of spreadsheet imports: preview a file, then create the map from it.

Both take the file again (multipart): the preview stores nothing, so a file that is never
confirmed leaves no trace. Only members of the workspace may import (anyone else: 404).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journeymap.api import ApiError
from maps.models import LaneKind, Language
from sheets.imports import sheet_import_create, sheet_import_preview
from sheets.reading import SheetError
from workspaces.access import signed_in, workspace_for


class PreviewSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="An .xlsx workbook or a .csv file, at most 10 MB")
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=LaneKind.choices),
        required=False,
        help_text="One lane kind per lane of the preview, in its order (default: the guesses)",
    )


class CreateSerializer(PreviewSerializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


def _read(serializer: serializers.Serializer[Any]) -> tuple[bytes, str, list[str] | None]:
    upload = serializer.validated_data["file"]
    return upload.read(), upload.name or "", serializer.validated_data.get("kinds")


def _sheet_error(error: SheetError) -> ApiError:
    return ApiError(code=error.code, message=error.message, status_code=error.status)


class ImportPreviewView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": PreviewSerializer}, responses=OpenApiTypes.OBJECT
    )
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace_for(request.user, workspace_id)
        serializer = PreviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, name, kinds = _read(serializer)
        try:
            return Response(sheet_import_preview(data=data, filename=name, kinds=kinds))
        except SheetError as error:
            raise _sheet_error(error) from None


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": CreateSerializer}, responses={201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, workspace_id)
        serializer = CreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, name, kinds = _read(serializer)
        language = serializer.validated_data.get("language") or (
            Language.EN if (get_language() or "").startswith("en") else Language.VI
        )
        try:
            journey_map = sheet_import_create(
                workspace=workspace,
                actor=signed_in(request.user),
                data=data,
                filename=name,
                title=serializer.validated_data.get("title", ""),
                kinds=kinds,
                language=language,
            )
        except SheetError as error:
            raise _sheet_error(error) from None
        body = {
            "id": str(journey_map.pk),
            "title": journey_map.title,
            "revision": journey_map.revision,
            "url": f"/maps/{journey_map.pk}/",
        }
        return Response(body, status=status.HTTP_201_CREATED)
