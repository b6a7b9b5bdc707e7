"""Template context every page's top bar needs: the user's workspaces and the current one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from workspaces.current import current_membership


def workspace_nav(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"signup_enabled": settings.SIGNUP_ENABLED}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    membership = current_membership(request)
    context["current_workspace"] = membership.workspace if membership else None
    context["current_role"] = membership.role if membership else None
    context["nav_workspaces"] = list(user.workspaces.order_by("name"))
    return context
