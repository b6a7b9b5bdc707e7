"""What else happens when apply_ops applies a change, and where templates come from, without
maps/ knowing the apps that do it (docs/architecture.md: every arrow points at maps).

- The periodic snapshot is the map's own (maps/revisions.py); imports are local because
  maps.revisions imports maps.services, which calls these hooks.
- `change_applied` is a Django signal sent inside the change's transaction, with the map row
  locked: receivers that reach outside the database (notifications, e-mail) wait for
  `transaction.on_commit`, so a rolled-back change tells nobody anything.
- Template sources turn the `template` key of a new map into the document it starts from;
  the template library (method/) registers one when Django starts.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from maps.documents import PortableDocument
    from workspaces.models import Workspace

# Sent with journey_map, ops (the canonical op dicts) and actor_id (None for no user).
change_applied = Signal()

TemplateSource = Callable[..., "PortableDocument | None"]
_template_sources: list[TemplateSource] = []


def before_change(*, journey_map: Any) -> None:
    """With the map row locked and before the change: take the periodic snapshot."""
    from maps.revisions import snapshot_if_due

    snapshot_if_due(journey_map=journey_map)


def snapshot_due(*, revision: int, count: int) -> bool:
    """Whether before_change would take a snapshot before one of the next `count` changes of
    a map now at `revision` (a batch written in one statement cannot stop for one)."""
    from maps.revisions import snapshot_due

    return snapshot_due(revision=revision, count=count)


_deferred = threading.local()


@contextlib.contextmanager
def snapshots_deferred() -> Iterator[list[uuid.UUID]]:
    """Within it, snapshot_soon collects the maps instead of taking their snapshots: the live
    lanes take them once the changes are published (live/lanes.py)."""
    maps: list[uuid.UUID] = []
    _deferred.maps = maps
    try:
        yield maps
    finally:
        _deferred.maps = None


def snapshot_soon(*, map_id: uuid.UUID) -> None:
    """A periodic snapshot is due on a map whose changes were committed without one: taken
    now, or collected by snapshots_deferred."""
    maps = getattr(_deferred, "maps", None)
    if maps is not None:
        maps.append(map_id)
        return
    from maps.revisions import snapshot_take

    snapshot_take(map_id=map_id)


def after_change(*, journey_map: Any, ops: list[dict[str, Any]], actor_id: int | None) -> None:
    """Inside the change's transaction, or just after the statement that committed it (the
    live path's field writes, maps.live_writes.WRITE_AT_ONCE): tell the apps that listen, who
    act on what is committed (`transaction.on_commit`)."""
    change_applied.send(
        sender=type(journey_map), journey_map=journey_map, ops=ops, actor_id=actor_id
    )


def template_source_register(source: TemplateSource) -> None:
    """`source(workspace=, key=, language=)` answers a PortableDocument or None."""
    if source not in _template_sources:
        _template_sources.append(source)


def template_document(*, workspace: Workspace, key: str, language: str) -> PortableDocument | None:
    """The document a new map made from template `key` starts from; None for an unknown key."""
    for source in _template_sources:
        document = source(workspace=workspace, key=key, language=language)
        if document is not None:
            return document
    return None
