"""What integrations hears from the apps below it. Each receiver waits for the commit of the
change (or membership) that caused it, so a rolled-back change sends nothing, and a failure
here is logged, never turned into a failed change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from integrations import services, tasks
from integrations.models import Event, Webhook

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from exports.models import ExportJob
    from maps.models import JourneyMap
    from workspaces.models import Workspace

logger = logging.getLogger(__name__)

COMMENT_OPS = {"comment.create", "comment.update"}


def _after_commit(what: str, work: Callable[[], Any]) -> None:
    def run() -> None:
        try:
            work()
        except Exception:
            logger.exception("webhooks for %s failed", what)

    transaction.on_commit(run)


def map_changed(
    *, journey_map: JourneyMap, ops: list[dict[str, Any]], actor_id: int | None, **_: Any
) -> None:
    """maps.hooks.change_applied: every change feeds map.changed; comment ops also feed
    comment.created and comment.mention. A workspace with no webhook for them costs a cache
    read, not a query per change."""
    map_id = journey_map.pk
    events = services.workspace_events(workspace_id=journey_map.workspace_id)
    if Event.MAP_CHANGED in events:
        _after_commit(
            "map change", lambda: tasks.flush_later(services.map_changes_note(map_id=map_id))
        )
    comment_ids = [op["id"] for op in ops if op.get("type") in COMMENT_OPS]
    if comment_ids and events & {Event.COMMENT_CREATED, Event.MENTION}:
        created = {op["id"] for op in ops if op.get("type") == "comment.create"}
        _after_commit(
            "comments",
            lambda: services.comments_publish(
                map_id=map_id, comment_ids=comment_ids, created=created
            ),
        )


def webhook_saved(*, instance: Webhook, **_: Any) -> None:
    """post_save and post_delete of a Webhook: the workspace's subscriptions changed."""
    services.workspace_events_forget(workspace_id=instance.workspace_id)


def export_done(*, job: ExportJob, **_: Any) -> None:
    _after_commit("export", lambda: services.export_publish(job=job))


def member_joined(*, workspace: Workspace, user: User, role: str, **_: Any) -> None:
    workspace_id = workspace.pk
    _after_commit(
        "member",
        lambda: services.member_publish(workspace_id=workspace_id, user=user, role=role),
    )
