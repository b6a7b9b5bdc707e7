"""OpenAPI generation: every operation documents the error answers docs/protocol.md defines.

drf-spectacular documents only the success answer a view declares; clients (and the API
fuzzer, tests/test_api_fuzz.py) also need the errors, which all share one JSON shape
(journeymap.api.exception_handler): `{"code", "message", "details"?}`, plus `op` (the index of
the failing op) for a rejected change.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


def list_of_objects() -> dict[int, Any]:
    """`responses=` for a JSON array of objects whose keys are not described field by field."""
    return {200: {"type": "array", "items": {"type": "object", "additionalProperties": {}}}}


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="PROTOCOL.md error code, e.g. invalid, not_found")
    message = serializers.CharField()
    details = serializers.JSONField(required=False, help_text="per-field problems, if any")
    op = serializers.IntegerField(required=False, help_text="index of the failing op")


# Any request can be malformed, unauthenticated (a wrong token is refused even where no
# account is needed), refused, about something the caller cannot see, or over the rate limit.
ALWAYS = {
    "400": "Invalid request (code invalid or bad_message)",
    "401": "Not signed in, or a wrong token",
    "403": "The caller's role does not allow this",
    "404": "No such object, or one the caller cannot see",
    "429": "Rate limited",
}
# Requests with a body can also conflict with the current state, be too big or unreadable.
WRITES = {
    "409": "Conflicts with the current state (e.g. an op's target no longer exists)",
    "413": "Request body or change too large",
    "415": "A body without a Content-Type, or in a format the API does not read",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = dict(ALWAYS)
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            errors |= WRITES
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses
