"""Work on maps that crosses models or has side effects.

`apply_ops` is the one path every change to map content takes (DESIGN.md).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser, User
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from maps import hooks
from maps.item_schema import ITEM_COLUMNS, ITEM_COMMON, ITEM_FIELDS_OF_KIND
from maps.messages import change_message, message_text
from maps.models import Change, Comment, Item, JourneyMap, Lane, Link, Stage, strongest_role
from maps.ops import (
    COMMENT_OPS,
    MAX_OPS_PER_CHANGE,
    Context,
    OpError,
    Write,
    apply_op,
    dump_op,
    items_taken_preload,
    parse_ops,
    writes_only,
)
from maps.prepared import statement_execute
from maps.subjourneys import linking_stages
from workspaces.models import MapAccess, MapRole, Membership, role_at_least

logger = logging.getLogger(__name__)


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
        """The `change` message of PROTOCOL.md."""
        return change_message(
            revision=self.revision,
            change_id=self.change_id,
            ops=self.ops,
            actor_id=self.actor_id,
            session=self.session,
        )


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


def _allowed(role: str | None, ops: list[Any]) -> bool:
    try:
        _authorize(role, ops)
    except OpError:
        return False
    return True


class _NotTogether(Exception):
    """This batch cannot be written in one statement after all: apply it change by change."""


class _AlreadyApplied(Exception):
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
    except (OpError, _AlreadyApplied) as error:
        previous = Change.objects.filter(map_id=map_id, change_id=change_id).first()
        if previous is None:
            if isinstance(error, _AlreadyApplied):  # pragma: no cover - the log said it was
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


def _lock_and_bump(map_id: uuid.UUID, count: int = 1) -> JourneyMap:
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
    journey_map = _lock_and_bump(map_id)
    if role_epoch is not None and role_epoch != journey_map.access_epoch and user is not None:
        role = JourneyMap.objects.role_of(map_id=map_id, user=user)  # as it is now, locked
    _authorize(role, parsed)
    change, map_fields = _change_ops(journey_map, user, change_id, parsed, canonical, session, role)
    if map_fields:
        journey_map.save(update_fields=sorted(map_fields))
    try:
        change.save(force_insert=True)
    except IntegrityError:
        # The id is in the log (a re-send racing its first copy): the whole change rolls
        # back and apply_ops answers with the logged one.
        raise _AlreadyApplied from None
    return _applied(journey_map, change, role)


def _change_ops(
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


def _applied(journey_map: JourneyMap, change: Change, role: str | None) -> AppliedChange:
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


@dataclass(frozen=True)
class ChangeRequest:
    """One change a socket received, for apply_ops_batch."""

    actor: User | AnonymousUser | None
    change_id: uuid.UUID
    ops: Any
    session: str = ""
    role: str | None = None  # as for apply_ops: None reads it from the database
    role_epoch: int | None = None  # as for apply_ops: the access epoch `role` was read at


@dataclass
class _Prepared:
    index: int
    user: User | None
    request: ChangeRequest
    parsed: list[Any]
    canonical: list[dict[str, Any]]
    role: str | None
    role_epoch: int | None  # the access epoch `role` was read at, if not read just now


def apply_ops_batch(
    *, map_id: uuid.UUID, requests: list[ChangeRequest]
) -> list[AppliedChange | OpError]:
    """Apply several changes to one map, in order, as apply_ops would one after the other,
    but with one lock, one transaction and one log insert for all of them; the result of
    each is its AppliedChange or its OpError. Nothing is broadcast (the caller publishes).

    Live editing queues changes on a map faster than one transaction each can commit (the
    map's row lock is held per transaction); a batch takes the lock once. When any change of
    the batch fails (a bad op, a re-sent id), the batch rolls back and each change is applied
    alone by apply_ops, which gives each its own answer: the fast path is for the common case.
    """
    results: list[AppliedChange | OpError | None] = [None] * len(requests)
    prepared: list[_Prepared] = []
    for index, request in enumerate(requests):
        actor = request.actor
        user = actor if actor is not None and actor.is_authenticated else None
        try:
            # apply_ops would refuse it first thing, before any effect: order does not matter.
            parsed = parse_ops(request.ops, max_ops=MAX_OPS_PER_CHANGE)
        except OpError as error:
            results[index] = error
            continue
        canonical = [dump_op(op) for op in parsed]
        prepared.append(
            _Prepared(index, user, request, parsed, canonical, request.role, request.role_epoch)
        )
    if prepared and _writes_only(prepared):
        # Even a batch of one: its roles are read by the statement that takes the lock.
        try:
            for item, applied in zip(prepared, _write_together(map_id, prepared), strict=True):
                results[item.index] = applied
            prepared = []
        except (OpError, IntegrityError, DataError, _NotTogether):
            for item in prepared:  # rolled back: each alone below, its role read again
                item.role = item.role_epoch = None
            _read_roles(map_id, prepared)
    elif len(prepared) > 1:
        _read_roles(map_id, prepared)
        if all(_allowed(item.role, item.parsed) for item in prepared):
            try:
                for item, applied in zip(prepared, _apply_together(map_id, prepared), strict=True):
                    results[item.index] = applied
                prepared = []
            except (OpError, IntegrityError, DataError, _AlreadyApplied, _NotTogether):
                pass  # rolled back: apply them one by one below
    for item in prepared:
        try:
            results[item.index] = apply_ops(
                map_id=map_id,
                actor=item.user,
                change_id=item.request.change_id,
                ops=item.request.ops,
                session=item.request.session,
                role=item.role,
                role_epoch=item.role_epoch,
                announce=False,
            )
        except OpError as error:
            results[item.index] = error
    return [result for result in results if result is not None]


def _writes_only(prepared: list[_Prepared]) -> bool:
    """Whether _write_together can take the batch: field writes only, on PostgreSQL."""
    return connection.vendor == "postgresql" and all(
        writes_only(op) for item in prepared for op in item.parsed
    )


def _read_roles(map_id: uuid.UUID, prepared: list[_Prepared]) -> None:
    """Fill in the roles the sockets did not know, one query per author."""
    roles: dict[int, str | None] = {}
    for item in prepared:
        if item.role is None and item.user is not None:
            if item.user.pk not in roles:
                roles[item.user.pk] = JourneyMap.objects.role_of(map_id=map_id, user=item.user)
            item.role = roles[item.user.pk]


def _apply_together(map_id: uuid.UUID, prepared: list[_Prepared]) -> list[AppliedChange]:
    with transaction.atomic():
        journey_map = _lock_and_bump(map_id, count=len(prepared))
        if any(item.role_epoch not in (None, journey_map.access_epoch) for item in prepared):
            raise _NotTogether  # access changed since a role was read: each alone, read again
        done = [
            _change_ops(
                journey_map,
                item.user,
                item.request.change_id,
                item.parsed,
                item.canonical,
                item.request.session,
                item.role,
            )
            for item in prepared
        ]
        changes = [change for change, _ in done]
        map_fields = set().union(*(fields for _, fields in done))
        if map_fields:
            journey_map.save(update_fields=sorted(map_fields))
        Change.objects.bulk_create(changes)
        return [
            _applied(journey_map, change, item.role)
            for item, change in zip(prepared, changes, strict=True)
        ]


def _write_together(map_id: uuid.UUID, prepared: list[_Prepared]) -> list[AppliedChange]:
    """A batch of field writes only (typing into cards, moving stages: most of live editing),
    a single keystroke's change included. The ops read nothing, so they are validated and
    their UPDATEs built before anything is sent, and the ORM compiles nothing.

    First as one statement that PostgreSQL commits on its own (_write_at_once): one round
    trip where a transaction takes four. When that one writes nothing (an author may not
    edit, a row is gone, the id was used), the transaction of _write_locked does the same
    step by step and finds out which. Raises _NotTogether (rolled back) when an author may
    not make their change: apply_ops then says so to that change alone.

    A periodic snapshot due within a batch written at once is taken after it, of the
    document then (hooks.snapshot_soon): building a document is ~10 ms, which every
    hundredth keystroke used to wait for with the map locked (live p99)."""
    # The ops use only its id, the hooks its workspace too (set below); every other field is
    # deferred (a read would be a query), and there is no __init__ filling in defaults.
    unlocked = JourneyMap.from_db(None, ["id"], [map_id])
    per_change: list[list[Write]] = []
    for item in prepared:
        writes: list[Write] = []
        ctx = Context(map=unlocked, actor=item.user, role=item.role or "", writes=writes)
        for op in item.parsed:
            apply_op(ctx, op)
        per_change.append(writes)
    authors = sorted({item.user.pk for item in prepared if item.user is not None})
    bumped = _write_at_once(map_id, prepared, per_change, authors)
    if bumped is not None:
        _give_roles(prepared, bumped.roles)
        if hooks.snapshot_due(revision=bumped.base, count=len(prepared)):
            hooks.snapshot_soon(map_id=map_id)
    else:
        bumped = _write_locked(map_id, prepared, per_change, authors)
    unlocked.workspace_id = bumped.workspace_id
    applied = []
    for offset, item in enumerate(prepared, start=1):
        user_id = item.user.pk if item.user else None
        change = AppliedChange(
            bumped.base + offset,
            item.request.change_id,
            item.canonical,
            user_id,
            item.request.session[:64],
            role=item.role,
            epoch=bumped.epoch,
        )
        # Sent after the commit when the batch went at once (its receivers act on commit).
        hooks.after_change(journey_map=unlocked, ops=item.canonical, actor_id=user_id)
        applied.append(change)
    return applied


def _write_locked(
    map_id: uuid.UUID, prepared: list[_Prepared], per_change: list[list[Write]], authors: list[int]
) -> _Bumped:
    """_write_together in a transaction: the revision bump (which reads each author's role,
    so a revoked role bites at once), then every UPDATE and the log insert together. The lock
    is held for round trips, not for Python."""
    with transaction.atomic():
        bumped = _bump(map_id, len(prepared), authors)
        base = bumped.base
        _give_roles(prepared, bumped.roles)
        if not all(_allowed(item.role, item.parsed) for item in prepared):
            raise _NotTogether
        log = _log_insert(map_id, base, prepared)
        # A periodic snapshot falls between two changes (one batch in SNAPSHOT_EVERY / size):
        # write the changes before it, take it, then the rest.
        due = [
            index
            for index in range(len(prepared))
            if hooks.snapshot_due(revision=base + index, count=1)
        ]
        if not due:
            _run_together([*_updates([w for ws in per_change for w in ws]), log])
        else:
            journey_map = JourneyMap.objects.get(pk=map_id)  # locked by the bump
            start = 0
            for stop in [*due, len(prepared)]:
                if stop > start:
                    _run_together(_updates([w for ws in per_change[start:stop] for w in ws]))
                if stop < len(prepared):
                    journey_map.revision = base + stop
                    hooks.before_change(journey_map=journey_map)
                start = stop
            _run_together([log])
    return bumped


def _write_at_once(
    map_id: uuid.UUID, prepared: list[_Prepared], per_change: list[list[Write]], authors: list[int]
) -> _Bumped | None:
    """The batch as one statement in autocommit, so PostgreSQL commits it itself: the bump
    (taking the map's lock), every UPDATE and the log rows, as WITH clauses. Every UPDATE
    and the log read the map's id from the bump, so the lock is always taken first. The
    bump matches only when every author may edit; an UPDATE that finds no row (or a re-used
    change id) fails the statement, which then writes nothing. Returns None when it wrote
    nothing."""
    updates = _updates([w for ws in per_change for w in ws], after_bump=True)
    statements = [*updates, _log_insert_after_bump(prepared)]
    bump = _bump_sql(len(authors), at_once=True)
    bump_params = _bump_params(map_id, len(prepared), authors, at_once=True)
    clauses, counts, params = _with_clauses(statements)
    # 1 / 0 when a clause touched no row: an error, so the whole statement rolls back.
    touched = f"1 / least({', '.join(counts)})"
    sql = f"WITH bump AS ({bump}), {clauses} SELECT bump.*, {touched} FROM bump"  # noqa: S608
    params = [*bump_params, *params]
    # Inside a caller's transaction (tests) the statement gets a savepoint of its own.
    alone = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with alone, connection.cursor() as cursor:
            statement_execute(cursor, sql, params)
            found = cursor.fetchone()
    except (DataError, IntegrityError):
        return None
    if found is None:
        return None
    return _Bumped.of(found[1:], len(prepared), authors)  # (the map's id first)


# The roles that may make field writes (editors and up), from the rules of role_of.
EDITING_MAP_ROLES = [role for role in MapRole.values if role_at_least(role, MapRole.EDITOR)]
EDITING_MEMBER_ROLES = [
    role
    for role in Membership.Role.values
    if role_at_least(strongest_role(None, role), MapRole.EDITOR)
]


@dataclass(frozen=True)
class _Bumped:
    """What the revision bump of a batch of writes returns: the revision before the batch,
    the map's workspace (the hooks ask it: whose webhooks hear the change), its access epoch
    (which the changes carry to the sockets) and each author's role (what
    JourneyMapQuerySet.role_of reads, read here with the lock held)."""

    base: int
    workspace_id: uuid.UUID
    epoch: int
    roles: dict[int, str | None]

    @classmethod
    def of(cls, row: tuple[Any, ...], count: int, authors: list[int]) -> _Bumped:
        """From the bump's row: revision, workspace, epoch, then two roles per author."""
        roles = _roles_returned(row[3:], authors)
        return cls(int(row[0]) - count, uuid.UUID(str(row[1])), int(row[2]), roles)


def _bump(map_id: uuid.UUID, count: int, authors: list[int]) -> _Bumped:
    """_lock_and_bump for a batch that needs only the revision and what _Bumped holds."""
    with connection.cursor() as cursor:
        cursor.execute(_bump_sql(len(authors)), _bump_params(map_id, count, authors))
        found = cursor.fetchone()
    if found is None:
        raise OpError("not_found", "this map does not exist")
    return _Bumped.of(found, count, authors)


def _bump_params(
    map_id: uuid.UUID, count: int, authors: list[int], *, at_once: bool = False
) -> list[Any]:
    params: list[Any] = [count, timezone.now(), str(map_id)]
    if at_once:
        for author in authors:
            params += [author, EDITING_MAP_ROLES, author, EDITING_MEMBER_ROLES]
    for author in authors:
        params += [author, author]
    return params


@functools.cache
def _bump_sql(authors: int, *, at_once: bool = False) -> str:
    """The UPDATE that takes the map's lock and its next revisions, returning the revision,
    the workspace, the access epoch and, per author, their explicit map role then their
    workspace membership's role (what role_of reads). `at_once` (_write_at_once): it matches
    only if every author may edit, through either (role_of's max), and returns the map's id
    first."""
    quote = connection.ops.quote_name
    table = quote(JourneyMap._meta.db_table)
    access, membership = quote(MapAccess._meta.db_table), quote(Membership._meta.db_table)
    # Identifiers from the models' metadata; every value is a parameter.
    may_edit = (
        f" AND (EXISTS (SELECT 1 FROM {access} WHERE map_id = {table}.id AND user_id = %s"  # noqa: S608
        " AND role = ANY(%s))"
        f" OR EXISTS (SELECT 1 FROM {membership} WHERE workspace_id = {table}.workspace_id"
        " AND user_id = %s AND role = ANY(%s)))"
    )
    roles = (
        f", (SELECT role FROM {access} WHERE map_id = {table}.id AND user_id = %s LIMIT 1)"  # noqa: S608
        f", (SELECT role FROM {membership} WHERE workspace_id = {table}.workspace_id"
        " AND user_id = %s LIMIT 1)"
    )
    where = may_edit * authors if at_once else ""
    returned = "revision, workspace_id, access_epoch"
    if at_once:
        returned = f"id, {returned}"
    return (
        f"UPDATE {table} SET revision = revision + %s, updated_at = %s "  # noqa: S608
        f"WHERE id = %s{where} RETURNING {returned}{roles * authors}"
    )


def _roles_returned(columns: tuple[Any, ...], authors: list[int]) -> dict[int, str | None]:
    """Each author's role from the bump's role columns (two per author, in order)."""
    return {
        author: strongest_role(columns[2 * n], columns[2 * n + 1])
        for n, author in enumerate(authors)
    }


def _give_roles(prepared: list[_Prepared], roles: dict[int, str | None]) -> None:
    for item in prepared:
        item.role = roles.get(item.user.pk) if item.user is not None else None


Statement = tuple[str, list[Any]]  # one clause of a WITH (a statement ending RETURNING 1)


def _updates(writes: list[Write], *, after_bump: bool = False) -> list[Statement]:
    """Every row's UPDATE, for _run_together (or, `after_bump`, _write_at_once: the map's id
    read from its bump). Writes to the same row are merged, later values winning, since one
    statement may not update a row twice."""
    merged: dict[tuple[type[Any], uuid.UUID], Write] = {}
    for write in writes:
        key = (write.model, write.pk)
        first = merged.get(key)
        if first is None:
            merged[key] = Write(
                write.model, write.pk, write.map_id, dict(write.values), write.kinds
            )
        else:
            # The row has one kind: one both writes allow. (An opportunity card shares
            # `impact` with touchpoints, so writes to one row may name different kinds.) If
            # that kind is not the row's, the statement finds no row and the batch is retried
            # change by change, which says which change failed.
            kinds = _common_kinds(first.kinds, write.kinds)
            if kinds is None:
                raise _NotTogether  # the same row under exclusive conditions: keep them apart
            first.kinds = kinds
            first.values.update(write.values)
    return [_update_statement(write, after_bump) for write in merged.values()]


def _common_kinds(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...] | None:
    """The kinds both conditions allow (() allows any); None when no kind satisfies both."""
    if not first or not second:
        return first or second
    common = tuple(kind for kind in first if kind in second)
    return common or None


def _update_statement(write: Write, after_bump: bool) -> Statement:
    """`write.rows().update(**write.values)` as SQL, without building a QuerySet for each
    (Django's query compiler was most of a batch's CPU): the SQL of each shape of write is
    made once, and each value converted by its field as QuerySet.update does."""
    meta = write.model._meta
    fields = [meta.get_field(name) for name in write.values]
    columns = tuple(field.column for field in fields)
    sql = _update_sql(meta.db_table, meta.pk.column, columns, len(write.kinds), after_bump)
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, write.values.values(), strict=True)
    ]
    params.append(meta.pk.get_db_prep_value(write.pk, connection))
    if not after_bump:
        params.append(str(write.map_id))
    return sql, [*params, *write.kinds]


