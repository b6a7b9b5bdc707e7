"""The live write path: `apply_ops_batch` applies a batch of socket changes to one map
(live/lanes.py queues them) and gives each change the result that `apply_ops`, the reference
path (maps/services.py), would give it, applied alone one after the other
(tests/maps/test_live_writes_differential.py checks that on random batches).

A batch takes the first of these ways that fits it (the figures: docs/benchmarks.md, "Live
change path"):
1. Field writes only, on PostgreSQL (a keystroke, a stage moved: most of live editing):
   WRITE_AT_ONCE, one statement that PostgreSQL commits on its own. One round trip where
   BEGIN, bump, writes and COMMIT took four, and nothing for the ORM to compile: a keystroke
   went from 2.33 to 0.84 ms wall in-process.
2. Several changes of any kind: one transaction, one lock and one log insert for all of them
   (_apply_together). The map's row lock is held per transaction; taking it once per batch
   instead of once per change is what lets a busy map take hundreds of changes a second.
3. Each change alone through apply_ops: whatever the two above refused or failed (an author
   who may not make the change, a row gone, a re-sent id, a bad op), so that each is told why
   by the reference path itself.

Imported through maps.services, which re-exports `apply_ops_batch`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from maps import hooks
from maps.models import Change, JourneyMap, strongest_role
from maps.ops import (
    MAX_OPS_PER_CHANGE,
    Context,
    OpError,
    Write,
    apply_op,
    dump_op,
    parse_ops,
    writes_only,
)
from maps.prepared import statement_execute
from maps.services import (
    AlreadyApplied,
    AppliedChange,
    ChangeRequest,
    allowed,
    applied_change,
    apply_ops,
    change_ops,
    lock_and_bump,
)
from workspaces.models import MapRole, Membership, role_at_least


@dataclass
class _Prepared:
    index: int
    user: User | None
    request: ChangeRequest
    parsed: list[Any]
    canonical: list[dict[str, Any]]
    role: str | None
    role_epoch: int | None  # the access epoch `role` was read at, if not read just now


class _NotTogether(Exception):
    """This batch cannot be applied together after all: apply it change by change."""


def apply_ops_batch(
    *, map_id: uuid.UUID, requests: list[ChangeRequest]
) -> list[AppliedChange | OpError]:
    """Apply several changes to one map, in order, as apply_ops would one after the other;
    the result of each is its AppliedChange or its OpError. Nothing is broadcast (the caller
    publishes). The ways a batch is written are in this module's docstring: when one fails,
    the batch has written nothing and goes the next way."""
    results: list[AppliedChange | OpError | None] = [None] * len(requests)
    prepared: list[_Prepared] = []
    for index, request in enumerate(requests):
        try:
            prepared.append(_prepare(index, request))
        except OpError as error:
            # apply_ops would refuse it first thing, before any effect: order does not matter.
            results[index] = error
    if prepared and _writes_only(prepared):
        # Even a batch of one: its roles are read by the statement that takes the lock.
        written = _write_at_once(map_id, prepared)
        if written is not None:
            for item, applied in zip(prepared, written, strict=True):
                results[item.index] = applied
            prepared = []
        else:
            for item in prepared:  # refused: each alone below, its role as it is now
                item.role = item.role_epoch = None
            _read_roles(map_id, prepared)
    elif len(prepared) > 1:
        _read_roles(map_id, prepared)
        if all(allowed(item.role, item.parsed) for item in prepared):
            try:
                for item, applied in zip(prepared, _apply_together(map_id, prepared), strict=True):
                    results[item.index] = applied
                prepared = []
            except (OpError, IntegrityError, DataError, AlreadyApplied, _NotTogether):
                pass  # rolled back: apply them one by one below
    for item in prepared:
        results[item.index] = _apply_alone(map_id, item)
    return [result for result in results if result is not None]


def _prepare(index: int, request: ChangeRequest) -> _Prepared:
    actor = request.actor
    user = actor if actor is not None and actor.is_authenticated else None
    parsed = parse_ops(request.ops, max_ops=MAX_OPS_PER_CHANGE)
    canonical = [dump_op(op) for op in parsed]
    return _Prepared(index, user, request, parsed, canonical, request.role, request.role_epoch)


def _apply_alone(map_id: uuid.UUID, item: _Prepared) -> AppliedChange | OpError:
    try:
        return apply_ops(
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
        return error


def _writes_only(prepared: list[_Prepared]) -> bool:
    """Whether WRITE_AT_ONCE can take the batch: field writes only, on PostgreSQL, by
    signed-in authors (it reads the roles of users; apply_ops judges the others)."""
    return connection.vendor == "postgresql" and all(
        item.user is not None and all(writes_only(op) for op in item.parsed) for item in prepared
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
    """The batch in one transaction, its ops applied by the ORM as apply_ops applies them,
    the log rows inserted at once."""
    with transaction.atomic():
        journey_map = lock_and_bump(map_id, count=len(prepared))
        if any(item.role_epoch not in (None, journey_map.access_epoch) for item in prepared):
            raise _NotTogether  # access changed since a role was read: each alone, read again
        done = [
            change_ops(
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
            applied_change(journey_map, change, item.role)
            for item, change in zip(prepared, changes, strict=True)
        ]


# The batch as one statement in autocommit, so that PostgreSQL commits it by itself: the
# revision bump, every row's UPDATE and the log rows, as data-modifying WITH clauses.
# - `bump` takes the map's row lock and the batch's revisions. It matches only when every
#   author may edit (MAY_EDIT, one test per author), and returns each author's map role and
#   membership role (AUTHOR_ROLES, what role_of reads), read under the lock: no role query
#   before it, and a revoked role bites at once.
# - Every UPDATE (UPDATE_ROW, one per row) and the log read the map's id from `bump`, so the
#   lock is always taken first.
# - 1 / least(the rows each clause touched) divides by zero when an UPDATE found no row (a
#   row gone, or not of the item kind its fields need): the statement fails and writes
#   nothing. A re-used change id fails on the log's unique (map, change_id).
# The log rows' values are cast to their columns' types, so that the statement can be
# prepared (maps/prepared.py: planning it was 0.4 of the 0.9 ms it took warm).
WRITE_AT_ONCE = """\
WITH bump AS (
    UPDATE maps_journeymap SET revision = revision + %s, updated_at = %s
    WHERE id = %s{may_edit}
    RETURNING id, revision, workspace_id, access_epoch{author_roles}
){updates},
log AS (
    INSERT INTO maps_change (map_id, revision, change_id, actor_id, session, ops, created_at)
    SELECT bump.id, bump.revision - %s::integer + v.n, v.change_id, v.actor_id, v.session,
           v.ops, %s::timestamp with time zone
    FROM bump, (VALUES {log_rows}) AS v (n, change_id, actor_id, session, ops)
    RETURNING 1
)
SELECT bump.*, 1 / least((SELECT count(*) FROM log){touched}) FROM bump"""

# An author may edit through an explicit map role or a workspace membership (role_of takes
# the stronger): parameters are the user's id and EDITING_MAP_ROLES, then the id and
# EDITING_MEMBER_ROLES.
MAY_EDIT = """
      AND (EXISTS (SELECT 1 FROM workspaces_mapaccess
                   WHERE map_id = maps_journeymap.id AND user_id = %s AND role = ANY(%s))
           OR EXISTS (SELECT 1 FROM workspaces_membership
                      WHERE workspace_id = maps_journeymap.workspace_id
                      AND user_id = %s AND role = ANY(%s)))"""

# An author's map role, then membership role; parameters: the user's id, twice.
AUTHOR_ROLES = """,
        (SELECT role FROM workspaces_mapaccess
         WHERE map_id = maps_journeymap.id AND user_id = %s LIMIT 1),
        (SELECT role FROM workspaces_membership
         WHERE workspace_id = maps_journeymap.workspace_id AND user_id = %s LIMIT 1)"""

# One log row: its offset in the batch, change id, author, session and ops.
LOG_ROW = "(%s::integer, %s::uuid, %s::integer, %s::text, %s::jsonb)"

# The roles that may make field writes (editors and up), from the rules of role_of.
EDITING_MAP_ROLES = [role for role in MapRole.values if role_at_least(role, MapRole.EDITOR)]
EDITING_MEMBER_ROLES = [
    role
    for role in Membership.Role.values
    if role_at_least(strongest_role(None, role), MapRole.EDITOR)
]


# One row's UPDATE; parameters: the columns' values, the row's id, then the item kinds it may
# have (a field of an emotion is only an emotion's). Its row must be on the map the bump locked.
UPDATE_ROW = """,
w{n} AS (
    UPDATE {table} SET {sets}
    WHERE id = %s AND map_id = (SELECT id FROM bump){of_kind}
    RETURNING 1
)"""


@functools.lru_cache(maxsize=512)
def _update_row(n: int, table: str, columns: tuple[str, ...], kinds: int) -> str:
    """UPDATE_ROW for one shape of write, made once: `write.rows().update(**write.values)`
    through Django's query compiler was most of a batch's CPU (0.70 → 0.37 ms per change in
    batches of 8). Identifiers come from the models' metadata; every value is a parameter."""
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(column)} = %s" for column in columns)
    of_kind = f" AND kind IN ({', '.join(['%s'] * kinds)})" if kinds else ""
    return UPDATE_ROW.format(n=n, table=quote(table), sets=sets, of_kind=of_kind)


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
        """From the bump's row after the map's id: revision, workspace, epoch, then two
        roles per author (map role, membership role)."""
        roles = {
            author: strongest_role(row[3 + 2 * n], row[4 + 2 * n])
            for n, author in enumerate(authors)
        }
        return cls(int(row[0]) - count, uuid.UUID(str(row[1])), int(row[2]), roles)


