from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from insights.models import MAX_TAG_LENGTH, MAX_TAGS, Insight
from journeymap.web_urls import WebUrlField
from personas.photos import persona_photo_clean
from workspaces.serializers import PlainTextMixin


class InsightSerializer(PlainTextMixin, serializers.ModelSerializer[Insight]):
    """An insight; `source_url` is an http(s) link, stored normalised (unsafe characters
    percent-encoded); `source_file` is sent as multipart (the persona photo limits apply) and
    read back as its absolute URL; `cards` counts the cards it is linked to, on any map."""

    source_url = WebUrlField(
        label=gettext_lazy("Source link"), max_length=1000, required=False, allow_blank=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TAG_LENGTH),
        max_length=MAX_TAGS,
        required=False,
    )
    cards = serializers.SerializerMethodField()

    class Meta:
        model = Insight
        fields = [
            "id",
            "workspace",
            "kind",
            "text",
            "source_title",
            "source_url",
            "source_file",
            "date",
            "participants",
            "tags",
            "cards",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "workspace", "created_at", "updated_at"]

    @extend_schema_field(serializers.IntegerField())
    def get_cards(self, insight: Insight) -> int:
        counted = getattr(insight, "card_count", None)
        return counted if counted is not None else insight.links.count()

    def validate_source_file(self, upload: Any) -> Any:
        if not upload:
            return upload
        try:
            return persona_photo_clean(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_participants(self, value: int | None) -> int | None:
        if value is not None and value > 10_000_000:
            raise serializers.ValidationError("Ensure this value is at most 10000000.")
        return value


class InsightSummarySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    text = serializers.CharField()
    source_title = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    date = serializers.DateField(allow_null=True)


class CardInsightsSerializer(serializers.Serializer[Any]):
    evidence = serializers.CharField(help_text="The level the linked insights give.")
    insights = InsightSummarySerializer(many=True)


class MapInsightsSerializer(serializers.Serializer[Any]):
    items = serializers.DictField(
        child=CardInsightsSerializer(), help_text="By card id; cards with no insight are left out."
    )


class InsightCardSerializer(serializers.Serializer[Any]):
    item = serializers.UUIDField()
    map = serializers.DictField()
    stage = serializers.CharField()
    lane = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()


class InsightDetailSerializer(InsightSerializer):
    """One insight with every card using it on a map the caller may read."""

    used_by = serializers.SerializerMethodField()

    class Meta(InsightSerializer.Meta):
        fields = [*InsightSerializer.Meta.fields, "used_by"]

    @extend_schema_field(InsightCardSerializer(many=True))
    def get_used_by(self, insight: Insight) -> list[dict[str, Any]]:
        return list(self.context.get("cards", []))


class LinkRequestSerializer(serializers.Serializer[Any]):
    """Attach an existing insight (`insight`) or create one on the spot (`new`)."""

    insight = serializers.UUIDField(required=False)
    new = InsightSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("insight" in attrs) == ("new" in attrs):
            raise serializers.ValidationError("Give either insight (an id) or new (an insight).")
        return attrs