@functools.cache
def _update_sql(table: str, pk: str, columns: tuple[str, ...], kinds: int, after_bump: bool) -> str:
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(column)} = %s" for column in columns)
    map_id = "(SELECT id FROM bump)" if after_bump else "%s"
    where = f"{quote(pk)} = %s AND {quote('map_id')} = {map_id}"
    if kinds:
        where += f" AND {quote('kind')} IN ({', '.join(['%s'] * kinds)})"
    # Identifiers from the models' metadata; every value is a parameter.
    return f"UPDATE {quote(table)} SET {sets} WHERE {where} RETURNING 1"  # noqa: S608


def _log_insert(map_id: uuid.UUID, base: int, prepared: list[_Prepared]) -> Statement:
    """The batch's rows of the op log (Change), as one INSERT for _run_together."""
    quote = connection.ops.quote_name
    columns = ("map_id", "revision", "change_id", "actor_id", "session", "ops", "created_at")
    now = timezone.now()
    rows, params = [], []
    for offset, item in enumerate(prepared, start=1):
        rows.append("(%s, %s, %s, %s, %s, %s, %s)")
        params += [str(map_id), base + offset, *_log_values(item), now]
    sql = (
        f"INSERT INTO {quote(Change._meta.db_table)} "  # noqa: S608 - identifiers from metadata
        f"({', '.join(quote(c) for c in columns)}) VALUES {', '.join(rows)} RETURNING 1"
    )
    return sql, params


