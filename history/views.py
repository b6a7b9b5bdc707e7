"""Pages for a map's past: its history, compare two revisions, current vs future side by side.

The pages are shells: their scripts (static/js/sharing/) read the JSON APIs and draw with
DOM text nodes, so user text is never parsed as HTML.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from maps.models import JourneyMap


def _map_or_404(request: HttpRequest, map_id: uuid.UUID) -> tuple[JourneyMap, str]:
    journey_map = JourneyMap.objects.filter(pk=map_id).first()
    role = journey_map.role_of(request.user) if journey_map else None
    if journey_map is None or role is None:
        raise Http404("No such map.")
    return journey_map, role


@login_required
@ensure_csrf_cookie  # the page's script sends changes with the CSRF header
def history_page(request: HttpRequest, map_id: uuid.UUID) -> HttpResponse:
    journey_map, role = _map_or_404(request, map_id)
    return render(
        request,
        "history/history.html",
        {"map": journey_map, "role": role, "can_edit": role in {"owner", "editor"}},
    )


@login_required
@ensure_csrf_cookie  # the page's script sends changes with the CSRF header
def compare_page(request: HttpRequest, map_id: uuid.UUID) -> HttpResponse:
    journey_map, role = _map_or_404(request, map_id)
    return render(request, "history/compare.html", {"map": journey_map, "role": role})


@login_required
@ensure_csrf_cookie  # the page's script sends changes with the CSRF header
def side_by_side_page(request: HttpRequest, map_id: uuid.UUID) -> HttpResponse:
    journey_map, role = _map_or_404(request, map_id)
    return render(request, "history/side_by_side.html", {"map": journey_map, "role": role})