def _write_at_once(map_id: uuid.UUID, prepared: list[_Prepared]) -> list[AppliedChange] | None:
    """A batch of field writes as WRITE_AT_ONCE; None when it wrote nothing (an author may
    not edit, a row is gone, an id was used, or two writes to one row cannot be merged).
    The ops read nothing, so they are validated and their UPDATEs built before anything is
    sent.

    A periodic snapshot due within the batch is taken after it, of the document then
    (hooks.snapshot_soon): building a document is ~10 ms, which every hundredth keystroke
    used to wait for with the map locked (the live p99)."""
    # The ops use only the map's id, the hooks its workspace too (set below); every other
    # field is deferred (a read would be a query), and there is no __init__ filling defaults.
    unlocked = JourneyMap.from_db(None, ["id"], [map_id])
    writes: list[Write] = []
    try:
        for item in prepared:
            ctx = Context(map=unlocked, actor=item.user, role=item.role or "", writes=writes)
            for op in item.parsed:
                apply_op(ctx, op)
        updates = _updates(writes)
    except (OpError, _NotTogether):
        return None
    authors = sorted({item.user.pk for item in prepared if item.user is not None})
    sql = WRITE_AT_ONCE.format(
        may_edit=MAY_EDIT * len(authors),
        author_roles=AUTHOR_ROLES * len(authors),
        updates="".join(clause for clause, _ in updates),
        log_rows=", ".join([LOG_ROW] * len(prepared)),
        touched="".join(f", (SELECT count(*) FROM w{n})" for n in range(len(updates))),  # noqa: S608
    )
    now = timezone.now()
    params: list[Any] = [len(prepared), now, str(map_id)]
    for author in authors:
        params += [author, EDITING_MAP_ROLES, author, EDITING_MEMBER_ROLES]
    for author in authors:
        params += [author, author]
    for _, values in updates:
        params += values
    params += [len(prepared), now]
    for offset, item in enumerate(prepared, start=1):
        ops = json.dumps(item.canonical, ensure_ascii=False)
        params += [offset, str(item.request.change_id), _user_id(item), _session(item), ops]
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
    bumped = _Bumped.of(found[1:], len(prepared), authors)  # (the map's id first)
    if hooks.snapshot_due(revision=bumped.base, count=len(prepared)):
        hooks.snapshot_soon(map_id=map_id)
    unlocked.workspace_id = bumped.workspace_id
    return [
        _written(unlocked, bumped, offset, item) for offset, item in enumerate(prepared, start=1)
    ]