def _log_values(item: _Prepared) -> list[Any]:
    """A change's change_id, actor_id, session and ops, as its log row stores them."""
    user_id = item.user.pk if item.user else None
    ops = json.dumps(item.canonical, ensure_ascii=False)
    return [str(item.request.change_id), user_id, item.request.session[:64], ops]


def _log_insert_after_bump(prepared: list[_Prepared]) -> Statement:
    """The batch's rows of the op log for _write_at_once: revisions counted back from the
    bump's, the map's id from it too."""
    params = []
    for offset, item in enumerate(prepared, start=1):
        params += [offset, *_log_values(item)]
    return _log_insert_after_bump_sql(len(prepared)), [len(prepared), timezone.now(), *params]


@functools.cache
def _log_insert_after_bump_sql(rows: int) -> str:
    # Every value is cast to its column's type, so that the statement can be prepared
    # (maps/prepared.py). Identifiers come from the models' metadata.
    quote = connection.ops.quote_name
    fields = {name: Change._meta.get_field(name) for name in ("change_id", "actor", "ops")}
    cast = {name: field.db_type(connection) for name, field in fields.items()}
    created = Change._meta.get_field("created_at").db_type(connection)
    row = (
        f"(%s::integer, %s::{cast['change_id']}, %s::{cast['actor']}, %s::text, %s::{cast['ops']})"
    )
    columns = ("map_id", "revision", "change_id", "actor_id", "session", "ops", "created_at")
    return (
        f"INSERT INTO {quote(Change._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(c) for c in columns)}) "
        f"SELECT bump.id, bump.revision - %s::integer + v.n, v.change_id, v.actor, v.session, "
        f"v.ops, %s::{created} FROM bump, (VALUES {', '.join([row] * rows)}) "
        "AS v (n, change_id, actor, session, ops) RETURNING 1"
    )


