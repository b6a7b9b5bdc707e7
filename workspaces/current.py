"""The workspace a signed-in user is working in, kept in the session.

Falls back to the user's first workspace when the session names none or one they left.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workspaces.models import Membership, Workspace

SESSION_KEY = "workspace_id"


def user_of(request: HttpRequest) -> Any:
    """The signed-in user; pages that call this require sign-in."""
    return request.user


def current_membership(request: HttpRequest) -> Membership | None:
    # Cached on the request: the top bar and the view both ask.
    cached = getattr(request, "_jm_membership", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    memberships = Membership.objects.select_related("workspace").filter(user=user_of(request))
    wanted = request.session.get(SESSION_KEY)
    membership = None
    if wanted:
        membership = memberships.filter(workspace_id=wanted).first()
    if membership is None:
        membership = memberships.order_by("workspace__name").first()
    request._jm_membership = membership  # type: ignore[attr-defined]
    return membership


def current_workspace(request: HttpRequest) -> Workspace | None:
    membership = current_membership(request)
    return membership.workspace if membership else None


def set_current_workspace(request: HttpRequest, workspace: Workspace) -> None:
    request.session[SESSION_KEY] = str(workspace.pk)
    if hasattr(request, "_jm_membership"):
        del request._jm_membership
