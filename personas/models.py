from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PERSONA_COLORS = ["#6366f1", "#ec4899", "#f59e0b", "#10b981", "#0ea5e9", "#8b5cf6", "#ef4444"]

# Long free-text fields of a persona (docs/domain.md, "Personas"), in the order the editor
# shows them.
PERSONA_TEXT_FIELDS = [
    "interests",
    "media_habits",
    "favourite_brands",
    "buying_behaviour",
    "goals",
    "challenges",
    "pain_points",
    "excites",
    "frustrates",
    "day_in_life",
    "buying_triggers",
    "information_needs",
    "research",
]


class Persona(models.Model):
    class Segment(models.TextChoices):
        B2C = "b2c", _("B2C")
        B2B = "b2b", _("B2B")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="personas"
    )
    name = models.CharField(_("name"), max_length=120)
    quote = models.CharField(_("quote"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="personas/", blank=True)
    color = models.CharField(_("colour"), max_length=7, default=PERSONA_COLORS[0])
    segment = models.CharField(max_length=3, choices=Segment.choices, default=Segment.B2C)
    # Demographics
    age = models.CharField(_("age"), max_length=40, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    gender = models.CharField(_("gender identity"), max_length=60, blank=True)
    income = models.CharField(_("income"), max_length=80, blank=True)
    # Professional (B2B)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    company = models.CharField(_("company"), max_length=120, blank=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    decision_maker = models.BooleanField(_("decides the purchase"), default=False)
    # Behaviour, goals and needs
    interests = models.TextField(_("interests"), max_length=2000, blank=True)
    media_habits = models.TextField(_("media habits"), max_length=2000, blank=True)
    favourite_brands = models.TextField(_("favourite brands"), max_length=2000, blank=True)
    buying_behaviour = models.TextField(_("buying behaviour"), max_length=2000, blank=True)
    goals = models.TextField(_("goals"), max_length=2000, blank=True)
    challenges = models.TextField(_("challenges"), max_length=2000, blank=True)
    pain_points = models.TextField(_("pain points"), max_length=2000, blank=True)
    excites = models.TextField(_("what excites them"), max_length=2000, blank=True)
    frustrates = models.TextField(_("what frustrates them"), max_length=2000, blank=True)
    day_in_life = models.TextField(_("a day in their life"), max_length=4000, blank=True)
    channels = models.JSONField(_("channels they use"), default=list, blank=True)
    buying_triggers = models.TextField(_("what makes them buy"), max_length=2000, blank=True)
    information_needs = models.TextField(_("information they lack"), max_length=2000, blank=True)
    research = models.TextField(_("research behind it"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")

    def __str__(self) -> str:
        return self.name
