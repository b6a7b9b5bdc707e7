"""Periodic work on access: close the sockets of share links that have just expired.

Each socket opened with a link also closes itself at the link's expiry (live/share_links.py);
this sweep is the second line for sockets that missed it (a process restarted, a clock moved).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from workspaces.models import ShareLink
from workspaces.sharing import share_sockets_drop

SWEEP_WINDOW = dt.timedelta(minutes=5)  # longer than the beat interval, so none slips by


@shared_task(name="workspaces.share_links_expire")
def share_links_expire() -> int:
    """Tell maps whose links expired recently to drop those links' sockets."""
    now = timezone.now()
    expired = ShareLink.objects.filter(
        revoked_at__isnull=True, expires__lte=now, expires__gt=now - SWEEP_WINDOW
    ).values_list("pk", "map_id")
    count = 0
    for link_id, map_id in expired:
        share_sockets_drop(group=f"map.{map_id}", link_id=link_id)
        count += 1
    return count
