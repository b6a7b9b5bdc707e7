from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from personas.models import Persona
from personas.photos import persona_photo_clean
from workspaces.serializers import PlainTextMixin


class PersonaSerializer(PlainTextMixin, serializers.ModelSerializer[Persona]):
    channels = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=40, required=False
    )

    class Meta:
        model = Persona
        exclude = ["created_by"]
        read_only_fields = ["id", "workspace", "created_at", "updated_at"]

    def validate_photo(self, photo: Any) -> Any:
        if not photo:
            return photo
        try:
            return persona_photo_clean(photo)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_color(self, color: str) -> str:
        if len(color) != 7 or not color.startswith("#"):
            raise serializers.ValidationError("Use a colour like #6366f1.")
        try:
            int(color[1:], 16)
        except ValueError:
            raise serializers.ValidationError("Use a colour like #6366f1.") from None
        return color
