"""Create (once) a demo account, workspace, persona and map with real Vietnamese content."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from maps.documents import map_create
from maps.models import JourneyMap
from method.library import get_template
from workspaces.models import Membership, Workspace

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "journeymap"  # noqa: S105 - a published demo account for local use
DEMO_WORKSPACE = "Nhóm Marketing Demo"
DEMO_MAP = "Hành trình mua nồi chiên không dầu"


class Command(BaseCommand):
    help = "Create the demo account, workspace and map if they do not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME,
                defaults={"first_name": "Lan", "last_name": "Nguyễn", "email": "demo@example.com"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            workspace = Workspace.objects.filter(
                memberships__user=user, name=DEMO_WORKSPACE
            ).first()
            if workspace is None:
                workspace = Workspace.objects.create(name=DEMO_WORKSPACE)
                Membership.objects.create(
                    workspace=workspace, user=user, role=Membership.Role.ADMIN
                )
            if not JourneyMap.objects.filter(workspace=workspace, title=DEMO_MAP).exists():
                spec = get_template("buyer_journey_5")
                assert spec is not None
                map_create(
                    workspace=workspace,
                    actor=user,
                    title=DEMO_MAP,
                    language="vi",
                    document=spec.document("vi"),
                    template=spec.key,
                )
        self.stdout.write(f"Demo account: {DEMO_USERNAME} / {DEMO_PASSWORD}")
