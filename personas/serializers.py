from __future__ import annotations

from typing import Any

from rest_framework import serializers

from personas.models import Persona

MAX_PHOTO_BYTES = 2 * 1024 * 1024


class PersonaSerializer(serializers.ModelSerializer[Persona]):
    channels = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=40, required=False
    )

    class Meta:
        model = Persona
        exclude = ["created_by"]
        read_only_fields = ["id", "workspace", "created_at", "updated_at"]

    def validate_photo(self, photo: Any) -> Any:
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise serializers.ValidationError("The photo must be 2 MB or smaller.")
        return photo

    def validate_color(self, color: str) -> str:
        if len(color) != 7 or not color.startswith("#"):
            raise serializers.ValidationError("Use a colour like #6366f1.")
        try:
            int(color[1:], 16)
        except ValueError:
            raise serializers.ValidationError("Use a colour like #6366f1.") from None
        return color
