from __future__ import annotations

from typing import Any

from rest_framework import serializers

from maps.models import JourneyMap, Language
from workspaces.models import MapRole
from workspaces.serializers import PlainTextMixin


class MapCreateSerializer(PlainTextMixin, serializers.Serializer[Any]):
    workspace = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    template = serializers.CharField(max_length=80, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.VI)


class MapSummarySerializer(serializers.ModelSerializer[JourneyMap]):
    """A map in lists and the dashboard: enough for a card with a stage strip."""

    stages = serializers.SerializerMethodField()
    personas = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()

    class Meta:
        model = JourneyMap
        fields = [
            "id",
            "workspace",
            "title",
            "objective",
            "type",
            "audience",
            "status",
            "language",
            "revision",
            "template",
            "next_review",
            "created_at",
            "updated_at",
            "stages",
            "personas",
            "owner",
        ]

    def get_stages(self, journey_map: JourneyMap) -> list[dict[str, str]]:
        stages = sorted(journey_map.stages.all(), key=lambda s: (s.position, str(s.id)))
        return [{"name": s.name, "color": s.color} for s in stages]

    def get_personas(self, journey_map: JourneyMap) -> list[dict[str, str]]:
        return [
            {"id": str(p.id), "name": p.name, "color": p.color} for p in journey_map.personas.all()
        ]

    def get_owner(self, journey_map: JourneyMap) -> str | None:
        owners = [a.user for a in journey_map.accesses.all() if a.role == MapRole.OWNER]
        return (owners[0].get_full_name() or owners[0].username) if owners else None


class ChangeRequestSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    ops = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "The ops of PROTOCOL.md, each validated by maps/ops.py (docs/api.md). A stage's "
            'sub-journey: {"type": "stage.update", "id": <stage>, "fields": {"subjourney": '
            "<map id> or null}}: a map of the same workspace the author may read, not the map "
            "itself nor one above it (a cycle is refused with invalid_op)."
        ),
    )


class ChangeSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField()
    id = serializers.UUIDField(source="change_id")
    actor = serializers.SerializerMethodField()
    ops = serializers.ListField(child=serializers.DictField())
    created = serializers.DateTimeField(source="created_at")

    def get_actor(self, change: Any) -> dict[str, Any]:
        return {"session": change.session, "user": change.actor_id}


class ImportSerializer(serializers.Serializer[Any]):
    workspace = serializers.UUIDField()
    document = serializers.DictField()