def _run_together(statements: list[Statement]) -> None:
    """The statements as one (data-modifying WITH clauses): one round trip, and the number
    of rows each touched; an UPDATE that found no row is a change to roll back."""
    clauses, counts, params = _with_clauses(statements)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {clauses} SELECT {', '.join(counts)}", params)
        found = cursor.fetchone()
    if found is None or not all(found):
        raise OpError("not_found", "a row a change writes does not exist")


def _with_clauses(statements: list[Statement]) -> tuple[str, list[str], list[Any]]:
    """Statements as WITH clauses w0, w1, …: their text, an expression per clause counting
    the rows it touched, and the parameters in order."""
    clauses = ", ".join(f"w{index} AS ({sql})" for index, (sql, _) in enumerate(statements))
    # Clause names are ours; the SQL is Django's and ours, every value a parameter.
    counts = [
        f"(SELECT count(*) FROM w{index})"  # noqa: S608
        for index in range(len(statements))
    ]
    return clauses, counts, [param for _, values in statements for param in values]


def group_event(message: dict[str, Any], epoch: int | None = None) -> dict[str, Any]:
    """A server message as the channel-layer event every socket of the map forwards as is;
    a change also carries the access epoch it was committed under (live/rooms.py)."""
    return {
        "type": "map.message",
        "text": message_text(message),
        "revision": message.get("revision"),
        "epoch": epoch,
    }


