"""What else happens when apply_ops applies a change: the calls it makes into history and
notifications, kept here so maps/services.py stays the bare change path.

Imports are local because history and notifications import maps.services themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

NOTIFYING_OPS = {"comment.create", "comment.update"}


def before_change(*, journey_map: Any) -> None:
    """With the map row locked and before the change: take the periodic snapshot."""
    from maps.history import snapshot_if_due

    snapshot_if_due(journey_map=journey_map)


def snapshot_due(*, revision: int, count: int) -> bool:
    """Whether before_change would take a snapshot before one of the next `count` changes of
    a map now at `revision` (a batch written in one statement cannot stop for one)."""
    from maps.history import snapshot_due

    return snapshot_due(revision=revision, count=count)


def after_change(*, journey_map: Any, ops: list[dict[str, Any]], actor_id: int | None) -> None:
    """Inside the change's transaction: notify mentions and replies once it has committed."""
    comment_ids = [op["id"] for op in ops if op["type"] in NOTIFYING_OPS]
    if not comment_ids or actor_id is None:
        return
    from maps.notifications import notify_comments

    map_id = journey_map.pk
    transaction.on_commit(
        lambda: notify_comments(map_id=map_id, comment_ids=comment_ids, actor_id=actor_id)
    )
