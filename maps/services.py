"""Work on maps that crosses models or has side effects.

`apply_ops` is the one path every change to map content takes (DESIGN.md).
"""

from __future__ import annotations

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

from maps import change_hooks
from maps.models import Change, Comment, Item, JourneyMap, Lane, Link, Stage
from maps.ops import COMMENT_OPS, MAX_OPS_PER_CHANGE, Context, OpError, apply_op, dump_op, parse_ops
from workspaces.models import MapRole, role_at_least

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

    def message(self) -> dict[str, Any]:
        """The `change` message of PROTOCOL.md."""
        return {
            "type": "change",
            "revision": self.revision,
            "id": str(self.change_id),
            "ops": self.ops,
            "actor": {"session": self.session, "user": self.actor_id},
        }


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
    max_ops: int = MAX_OPS_PER_CHANGE,
    announce: bool = True,
) -> AppliedChange:
    """Validate, authorize and apply one change atomically; broadcast it after commit.

    A socket consumer passes `announce=False` and sends `group_event(...)` from its event
    loop once this returns (also after commit): broadcasting from here would hold the one
    database thread of the process while the event loop publishes.

    `role` is the caller's role if already known (a socket resolves it once); otherwise it
    is read from the database. A change id already applied with the same ops returns the
    first result again; with different ops it is rejected.

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
            applied = _apply_locked(map_id, user, change_id, parsed, canonical, session, role)
            if announce:
                group = f"map.{map_id}"
                transaction.on_commit(lambda: broadcast(group=group, message=applied.message()))
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


def _lock_and_bump(map_id: uuid.UUID) -> JourneyMap:
    """Take the map's row lock and its next revision in one statement (UPDATE … RETURNING);
    the instance returned holds the revision *before* the change."""
    meta = JourneyMap._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in meta.concrete_fields)
    # Identifiers come from the model's metadata, values are parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('revision')} = {quote('revision')} + 1, "  # noqa: S608
        f"{quote('updated_at')} = %s WHERE {quote('id')} = %s RETURNING {columns}"
    )
    pk = JourneyMap._meta.pk
    assert pk is not None
    found = list(
        JourneyMap.objects.raw(sql, [timezone.now(), pk.get_db_prep_value(map_id, connection)])
    )
    if not found:
        raise OpError("not_found", "this map does not exist")
    journey_map = found[0]
    journey_map.revision -= 1
    return journey_map


def _apply_locked(
    map_id: uuid.UUID,
    user: User | None,
    change_id: uuid.UUID,
    parsed: list[Any],
    canonical: list[dict[str, Any]],
    session: str,
    role: str | None,
) -> AppliedChange:
    journey_map = _lock_and_bump(map_id)
    _authorize(role, parsed)
    change_hooks.before_change(journey_map=journey_map)
    ctx = Context(map=journey_map, actor=user, role=role or "")
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
    if ctx.map_fields:
        journey_map.save(update_fields=sorted(ctx.map_fields))
    try:
        Change.objects.create(
            map=journey_map,
            revision=journey_map.revision,
            change_id=change_id,
            actor=user,
            session=session[:64],
            ops=canonical,
        )
    except IntegrityError:
        # The id is in the log (a re-send racing its first copy): the whole change rolls
        # back and apply_ops answers with the logged one.
        raise _AlreadyApplied from None
    applied = AppliedChange(
        journey_map.revision, change_id, canonical, user.pk if user else None, session, role=role
    )
    change_hooks.after_change(journey_map=journey_map, ops=canonical, actor_id=applied.actor_id)
    return applied


def group_event(message: dict[str, Any]) -> dict[str, Any]:
    """A server message as the channel-layer event every socket of the map forwards as is."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return {"type": "map.message", "text": text, "revision": message.get("revision")}


def broadcast(*, group: str, message: dict[str, Any]) -> None:
    """Send a server message to every socket on a map. Serialised once, fanned out as text."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, group_event(message))
    except Exception:
        # The change is committed; sockets that miss it repair the gap from the op log.
        logger.exception("broadcast to %s failed", group)


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Fractional-index keys compare as plain ASCII strings; ties by id (PROTOCOL.md).
    # Sorting here keeps the order independent of the database collation.
    return sorted(rows, key=lambda row: (row["position"], str(row["id"])))


STAGE_FIELDS = ("id", "name", "description", "phase", "color", "position")
LANE_FIELDS = ("id", "kind", "title", "description", "collapsed", "position")
ITEM_COMMON = ("id", "lane", "stage", "kind", "position", "text", "color", "evidence", "source")
ITEM_FIELDS_OF_KIND = {
    "card": (),
    "touchpoint": ("channel", "online", "owner", "impact", "importance", "phase"),
    "emotion": ("score", "note", "persona", "variant"),
    "metric": ("name", "value", "target", "unit", "trend"),
    "action": ("owner", "due", "status", "fixes"),
}
ITEM_COLUMNS = (
    *ITEM_COMMON,
    "channel",
    "online",
    "owner",
    "impact",
    "importance",
    "phase",
    "score",
    "note",
    "persona",
    "variant",
    "name",
    "value",
    "target",
    "unit",
    "trend",
    "due",
    "status",
    "fixes",
)


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
        stage["id"] = str(stage["id"])
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
