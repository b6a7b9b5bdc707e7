"""Periodic work on live access: close the sockets of share links that have just expired.

Each socket opened with a link also closes itself at the link's expiry (live/share_links.py);
this sweep is the second line for sockets that missed it (a process restarted, a clock moved).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from live.revocation import access_revoke
from maps.models import JourneyMap
from workspaces.models import ShareLink

SWEEP_WINDOW = dt.timedelta(minutes=5)  # longer than the beat interval, so none slips by


@shared_task(name="live.share_links_expire", time_limit=60, soft_time_limit=50)
def share_links_expire() -> int:
    """Have the maps whose links expired recently check their sockets; how many links."""
    now = timezone.now()
    expired = ShareLink.objects.filter(
        revoked_at__isnull=True, expires__lte=now, expires__gt=now - SWEEP_WINDOW
    )
    map_ids = set(expired.values_list("map_id", flat=True))
    with transaction.atomic():
        access_revoke(maps=JourneyMap.objects.filter(pk__in=map_ids))
    return expired.count()