def _written(unlocked: JourneyMap, bumped: _Bumped, offset: int, item: _Prepared) -> AppliedChange:
    """A change WRITE_AT_ONCE committed, as apply_ops would have answered it; the apps that
    listen hear of it (after the commit: their receivers act on commit anyway)."""
    user_id = _user_id(item)
    item.role = bumped.roles.get(user_id) if user_id is not None else None
    hooks.after_change(journey_map=unlocked, ops=item.canonical, actor_id=user_id)
    return AppliedChange(
        bumped.base + offset,
        item.request.change_id,
        item.canonical,
        user_id,
        _session(item),
        role=item.role,
        epoch=bumped.epoch,
    )


def _user_id(item: _Prepared) -> int | None:
    return item.user.pk if item.user is not None else None


def _session(item: _Prepared) -> str:
    return item.request.session[:64]  # as the log's column keeps it


Clause = tuple[str, list[Any]]  # a WITH clause's SQL and its parameters


def _updates(writes: list[Write]) -> list[Clause]:
    """Every row's UPDATE_ROW clause. Writes to the same row are merged, later values
    winning, since one statement may not update a row twice."""
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
            # that kind is not the row's, the statement finds no row and the batch goes
            # change by change, which says which change failed.
            kinds = _common_kinds(first.kinds, write.kinds)
            if kinds is None:
                raise _NotTogether  # the same row under exclusive conditions: keep them apart
            first.kinds = kinds
            first.values.update(write.values)
    return [_update_clause(n, write) for n, write in enumerate(merged.values())]


def _common_kinds(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...] | None:
    """The kinds both conditions allow (() allows any); None when no kind satisfies both."""
    if not first or not second:
        return first or second
    common = tuple(kind for kind in first if kind in second)
    return common or None


def _update_clause(n: int, write: Write) -> Clause:
    """A write as its UPDATE_ROW clause, each value converted by its field as
    QuerySet.update does."""
    meta = write.model._meta
    fields = [meta.get_field(name) for name in write.values]
    columns = tuple(field.column for field in fields)
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, write.values.values(), strict=True)
    ]
    params.append(meta.pk.get_db_prep_value(write.pk, connection))
    sql = _update_row(n, meta.db_table, columns, len(write.kinds))
    return sql, [*params, *write.kinds]
