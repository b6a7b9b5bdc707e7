"""Refuse oversized request bodies before anything reads them (docs/protocol.md: 413 too_large)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES
        if request.content_type == "multipart/form-data":
            limit = settings.MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                {"code": "bad_message", "message": "Content-Length is not a number."}, status=400
            )
        if length > limit:
            return JsonResponse(
                {"code": "too_large", "message": f"The request body exceeds {limit} bytes."},
                status=413,
            )
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """A database (or Redis broker) outage answers 503 with Retry-After instead of a 500.

    Django reconnects on the next request (CONN_HEALTH_CHECKS), so service resumes by
    itself when the database is back. The exceptions that mean an outage: journeymap/outages.py.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from journeymap.outages import OUTAGES

        if not isinstance(exception, OUTAGES):
            return None
        message = "The service is unavailable; try again in a moment."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"code": "unavailable", "message": message}, status=503
            )
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
