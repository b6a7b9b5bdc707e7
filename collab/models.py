"""Notifications: someone mentioned you, or replied in a thread you are in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maps.models import Comment, JourneyMap


class Notification(models.Model):
    """Someone mentioned you in a comment, or replied in a thread you are in."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="notifications")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "maps_notification"  # made by maps' migrations; the rows stayed
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "comment", "kind"], name="one_notification_per_comment"
            )
        ]
        verbose_name = _("notification")

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
