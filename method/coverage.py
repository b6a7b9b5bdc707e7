"""Touchpoint coverage: stage × channel counts, online/offline share, touchpoints per team.

The editor and the exports show it; the health check finds the gaps. Two queries: stages and
touchpoint items, whatever the size of the map.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from maps.models import ItemKind, JourneyMap, Stage
from touchpoints.catalog import CHANNELS, CHANNELS_BY_KEY

NO_CHANNEL = ""


def _share(part: int, whole: int) -> float:
    return round(part / whole * 100, 1) if whole else 0.0


def _is_online(item: Mapping[str, Any]) -> bool | None:
    """The item's own flag, else what the catalog says of its channel, else unknown."""
    if item["online"] is not None:
        return bool(item["online"])
    channel = CHANNELS_BY_KEY.get(item["channel"])
    return channel.online if channel is not None else None


def touchpoint_coverage(*, journey_map: JourneyMap, language: str = "vi") -> dict[str, Any]:
    stages = list(
        Stage.objects.filter(map=journey_map).order_by("position", "id").values("id", "name")
    )
    touchpoints = list(
        journey_map.items.filter(kind=ItemKind.TOUCHPOINT).values(
            "stage_id", "channel", "online", "owner"
        )
    )
    cells: Counter[tuple[str, str]] = Counter(
        (str(t["stage_id"]), t["channel"] or NO_CHANNEL) for t in touchpoints
    )
    used = {channel for _, channel in cells}
    # Catalog order first, then channels the catalog does not know, then "no channel".
    keys = [c.key for c in CHANNELS if c.key in used]
    keys += sorted(used - set(keys) - {NO_CHANNEL}) + ([NO_CHANNEL] if NO_CHANNEL in used else [])
    online = [_is_online(t) for t in touchpoints]
    owners = Counter(" ".join(t["owner"].split()) for t in touchpoints)
    unowned = owners.pop("", 0)
    total = len(touchpoints)
    return {
        "total": total,
        "stages": [
            {
                "id": str(s["id"]),
                "name": s["name"],
                "counts": {key: cells[(str(s["id"]), key)] for key in keys},
                "total": sum(cells[(str(s["id"]), key)] for key in keys),
            }
            for s in stages
        ],
        "channels": [_channel(key, language) for key in keys],
        "uncovered_stages": [
            str(s["id"]) for s in stages if not any(cells[(str(s["id"]), k)] for k in keys)
        ],
        "online": {
            "online": online.count(True),
            "offline": online.count(False),
            "unknown": online.count(None),
            "online_share": _share(online.count(True), total),
            "offline_share": _share(online.count(False), total),
        },
        "owners": [
            {"owner": owner, "count": count, "share": _share(count, total)}
            for owner, count in sorted(owners.items(), key=lambda pair: (-pair[1], pair[0]))
        ],
        "unowned": unowned,
    }


def _channel(key: str, language: str) -> dict[str, Any]:
    channel = CHANNELS_BY_KEY.get(key)
    if channel is None:
        with translation.override(language):
            label = key or gettext("(no channel)")
        return {"key": key, "name": label, "online": None}
    return {"key": key, "name": channel.name(language), "online": channel.online}
