"""Templates a workspace saved from its own maps."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceTemplate(models.Model):
    """A map a workspace admin saved as a template (method/workspace_templates.py).

    `document` is a portable document (maps.documents.PortableDocument), validated on save and
    again on use; `key` is what `POST /api/maps/` takes as `template`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="map_templates"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    document = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "maps_workspacetemplate"  # made by maps' migrations; the rows stayed
        ordering = ["workspace", "name_vi"]
        verbose_name = _("workspace template")

    def __str__(self) -> str:
        return self.name_vi

    @property
    def key(self) -> str:
        return f"ws-{self.pk}"
