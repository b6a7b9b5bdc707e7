"""Shared REST plumbing: the error format of docs/protocol.md and a few small helpers."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

CODES_BY_STATUS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ApiError(exceptions.APIException):
    """An error with an explicit docs/protocol.md code, status and optional details."""

    def __init__(
        self,
        *,
        code: str,
        message: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        details: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.details = details
        self.extra = extra or {}


def _message_of(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message_of(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        return f"{key}: {_message_of(value)}" if key != "non_field_errors" else _message_of(value)
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiError):
        body: dict[str, Any] = {"code": exc.error_code, "message": exc.message, **exc.extra}
        if exc.details is not None:
            body["details"] = exc.details
        return Response(body, status=exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        # Let ServiceUnavailableMiddleware answer 503: the database is down, not the request.
        raise exc
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = CODES_BY_STATUS.get(response.status_code, "error")
    if isinstance(exc, exceptions.ParseError):
        code = "bad_message"  # not JSON at all (docs/protocol.md's code for that)
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": code, "message": _message_of(detail), "details": detail}
    else:
        message = detail.get("detail", detail) if isinstance(detail, dict) else detail
        response.data = {"code": code, "message": str(message)}
    return response


def request_language(request: Request) -> str:
    """The language a JSON answer is written in: `?lang=`, else the request's."""
    wanted = request.query_params.get("lang") or getattr(request, "LANGUAGE_CODE", "vi")
    return "vi" if str(wanted).startswith("vi") else "en"
