from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from maps.models import Item, ItemKind


class TouchpointManager(models.Manager[Item]):
    def get_queryset(self) -> models.QuerySet[Item]:
        return super().get_queryset().filter(kind=ItemKind.TOUCHPOINT)


class Touchpoint(Item):
    """Touchpoints are items of the touchpoint kind: one table, shared fields once."""

    objects = TouchpointManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
