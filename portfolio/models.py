"""Links the portfolio keeps between maps: an action item (a solution) addressing an
opportunity card, possibly on another map of the same workspace. Not the content of one map,
so not in `maps`: the items themselves still change only through `apply_ops`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SolutionLink(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="solution_links"
    )
    action = models.ForeignKey("maps.Item", on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey("maps.Item", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("solution link")
        constraints = [
            models.UniqueConstraint(fields=["action", "opportunity"], name="solution_linked_once")
        ]

    def __str__(self) -> str:
        return f"{self.action_id} → {self.opportunity_id}"
