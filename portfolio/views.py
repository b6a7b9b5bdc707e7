"""The landscape page: the data arrives with the page (json_script, the CSP allows no inline
script) and static/js/portfolio/landscape.js draws the tree or the grid, filters and groups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from journeymap.api import ApiError
from maps.models import MapStatus, MapType
from portfolio.landscape import landscape_workspace, workspace_landscape
from touchpoints.catalog import CHANNELS
from workspaces.current import current_workspace


@login_required
def current_landscape(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    return redirect("landscape", workspace_id=workspace.pk)


@login_required
def landscape(request: HttpRequest, workspace_id: Any) -> HttpResponse:
    try:
        workspace, member = landscape_workspace(user=request.user, workspace_id=workspace_id)
    except ApiError:
        raise Http404("No such workspace.") from None
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    data = workspace_landscape(workspace=workspace, user=request.user)
    config = {
        "landscape": data,
        "channels": {channel.key: channel.name(language) for channel in CHANNELS},
        "types": {key: str(label) for key, label in MapType.choices},
        "statuses": {key: str(label) for key, label in MapStatus.choices},
    }
    return render(
        request,
        "portfolio/landscape.html",
        {"workspace": workspace, "member": member, "config": config, "count": len(data["maps"])},
    )
