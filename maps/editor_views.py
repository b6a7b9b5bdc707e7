"""The map editor page (`/maps/{id}/`).

The page is a shell: static/js/editor/ reads the map document from `GET /api/maps/{id}/` and
sends every edit as a PROTOCOL.md change. What the script needs from the server besides the
document (role, the channel catalog with its icons, lane kinds) is passed with json_script,
because the Content-Security-Policy allows no inline script.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

from maps.item_schema import browser_schema
from maps.models import ITEM_KIND_OF_LANE, JourneyMap, LaneKind
from maps.subjourneys import map_hierarchy
from touchpoints.catalog import CHANNELS, ICON_PATHS
from workspaces.models import MapRole, role_at_least


def editor_config(
    *, journey_map: JourneyMap, role: str, linkable: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Everything the editor script needs besides the document itself."""
    return {
        # The maps a stage may name as its sub-journey (maps/subjourneys.py), titles for chips.
        "maps": linkable or [],
        "map": str(journey_map.pk),
        "title": journey_map.title,
        # The language the map is written in (its cards, stages, lanes): marked with `lang` so a
        # screen reader reads them with that voice whatever the interface language is.
        "language": journey_map.language,
        "role": role,
        "canEdit": role_at_least(role, MapRole.EDITOR),
        "api": reverse("api-map", args=[journey_map.pk]),
        "changes": reverse("api-map-changes", args=[journey_map.pk]),
        "socket": f"/ws/maps/{journey_map.pk}/",
        # "socket": static/js/editor/socket.js; "rest": transport.js (settings.EDITOR_TRANSPORT).
        "transport": settings.EDITOR_TRANSPORT,
        "channels": [channel.as_dict() for channel in CHANNELS],
        "icons": ICON_PATHS,
        "laneKinds": [
            {
                "key": kind.value,
                "label": str(kind.label),
                "item": str(ITEM_KIND_OF_LANE.get(kind, "card")),
            }
            for kind in LaneKind
        ],
    }


@login_required
@ensure_csrf_cookie  # the script sends changes with the CSRF token from this cookie
def map_editor(request: HttpRequest, map_id: Any) -> HttpResponse:
    journey_map = JourneyMap.objects.filter(pk=map_id).select_related("workspace").first()
    role = journey_map.role_of(request.user) if journey_map is not None else None
    if journey_map is None or role is None:
        raise Http404("No such map.")
    hierarchy = map_hierarchy(journey_map=journey_map, user=request.user)
    config = editor_config(journey_map=journey_map, role=role, linkable=hierarchy["linkable"])
    return render(
        request,
        "maps/editor.html",
        {
            "map": journey_map,
            "role": role,
            "role_label": MapRole(role).label,
            "read_only": not config["canEdit"],
            "config": config,
            "item_schema": browser_schema(),  # static/js/editor/state.js applies ops with it
            "trail": hierarchy["trail"],
        },
    )
