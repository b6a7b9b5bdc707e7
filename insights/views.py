"""The insight pages: the workspace's repository (filter by kind and tag, search), one
insight with every card using it on a map the viewer may read, and the create/edit forms."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from insights.access import (
    insight_for,
    insight_with_file,
    insight_workspace_for,
    insights_readable,
)
from insights.forms import InsightForm
from insights.models import Insight, InsightKind
from insights.services import (
    insight_cards,
    insight_create,
    insight_delete,
    insight_update,
    insights_filtered,
)
from journeymap.api import ApiError
from journeymap.files import caller, stored_file_response
from workspaces.access import signed_in
from workspaces.current import current_workspace
from workspaces.models import Workspace

PAGE_LIMIT = 300


def _workspace(request: HttpRequest, workspace_id: uuid.UUID) -> tuple[Workspace, bool]:
    try:
        return insight_workspace_for(request.user, workspace_id)
    except ApiError:
        raise Http404("No such workspace.") from None


def _insight(
    request: HttpRequest, insight_id: uuid.UUID, *, change: bool = False
) -> tuple[Insight, bool]:
    try:
        return insight_for(request.user, insight_id, change=change)
    except ApiError:
        # A reader who may not change it sees the same 404 as anyone else on a form page.
        raise Http404("No such insight.") from None


@login_required
def current_insights(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("workspace-new")
    return redirect("insight-list", workspace_id=workspace.pk)


@login_required
def insight_list(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    workspace, member = _workspace(request, workspace_id)
    readable = insights_readable(request.user, workspace, member=member)
    kind = request.GET.get("kind", "")
    kind = kind if kind in InsightKind.values else ""
    tag = request.GET.get("tag", "")[:100]
    query = request.GET.get("q", "")[:200]
    insights = list(
        insights_filtered(readable, kind=kind, tag=tag, query=query).annotate(
            card_count=Count("links")
        )[:PAGE_LIMIT]
    )
    tags = sorted(
        {t for tags in readable.values_list("tag_text", flat=True) for t in tags.split(",") if t}
    )
    counts = dict(readable.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return render(
        request,
        "insights/list.html",
        {
            "workspace": workspace,
            "member": member,
            "insights": insights,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in InsightKind.choices],
            "total": sum(counts.values()),
            "tags": tags,
            "kind": kind,
            "tag": tag,
            "query": query,
            "filtered": bool(kind or tag or query),
        },
    )


@login_required
def insight_new(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    workspace, member = _workspace(request, workspace_id)
    if not member:
        raise Http404("No such workspace.")
    form = InsightForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        insight = insight_create(
            workspace=workspace, actor=signed_in(request.user), fields=form.fields_for_service()
        )
        messages.success(request, _("Insight saved."))
        return redirect("insight-detail", insight_id=insight.pk)
    return render(request, "insights/edit.html", {"workspace": workspace, "form": form})


@login_required
def insight_detail(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight, member = _insight(request, insight_id)
    cards = insight_cards(insight=insight, user=request.user)
    maps: dict[str, dict[str, Any]] = {}
    for card in cards:
        maps.setdefault(card["map"]["id"], {"map": card["map"], "cards": []})["cards"].append(card)
    return render(
        request,
        "insights/detail.html",
        {
            "insight": insight,
            "member": member,
            "cards": cards,
            "maps": list(maps.values()),
            "workspace": insight.workspace,
        },
    )


@login_required
def insight_edit(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight, _member = _insight(request, insight_id, change=True)
    form = InsightForm(request.POST or None, request.FILES or None, instance=insight)
    if request.method == "POST" and form.is_valid():
        insight_update(insight=insight, fields=form.fields_for_service())
        messages.success(request, _("Insight saved."))
        return redirect("insight-detail", insight_id=insight.pk)
    return render(
        request,
        "insights/edit.html",
        {"workspace": insight.workspace, "form": form, "insight": insight},
    )


@login_required
@require_POST
def insight_remove(request: HttpRequest, insight_id: uuid.UUID) -> HttpResponse:
    insight, _member = _insight(request, insight_id, change=True)
    workspace_id = insight.workspace_id
    insight_delete(insight=insight)
    messages.success(request, _("Insight deleted."))
    return redirect("insight-list", workspace_id=workspace_id)


@require_safe
def insight_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """An insight's source file (its stored URL, MEDIA_URL + insights/…), to whoever may read
    the insight; anyone else gets the same 404 as for no such file."""
    insight = insight_with_file(caller(request), f"insights/{name}")
    if insight is None:
        raise Http404("No such file.")
    return stored_file_response(request, insight.source_file)
