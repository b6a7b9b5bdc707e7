"""What the REST views of maps and of the apps built on it share: a change sent over REST
(the same path, errors and result as the socket), op errors as API errors, and a revision
given as a query parameter. Other apps import these from here, never from maps/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request

from journeymap.api import ApiError
from maps import services
from maps.models import JourneyMap
from maps.ops import OpError

STATUS_OF_CODE = {
    "bad_message": status.HTTP_400_BAD_REQUEST,
    "invalid_op": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
}


def op_error_response(error: OpError) -> ApiError:
    extra = {"op": error.op} if error.op is not None else {}
    return ApiError(
        code=error.code, message=error.message, status_code=STATUS_OF_CODE[error.code], extra=extra
    )


def change_apply(request: Request, journey_map: JourneyMap, role: str, body: Any) -> Any:
    """Apply a change sent over REST: the same path, errors and result as the socket."""
    if not isinstance(body, dict):
        raise ApiError(code="bad_message", message='A change is {"id", "ops"}.')
    try:
        change_id = services.parse_change_id(body.get("id"))
        return services.apply_ops(
            map_id=journey_map.pk,
            actor=request.user,
            change_id=change_id,
            ops=body.get("ops"),
            role=role,
            session=f"rest:{request.user.pk}",
        )
    except OpError as error:
        raise op_error_response(error) from None


def revision_param(raw: Any, journey_map: JourneyMap, name: str = "revision") -> int:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise ApiError(code="invalid", message=f"{name} must be an integer.") from None
    if not 0 <= value <= journey_map.revision:
        raise ApiError(
            code="invalid", message=f"{name} must be between 0 and {journey_map.revision}."
        )
    return value
