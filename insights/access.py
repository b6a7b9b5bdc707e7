"""Who may see and change insights, on top of the one permission model (workspaces/access.py,
maps' roles): no second model, only these rules.

- Workspace members read every insight of the workspace and create, edit and delete them.
- Someone who reaches maps of the workspace only through map grants reads the insights
  linked to cards of those maps, nothing else.
- Linking an insight to a card needs the editor role on the card's map (maps.access.map_for);
  a viewer or commenter cannot link. Share-link visitors are not users: they reach none of it.
- An insight's source file goes to whoever may read the insight, checked on every request
  (`insight_with_file`); nobody else learns that it exists.
- Anything the caller may not read answers 404, a missing role 403 (as everywhere).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Q, QuerySet

from insights.models import Insight
from maps.models import JourneyMap
from workspaces.access import forbidden, not_found, parse_uuid
from workspaces.models import Membership, Workspace


def is_member(user: User, workspace: Workspace) -> bool:
    return Membership.objects.filter(workspace=workspace, user=user).exists()


def readable_maps(user: User | AnonymousUser) -> QuerySet[JourneyMap]:
    """Every map the user may read: workspace membership or a map grant."""
    return JourneyMap.objects.visible_to(user)


def insights_readable(
    user: User | AnonymousUser, workspace: Workspace, *, member: bool
) -> QuerySet[Insight]:
    insights = Insight.objects.filter(workspace=workspace)
    if member:
        return insights
    maps = readable_maps(user).filter(workspace=workspace).values("id")
    return insights.filter(pk__in=Insight.objects.filter(links__item__map__in=maps).values("pk"))


def insight_workspace_for(
    user: User | AnonymousUser, workspace_id: uuid.UUID
) -> tuple[Workspace, bool]:
    """The workspace and whether the user is a member; a user with grants on some of its maps
    gets it too (reading the insights behind those maps), anyone else a 404."""
    if not user.is_authenticated:
        raise not_found("workspace")
    workspace = Workspace.objects.filter(pk=parse_uuid(workspace_id, "workspace")).first()
    if workspace is None:
        raise not_found("workspace")
    if is_member(user, workspace):
        return workspace, True
    if not readable_maps(user).filter(workspace=workspace).exists():
        raise not_found("workspace")
    return workspace, False


def insight_for(
    user: User | AnonymousUser, insight_id: uuid.UUID, *, change: bool = False
) -> tuple[Insight, bool]:
    """The insight and whether the user is a member of its workspace; changing it (edit,
    delete) needs membership (403 for a reader who is not one)."""
    if not user.is_authenticated:
        raise not_found("insight")
    insight = (
        Insight.objects.select_related("workspace")
        .filter(pk=parse_uuid(insight_id, "insight"))
        .first()
    )
    if insight is None:
        raise not_found("insight")
    member = is_member(user, insight.workspace)
    if (
        not member
        and not insights_readable(user, insight.workspace, member=False)
        .filter(pk=insight.pk)
        .exists()
    ):
        raise not_found("insight")
    if change and not member:
        raise forbidden("Only members of the workspace can change its insights.")
    return insight, member


def insight_with_file(user: User | AnonymousUser | None, name: str) -> Insight | None:
    """The insight whose source file is the stored file `name`, if `user` may read it (the
    rules above: a member of its workspace, or a reader of a map of that workspace with a card
    it backs), else None."""
    if user is None or not user.is_authenticated:
        return None
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    through_maps = Q(
        links__item__map__in=readable_maps(user).values("id"),
        links__item__map__workspace_id=F("workspace_id"),
    )
    visible = Q(workspace_id__in=member_of) | through_maps
    return Insight.objects.filter(visible, source_file=name).order_by().first()
