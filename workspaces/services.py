from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from workspaces.models import Membership, Workspace
from workspaces.signals import member_added

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def workspace_create(*, name: str, creator: User) -> Workspace:
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=creator, role=Membership.Role.ADMIN)
    return workspace


def membership_set(*, workspace: Workspace, user: User, role: str) -> tuple[Membership, bool]:
    """Add the user to the workspace with the role, or change their role."""
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        if created:
            member_added.send(sender=Membership, workspace=workspace, user=user, role=role)
    return membership, created
