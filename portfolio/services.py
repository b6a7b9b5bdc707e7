"""What the portfolio changes: an opportunity's scores and workflow (an `item.update` through
the map's `apply_ops`, so open editors of that map see it live), and the solution links
between an action item and an opportunity, possibly on two maps of the workspace."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from journeymap.api import ApiError
from maps.access import map_for
from maps.models import Item, ItemKind, LaneKind
from maps.ops import OpError
from maps.rest import op_error_response
from maps.services import AppliedChange, apply_ops
from portfolio.models import SolutionLink
from workspaces.access import forbidden, not_found, parse_uuid
from workspaces.models import MapRole, Workspace, role_at_least

# What the portfolio may set on an opportunity card (maps/ops.py validates the values).
OPPORTUNITY_EDITS = ("impact", "effort", "reach", "confidence", "status", "owner", "due")


def _item_of(workspace: Workspace, item_id: uuid.UUID, lane_kind: str, what: str) -> Item:
    """An item of the workspace in a lane of `lane_kind`, or 404 (existence not leaked)."""
    found = (
        Item.objects.filter(pk=parse_uuid(item_id, what), map__workspace=workspace)
        .filter(lane__kind=lane_kind)
        .first()
    )
    if found is None:
        raise not_found(what)
    return found


def opportunity_update(
    *, user: User, workspace: Workspace, item_id: uuid.UUID, fields: dict[str, Any]
) -> AppliedChange:
    """Score, move through the workflow, own or date an opportunity card: one change on its
    map. A caller who cannot read that map gets 404, one who cannot edit it 403."""
    unknown = sorted(set(fields) - set(OPPORTUNITY_EDITS))
    if not fields or unknown:
        names = ", ".join(OPPORTUNITY_EDITS)
        raise ApiError(code="invalid", message=f"Send one or more of: {names}.")
    item = _item_of(workspace, item_id, LaneKind.OPPORTUNITIES, "opportunity")
    if item.kind != ItemKind.CARD:
        raise not_found("opportunity")
    journey_map, role = map_for(user, item.map_id)
    op = {"type": "item.update", "id": str(item.pk), "fields": fields}
    try:
        return apply_ops(
            map_id=journey_map.pk,
            actor=user,
            change_id=uuid.uuid4(),
            ops=[op],
            role=role,
            session=f"portfolio:{user.pk}",
        )
    except OpError as error:
        raise op_error_response(error) from None


def _editable(user: User, item: Item, what: str) -> None:
    _, role = map_for(user, item.map_id)
    if not role_at_least(role, MapRole.EDITOR):
        raise forbidden(f"Linking needs the editor role on the {what}'s map; you are {role}.")


def solution_link_create(
    *,
    user: User,
    workspace: Workspace,
    action_id: uuid.UUID,
    opportunity_id: uuid.UUID,
) -> SolutionLink:
    """Link an action item to the opportunity it addresses: editing the action's map, reading
    the opportunity's (any map of the same workspace)."""
    action = _item_of(workspace, action_id, LaneKind.ACTION_PLAN, "action item")
    opportunity = _item_of(workspace, opportunity_id, LaneKind.OPPORTUNITIES, "opportunity")
    map_for(user, opportunity.map_id)  # readable, or 404
    _editable(user, action, "action item")
    try:
        with transaction.atomic():
            return SolutionLink.objects.create(
                workspace=workspace, action=action, opportunity=opportunity, created_by=user
            )
    except IntegrityError:
        raise ApiError(
            code="conflict",
            message="This action item is already linked to this opportunity.",
            status_code=409,
        ) from None


def solution_link_delete(*, user: User, workspace: Workspace, link_id: uuid.UUID) -> None:
    """Remove a link: editing the action item's map, as creating it did."""
    link = (
        SolutionLink.objects.select_related("action", "opportunity")
        .filter(pk=parse_uuid(link_id, "link"), workspace=workspace)
        .first()
    )
    if link is None:
        raise not_found("link")
    map_for(user, link.opportunity.map_id)  # a link to a map the caller cannot read: 404
    _editable(user, link.action, "action item")
    link.delete()
