"""The reference change path: `apply_ops`, the one path every change to map content takes
(docs/architecture.md), and `map_delete`.

What other apps use of the map's services is named here: the live write path
(`apply_ops_batch`, maps/live_writes.py), the broadcast (maps/broadcast.py) and the document
read model (`map_document`, maps/document_read.py) are re-exported, so their callers need not
know where each lives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from maps import hooks
from maps.broadcast import broadcast
from maps.broadcast import group_event as group_event  # re-exported
from maps.document_read import ITEM_COLUMNS as ITEM_COLUMNS  # re-exported
from maps.document_read import ITEM_COMMON as ITEM_COMMON  # re-exported
from maps.document_read import ITEM_FIELDS_OF_KIND as ITEM_FIELDS_OF_KIND  # re-exported
from maps.document_read import map_document as map_document  # re-exported
from maps.document_read import persona_summary as persona_summary  # re-exported
from maps.messages import change_message
from maps.models import Change, JourneyMap
from maps.ops import (
    COMMENT_OPS,
    MAX_OPS_PER_CHANGE,
    Context,
    OpError,
    apply_op,
    dump_op,
    items_taken_preload,
    parse_ops,
)
from maps.subjourneys import linking_stages
from workspaces.models import MapRole, role_at_least


@dataclass(frozen=True)
class AppliedChange:
    revision: int
    change_id: uuid.UUID
    ops: list[dict[str, Any]]
    actor_id: int | None
    session: str
    duplicate: bool = False
    role: str | None = None  # the author's role the change was authorized with
    epoch: int = 0  # the map's access epoch it was committed under (JourneyMap.access_epoch)

    def message(self) -> dict[str, Any]:
        """The `change` message of docs/protocol.md."""
        return change_message(
            revision=self.revision,
            change_id=self.change_id,
            ops=self.ops,
            actor_id=self.actor_id,
            session=self.session,
        )


@dataclass(frozen=True)
class ChangeRequest:
    """One change a socket received, for apply_ops_batch."""

    actor: User | AnonymousUser | None
    change_id: uuid.UUID
    ops: Any
    session: str = ""
    role: str | None = None  # as for apply_ops: None reads it from the database
    role_epoch: int | None = None  # as for apply_ops: the access epoch `role` was read at


def parse_change_id(raw: Any) -> uuid.UUID:
    if not isinstance(raw, str):
        raise OpError("bad_message", "a change needs an 'id' (a UUID string)")
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise OpError("bad_message", "the change 'id' is not a UUID") from None


def _authorize(role: str | None, ops: list[Any]) -> None:
    if role_at_least(role, MapRole.EDITOR):
        return
    if role_at_least(role, MapRole.COMMENTER):
        for index, op in enumerate(ops):
            if op.type not in COMMENT_OPS:
                raise OpError("forbidden", "commenters can only comment", index)
        return
    raise OpError("forbidden", "your role on this map does not allow changes")


def allowed(role: str | None, ops: list[Any]) -> bool:
    """Whether `role` may make a change of these (parsed) ops."""
    try:
        _authorize(role, ops)
    except OpError:
        return False
    return True


class AlreadyApplied(Exception):
    """The change id is in the log already: leave the transaction and answer as a duplicate."""


def apply_ops(
    *,
    map_id: uuid.UUID,
    actor: User | AnonymousUser | None,
    change_id: uuid.UUID,
    ops: Any,
    session: str = "",
    role: str | None = None,
    role_epoch: int | None = None,
    max_ops: int = MAX_OPS_PER_CHANGE,
    announce: bool = True,
) -> AppliedChange:
    """Validate, authorize and apply one change atomically; broadcast it after commit.

    The socket's changes come through apply_ops_batch (live/lanes.py), which passes
    `announce=False` and publishes from the event loop once the batch returns (also after
    commit): broadcasting from here would hold a database thread while the loop publishes.

    `role` is the caller's role if already known (a socket resolves it once); otherwise it
    is read from the database. With `role_epoch`, the map's access epoch the role was read
    at, the role is read again with the map locked if access changed since (a socket's role
    may be a moment old: a revoked or lowered role refuses the very next change). A change
    id already applied with the same ops returns the first result again; with different ops
    it is rejected.

    This is the hot path of live editing: every statement runs with the map row locked, so
    the lock is taken by the statement that bumps the revision, and a re-sent change id is
    detected by the log's unique constraint (or when its ops fail) rather than by a lookup
    on every change.
    """
    parsed = parse_ops(ops, max_ops=max_ops)
    canonical = [dump_op(op) for op in parsed]
    user = actor if actor is not None and actor.is_authenticated else None
    if role is None and user is not None:
        role = JourneyMap.objects.role_of(map_id=map_id, user=user)  # before the lock is taken
    try:
        with transaction.atomic():
            applied = _apply_locked(
                map_id, user, change_id, parsed, canonical, session, role, role_epoch
            )
            if announce:
                group = f"map.{map_id}"
                transaction.on_commit(
                    lambda: broadcast(group=group, message=applied.message(), epoch=applied.epoch)
                )
    except (OpError, AlreadyApplied) as error:
        previous = Change.objects.filter(map_id=map_id, change_id=change_id).first()
        if previous is None:
            if isinstance(error, AlreadyApplied):  # pragma: no cover - the log said it was
                raise OpError("invalid_op", "this change could not be applied") from None
            raise
        if previous.ops != canonical:
            raise OpError("invalid_op", "this change id was already used for other ops") from None
        return AppliedChange(
            previous.revision,
            change_id,
            previous.ops,
            previous.actor_id,
            previous.session,
            duplicate=True,
        )
    return applied


def map_delete(*, journey_map: JourneyMap, actor: User | AnonymousUser) -> None:
    """Delete a map. The stages of other maps that open it as their sub-journey lose the link
    first, as one change of each such map through apply_ops (logged, broadcast, the map's
    revision moved on), rather than by the database's SET NULL, which would leave their
    documents, document caches, ETags and replayed history pointing at a map that is gone.
    The deletion is the authority for it: the actor need not be able to edit those maps."""
    parents: dict[uuid.UUID, list[str]] = {}
    for parent_id, stage_id in linking_stages(journey_map=journey_map).values_list("map_id", "id"):
        parents.setdefault(parent_id, []).append(str(stage_id))
    with transaction.atomic():
        for parent_id, stage_ids in sorted(parents.items()):
            unlink = [
                {"type": "stage.update", "id": stage_id, "fields": {"subjourney": None}}
                for stage_id in stage_ids
            ]
            apply_ops(
                map_id=parent_id,
                actor=actor,
                change_id=uuid.uuid4(),
                ops=unlink,
                role=MapRole.OWNER,
                max_ops=max(MAX_OPS_PER_CHANGE, len(unlink)),
            )
        journey_map.delete()


def lock_and_bump(map_id: uuid.UUID, count: int = 1) -> JourneyMap:
    """Take the map's row lock and its next `count` revisions in one statement (UPDATE …
    RETURNING); the instance returned holds the revision *before* the change(s)."""
    meta = JourneyMap._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in meta.concrete_fields)
    # Identifiers come from the model's metadata, values are parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('revision')} = {quote('revision')} + %s, "  # noqa: S608
        f"{quote('updated_at')} = %s WHERE {quote('id')} = %s RETURNING {columns}"
    )
    pk = JourneyMap._meta.pk
    assert pk is not None
    found = list(
        JourneyMap.objects.raw(
            sql, [count, timezone.now(), pk.get_db_prep_value(map_id, connection)]
        )
    )
    if not found:
        raise OpError("not_found", "this map does not exist")
    journey_map = found[0]
    journey_map.revision -= count
    return journey_map


def _apply_locked(
    map_id: uuid.UUID,
    user: User | None,
    change_id: uuid.UUID,
    parsed: list[Any],
    canonical: list[dict[str, Any]],
    session: str,
    role: str | None,
    role_epoch: int | None,
) -> AppliedChange:
    journey_map = lock_and_bump(map_id)
    if role_epoch is not None and role_epoch != journey_map.access_epoch and user is not None:
        role = JourneyMap.objects.role_of(map_id=map_id, user=user)  # as it is now, locked
    _authorize(role, parsed)
    change, map_fields = change_ops(journey_map, user, change_id, parsed, canonical, session, role)
    if map_fields:
        journey_map.save(update_fields=sorted(map_fields))
    try:
        change.save(force_insert=True)
    except IntegrityError:
        # The id is in the log (a re-send racing its first copy): the whole change rolls
        # back and apply_ops answers with the logged one.
        raise AlreadyApplied from None
    return applied_change(journey_map, change, role)


def change_ops(
    journey_map: JourneyMap,
    user: User | None,
    change_id: uuid.UUID,
    parsed: list[Any],
    canonical: list[dict[str, Any]],
    session: str,
    role: str | None,
) -> tuple[Change, set[str]]:
    """Apply one change's ops to the locked map at its next revision; returns its log row,
    not yet saved, and the map columns a map.update changed (saved by the caller)."""
    hooks.before_change(journey_map=journey_map)
    ctx = Context(map=journey_map, actor=user, role=role or "")
    items_taken_preload(ctx, parsed)
    # No savepoint per op: any failure leaves the outer block and rolls the change back.
    for index, op in enumerate(parsed):
        try:
            apply_op(ctx, op)
        except OpError as error:
            error.op = index
            raise
        except (IntegrityError, DataError):
            # A race with another map creating the same id, or a value the column refuses.
            raise OpError("invalid_op", "the database refused this op", index) from None
    journey_map.revision += 1
    change = Change(
        map=journey_map,
        revision=journey_map.revision,
        change_id=change_id,
        actor=user,
        session=session[:64],
        ops=canonical,
    )
    return change, ctx.map_fields


def applied_change(journey_map: JourneyMap, change: Change, role: str | None) -> AppliedChange:
    """A change saved in the log, as its author and the sockets are told of it; the apps
    that listen hear of it (hooks.after_change)."""
    applied = AppliedChange(
        change.revision,
        change.change_id,
        change.ops,
        change.actor_id,
        change.session,
        role=role,
        epoch=journey_map.access_epoch,
    )
    hooks.after_change(journey_map=journey_map, ops=change.ops, actor_id=applied.actor_id)
    return applied


# The live write path is built on apply_ops and the steps above, hence imported last.
from maps.live_writes import apply_ops_batch as apply_ops_batch  # noqa: E402
