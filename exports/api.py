"""REST endpoints of exports (docs/protocol.md): create, follow and download an export of a map.

Anyone who can see a map may export it and download its exports (a viewer can already read
every card, so an export discloses nothing more); everybody else gets 404 for the map, the job
and the file alike. The file is served by an authenticated view, never from a public URL.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exports import services
from exports.models import ExportJob
from journeymap.api import ApiError
from maps.access import map_for
from workspaces.access import not_found, signed_in


class MapExportsView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        jobs = services.exports_recent(journey_map=journey_map)
        return Response({"results": [services.export_job_view(job) for job in jobs]})

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, map_id: uuid.UUID) -> Response:
        journey_map, _ = map_for(request.user, map_id)
        try:
            options = services.export_options_parse(journey_map=journey_map, raw=request.data)
            job = services.export_create(
                journey_map=journey_map, actor=signed_in(request.user), options=options
            )
        except services.OptionsError as error:
            raise ApiError(code="invalid", message=error.message, details=error.details) from None
        except services.ExportBusy:
            raise ApiError(
                code="rate_limited",
                message="You already have several exports in progress; wait for them to finish.",
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            ) from None
        job.refresh_from_db()
        body = services.export_job_view(job)
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, export_id: uuid.UUID) -> Response:
        job = services.export_visible(user=request.user, job_id=export_id)
        if job is None:
            raise not_found("export")
        return Response(services.export_job_view(job))


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportFileView(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, export_id: uuid.UUID) -> FileResponse:
        job = services.export_visible(user=request.user, job_id=export_id)
        if job is None or job.status != ExportJob.Status.DONE or not job.file:
            raise not_found("export file")
        try:
            handle = job.file.open("rb")
        except OSError:
            raise not_found("export file") from None
        response = FileResponse(
            handle,
            as_attachment=request.query_params.get("inline") != "1",
            filename=services.download_name(job),
            content_type=CONTENT_TYPES[job.format],
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
