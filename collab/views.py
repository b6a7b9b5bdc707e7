"""Pages for sharing and conversation: the share-link view, the workspace activity feed and
my notifications.

The pages are shells: their scripts (static/js/sharing/) read the JSON APIs and draw with
DOM text nodes, so user text is never parsed as HTML.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from maps.documents import document_export
from maps.item_schema import browser_schema
from workspaces.models import Membership
from workspaces.sharing import share_link_find


@ensure_csrf_cookie  # a commenter link lets a signed-in visitor post comments
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    link = share_link_find(token)
    if link is None:
        return render(request, "collab/share_gone.html", status=404)
    # EDITOR_TRANSPORT "rest" (a server without WebSockets): the page polls, never dials.
    context = {
        "link": link,
        "map": link.map,
        "transport": settings.EDITOR_TRANSPORT,
        "item_schema": browser_schema(),  # the editor's op engine applies live changes with it
    }
    response = render(request, "collab/share.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: keep it there
    response["X-Robots-Tag"] = "noindex"
    return response


def share_document(request: HttpRequest, token: str) -> HttpResponse:
    """The portable JSON of a shared map, when the owner allowed exports on the link."""
    link = share_link_find(token)
    if link is None or not link.allow_export:
        raise Http404("No such share link.")
    body = json.dumps(document_export(journey_map=link.map), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journeymap-{link.map_id}.json"'
    return response


@login_required
@ensure_csrf_cookie  # the page's script sends changes with the CSRF header
def activity_page(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    memberships = Membership.objects.select_related("workspace").filter(workspace_id=workspace_id)
    membership = memberships.filter(user_id=request.user.pk or 0).first()
    if membership is None:
        raise Http404("No such workspace.")
    return render(request, "collab/activity.html", {"workspace": membership.workspace})


@login_required
@ensure_csrf_cookie  # the page's script sends changes with the CSRF header
def notifications_page(request: HttpRequest) -> HttpResponse:
    return render(request, "collab/notifications.html")