def broadcast(*, group: str, message: dict[str, Any], epoch: int | None = None) -> None:
    """Send a server message to every socket on a map. Serialised once, fanned out as text."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, group_event(message, epoch))
    except Exception:
        # The change is committed; sockets that miss it repair the gap from the op log.
        logger.exception("broadcast to %s failed", group)


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Fractional-index keys compare as plain ASCII strings; ties by id (PROTOCOL.md).
    # Sorting here keeps the order independent of the database collation.
    return sorted(rows, key=lambda row: (row["position"], str(row["id"])))


STAGE_FIELDS = ("id", "name", "description", "phase", "color", "position", "subjourney")
LANE_FIELDS = ("id", "kind", "title", "description", "collapsed", "position")
# An item's keys and columns (ITEM_COMMON, ITEM_FIELDS_OF_KIND, ITEM_COLUMNS): item_schema.py.
FOREIGN_KEYS = {"lane", "stage", "persona", "fixes"}
UUID_KEYS = {"id"} | FOREIGN_KEYS
_COLUMN_INDEX = {key: index for index, key in enumerate(ITEM_COLUMNS)}
# For each kind, the (key, column index) pairs its items show.
_PICKS = {
    kind: [(key, _COLUMN_INDEX[key]) for key in ITEM_COMMON + extra]
    for kind, extra in ITEM_FIELDS_OF_KIND.items()
}


def _item_rows(map_id: Any) -> list[dict[str, Any]]:
    """Every item of the map as plain rows: tuples from one query, no model instances.

    On PostgreSQL the UUIDs come back as text: parsing 3,000 UUIDs only to print them again
    was a third of the time of a 600-item document.
    """
    as_text = connection.vendor == "postgresql"
    columns = [
        Cast(f"{key}_id" if key in FOREIGN_KEYS else key, output_field=TextField())
        if as_text and key in UUID_KEYS
        else (f"{key}_id" if key in FOREIGN_KEYS else key)
        for key in ITEM_COLUMNS
    ]
    kind_index = _COLUMN_INDEX["kind"]
    items = []
    for row in Item.objects.filter(map_id=map_id).values_list(*columns):
        item = {key: row[index] for key, index in _PICKS[row[kind_index]]}
        if not as_text:
            for key in UUID_KEYS & item.keys():
                if item[key] is not None:
                    item[key] = str(item[key])
        if item.get("due") is not None:
            item["due"] = item["due"].isoformat()
        items.append(item)
    return items


def _ids_to_str(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if row.get(key) is not None:
            row[key] = str(row[key])
    return row


def persona_summary(persona: Any) -> dict[str, Any]:
    return {
        "id": str(persona.id),
        "name": persona.name,
        "quote": persona.quote,
        "color": persona.color,
        "segment": persona.segment,
        "photo": persona.photo.url if persona.photo else None,
        "age": persona.age,
        "location": persona.location,
        "job_title": persona.job_title,
        "company": persona.company,
        "goals": persona.goals,
        "pain_points": persona.pain_points,
    }


def map_document(*, journey_map: JourneyMap) -> dict[str, Any]:
    """The whole map as PROTOCOL.md's document, in a fixed number of queries (7)."""
    map_id = journey_map.pk
    stages = list(Stage.objects.filter(map_id=map_id).values(*STAGE_FIELDS))
    lanes = list(Lane.objects.filter(map_id=map_id).values(*LANE_FIELDS))
    items = _item_rows(map_id)
    links = [
        _ids_to_str(
            {
                "id": r["id"],
                "source": r["source_id"],
                "target": r["target_id"],
                "label": r["label"],
            },
            "id",
            "source",
            "target",
        )
        for r in Link.objects.filter(map_id=map_id).values("id", "source_id", "target_id", "label")
    ]
    comments = [
        {
            "id": str(c["id"]),
            "item": str(c["item_id"]) if c["item_id"] else None,
            "stage": str(c["stage_id"]) if c["stage_id"] else None,
            "parent": str(c["parent_id"]) if c["parent_id"] else None,
            "author": {
                "id": c["author_id"],
                "username": c["author__username"],
                "name": _display(
                    c["author__first_name"], c["author__last_name"], c["author__username"]
                ),
            },
            "text": c["text"],
            "mentions": c["mentions"],
            "resolved": c["resolved"],
            "created": c["created_at"].isoformat(),
            "updated": c["updated_at"].isoformat(),
        }
        for c in Comment.objects.filter(map_id=map_id).values(
            "id",
            "item_id",
            "stage_id",
            "parent_id",
            "author_id",
            "author__username",
            "author__first_name",
            "author__last_name",
            "text",
            "mentions",
            "resolved",
            "created_at",
            "updated_at",
        )
    ]
    personas = [persona_summary(p) for p in journey_map.personas.all()]
    for stage in stages:
        _ids_to_str(stage, "id", "subjourney")
    for lane in lanes:
        lane["id"] = str(lane["id"])
    return {
        "id": str(map_id),
        "workspace": str(journey_map.workspace_id),
        "title": journey_map.title,
        "objective": journey_map.objective,
        "type": journey_map.type,
        "audience": journey_map.audience,
        "scenario": journey_map.scenario,
        "status": journey_map.status,
        "language": journey_map.language,
        "next_review": journey_map.next_review.isoformat() if journey_map.next_review else None,
        "template": journey_map.template,
        "current_state": str(journey_map.current_state_id)
        if journey_map.current_state_id
        else None,
        "revision": journey_map.revision,
        "created": journey_map.created_at.isoformat(),
        "updated": journey_map.updated_at.isoformat(),
        "personas": personas,
        "stages": _sorted(stages),
        "lanes": _sorted(lanes),
        "items": _sorted(items),
        "links": links,
        "comments": comments,
    }


def _display(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{first or ''} {last or ''}".strip()
    return full or (username or "")
