from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.models import Attempt, BodyFormat, Delivery, Event, Webhook
from workspaces.serializers import PlainTextMixin


class WebhookSerializer(PlainTextMixin, serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    body_format = serializers.ChoiceField(choices=BodyFormat.choices, default=BodyFormat.JSON)
    url = serializers.URLField(max_length=2000)

    class Meta:
        model = Webhook
        fields = [
            "id",
            "name",
            "url",
            "events",
            "body_format",
            "active",
            "disabled_reason",
            "failing_since",
            "created_at",
        ]
        read_only_fields = ["id", "disabled_reason", "failing_since", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    """The answer to a creation or a rotation: the only time the secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "response_code", "error", "succeeded"]


class DeliverySerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True, read_only=True)
    body = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "response_code",
            "created_at",
            "finished_at",
            "body",
            "attempt_log",
        ]

    def get_body(self, delivery: Delivery) -> Any:
        import json

        return json.loads(delivery.body)
