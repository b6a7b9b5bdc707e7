"""The insights repository (issue 15): research evidence stored once per workspace and linked
to cards on any of its maps. A card's evidence level is derived from its links
(insights/evidence.py); the links live here, so `maps` never knows about insights."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InsightKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview quote")
    SURVEY = "survey", _("Survey result")
    ANALYTICS = "analytics", _("Analytics figure")
    SUPPORT = "support", _("Support ticket theme")
    OBSERVATION = "observation", _("Observation")


# Numbers counted over many people: one of these is enough to call a card validated.
QUANTITATIVE_KINDS = frozenset({InsightKind.SURVEY, InsightKind.ANALYTICS})


class Insight(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="insights"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InsightKind.choices)
    text = models.TextField(_("text"), max_length=4000)
    source_title = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), max_length=1000, blank=True)
    # An uploaded source (a screenshot of a chart, a photo of sticky notes): the persona
    # photo rules apply (personas/photos.py: 2 MB, JPEG/PNG/WebP, re-encoded).
    source_file = models.ImageField(_("source file"), upload_to="insights/", blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    # Normalised tags joined as ",tag,other," so that one tag filters with a plain
    # `contains` on every database (SQLite has no JSON containment).
    tag_text = models.CharField(max_length=1000, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("insight")
        verbose_name_plural = _("insights")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def tags(self) -> list[str]:
        return [tag for tag in self.tag_text.split(",") if tag]

    @tags.setter
    def tags(self, values: list[str]) -> None:
        self.tag_text = tags_join(values)

    @property
    def quantitative(self) -> bool:
        return self.kind in QUANTITATIVE_KINDS


MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def tags_clean(values: list[str]) -> list[str]:
    """Lower-case, trimmed, without commas, unique in order, at most MAX_TAGS."""
    seen: list[str] = []
    for value in values:
        tag = " ".join(str(value).replace(",", " ").split()).lower()[:MAX_TAG_LENGTH]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def tags_join(values: list[str]) -> str:
    tags = tags_clean(values)
    return f",{','.join(tags)}," if tags else ""


class InsightLink(models.Model):
    """One insight behind one card. The card's map must belong to the insight's workspace
    (insights/services.py checks it); deleting either side deletes the link."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="links")
    item = models.ForeignKey("maps.Item", on_delete=models.CASCADE, related_name="insight_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["insight", "item"], name="one_link_per_insight_card")
        ]
        verbose_name = _("insight link")

    def __str__(self) -> str:
        return f"{self.insight_id} → {self.item_id}"
