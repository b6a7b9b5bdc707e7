"""The landscape and portfolio pages: the data arrives with the page (json_script, the CSP
allows no inline script); static/js/portfolio/ draws, filters and (portfolio) edits."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from journeymap.api import ApiError
from maps.models import ActionStatus, MapStatus, MapType, OpportunityStatus
from portfolio.landscape import landscape_workspace, workspace_landscape
from portfolio.opportunities import workspace_portfolio
from touchpoints.catalog import CHANNELS
from workspaces.access import signed_in
from workspaces.current import current_workspace


def _of_current_workspace(request: HttpRequest, page: str) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    return redirect(page, workspace_id=workspace.pk)


@login_required
def current_landscape(request: HttpRequest) -> HttpResponse:
    return _of_current_workspace(request, "landscape")


@login_required
def landscape(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
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


@login_required
def current_portfolio(request: HttpRequest) -> HttpResponse:
    return _of_current_workspace(request, "portfolio")


@login_required
def portfolio(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    """The portfolio page: its first data with the page, then static/js/portfolio/portfolio.js
    polls the API (ETag) to see editors' changes and writes through it."""
    try:
        workspace, _member = landscape_workspace(user=request.user, workspace_id=workspace_id)
    except ApiError:
        raise Http404("No such workspace.") from None
    data = workspace_portfolio(workspace=workspace, user=signed_in(request.user))
    config = {
        "portfolio": data,
        "api": reverse("api-workspace-portfolio", kwargs={"workspace_id": workspace.pk}),
        "statuses": {key: str(label) for key, label in OpportunityStatus.choices},
        "actionStatuses": {key: str(label) for key, label in ActionStatus.choices},
    }
    return render(
        request,
        "portfolio/portfolio.html",
        {"workspace": workspace, "config": config, "count": len(data["opportunities"])},
    )
