"""Refuse oversized request bodies before anything reads them (PROTOCOL.md: 413 too_large)."""

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
