"""Webhooks of a workspace, their deliveries and every attempt at one (docs/integrations.md)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    MAP_CHANGED = "map.changed", _("Map changed")
    COMMENT_CREATED = "comment.created", _("Comment created")
    MENTION = "comment.mention", _("Someone mentioned")
    ACTION_ITEM_DUE = "action_item.due", _("Action item due or overdue")
    EXPORT_FINISHED = "export.finished", _("Export finished")
    MEMBER_ADDED = "member.added", _("Member added")


class BodyFormat(models.TextChoices):
    JSON = "json", _("JSON (for your own receiver)")
    SLACK = "slack", _("Slack-compatible message")


def new_secret() -> str:
    # 256 random bits; the prefix tells a leaked value apart from other tokens.
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(default=list)
    body_format = models.CharField(max_length=8, choices=BodyFormat.choices, default="json")
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # Set by the first failed attempt after a success; a day of it disables the webhook.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("webhook")

    def __str__(self) -> str:
        return self.name or self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Event.choices)
    # The exact bytes sent (UTF-8 JSON): every attempt signs and sends the same body.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["webhook", "-created_at"])]
        verbose_name = _("delivery")

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"


class MapChangeBatch(models.Model):
    """Changes of one map waiting for their one "map changed" delivery to a webhook."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="+")
    map = models.ForeignKey("maps.JourneyMap", on_delete=models.CASCADE, related_name="+")
    from_revision = models.PositiveIntegerField()
    to_revision = models.PositiveIntegerField()
    changes = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField()
    sent = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["webhook", "map", "sent"])]

    def __str__(self) -> str:
        return f"{self.map_id} r{self.from_revision}-{self.to_revision}"


class ActionItemNotice(models.Model):
    """An action item already announced as due or overdue for its current due date."""

    item = models.ForeignKey("maps.Item", on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    overdue = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "due", "overdue"], name="one_notice_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} due {self.due}"
