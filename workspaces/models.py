from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    def for_user(self, user: User | AnonymousUser) -> WorkspaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name

    def role_of(self, user: User | AnonymousUser) -> str | None:
        if not user.is_authenticated:
            return None
        membership = self.memberships.filter(user=user).only("role").first()
        return membership.role if membership else None


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class MapRole(models.TextChoices):
    """Per-map roles, strongest first in RANK."""

    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    COMMENTER = "commenter", _("Commenter")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {MapRole.VIEWER: 1, MapRole.COMMENTER: 2, MapRole.EDITOR: 3, MapRole.OWNER: 4}


def role_at_least(role: str | None, minimum: str) -> bool:
    if role is None or role not in MapRole.values:
        return False
    return ROLE_RANK[MapRole(role)] >= ROLE_RANK[MapRole(minimum)]


class MapAccess(models.Model):
    """An explicit role on one map; overrides the role a workspace membership implies."""

    map = models.ForeignKey("maps.JourneyMap", on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="map_accesses"
    )
    role = models.CharField(max_length=10, choices=MapRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["map", "user"], name="one_access_per_user")]
        verbose_name = _("map access")
        verbose_name_plural = _("map accesses")

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.map_id}"


def new_share_token() -> str:
    # 32 bytes = 256 random bits, URL-safe.
    return secrets.token_urlsafe(32)


class ShareLink(models.Model):
    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        COMMENTER = "commenter", _("Commenter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    map = models.ForeignKey("maps.JourneyMap", on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    allow_export = models.BooleanField(default=False)
    expires = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")

    def __str__(self) -> str:
        return f"{self.role} link to {self.map_id}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires is None or self.expires > timezone.now()
