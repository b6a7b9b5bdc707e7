"""A map at any past revision: rebuilt from the op log and the snapshots.

The reducer below applies each logged op to an in-memory document exactly as the database
handlers in maps/ops.py do (cascades included), so a past revision is "nearest snapshot at
or before it, plus a replay of the changes after it". Snapshots (`Version` rows without a
name) are taken every SNAPSHOT_EVERY revisions by `snapshot_if_due`, which `apply_ops` calls
with the map row locked, so a rebuild replays fewer than SNAPSHOT_EVERY changes.
tests/maps/test_revisions.py proves reducer and database agree at every revision.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from maps.item_schema import (
    ITEM_BLANK,
    ITEM_COMMON,
    ITEM_DEFAULTS,
    ITEM_FIELDS_OF_KIND,
    NULLABLE_ATTRIBUTES,
)
from maps.mentions import mentioned_usernames
from maps.models import Change, JourneyMap, Version, item_kind_for_lane
from maps.services import map_document, persona_summary
from personas.models import Persona

SNAPSHOT_EVERY = 100
MAP_FIELDS = (
    "title",
    "objective",
    "type",
    "audience",
    "scenario",
    "status",
    "language",
    "next_review",
)
# Fields an op may clear with null: an item's (maps/item_schema.py) and a stage's
# sub-journey (maps.ops.StageFields); others become "".
NULLABLE = NULLABLE_ATTRIBUTES | {"subjourney"}


class RevisionError(Exception):
    """A revision that does not exist (before 0 or after the map's current one)."""


class State:
    """A map document held as ordered dicts by id, cheap to change one op at a time."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.fields = {name: document[name] for name in MAP_FIELDS}
        self.personas = [p["id"] for p in document["personas"]]
        self.stages = {s["id"]: dict(s) for s in document["stages"]}
        self.lanes = {lane["id"]: dict(lane) for lane in document["lanes"]}
        self.items = {i["id"]: dict(i) for i in document["items"]}
        self.links = {link["id"]: dict(link) for link in document["links"]}
        self.comments = {c["id"]: copy.deepcopy(c) for c in document["comments"]}

    # Cascades, as the foreign keys in maps/models.py declare them.
    def drop_item(self, item_id: str) -> None:
        self.items.pop(item_id, None)
        for link_id in [k for k, v in self.links.items() if item_id in (v["source"], v["target"])]:
            del self.links[link_id]
        for comment_id in [k for k, v in self.comments.items() if v["item"] == item_id]:
            self.drop_comment(comment_id)
        for item in self.items.values():
            if item.get("fixes") == item_id:
                item["fixes"] = None

    def drop_comment(self, comment_id: str) -> None:
        if self.comments.pop(comment_id, None) is None:
            return
        for reply_id in [k for k, v in self.comments.items() if v["parent"] == comment_id]:
            self.drop_comment(reply_id)

    def drop_stage(self, stage_id: str) -> None:
        del self.stages[stage_id]
        for item_id in [k for k, v in self.items.items() if v["stage"] == stage_id]:
            self.drop_item(item_id)
        for comment_id in [k for k, v in self.comments.items() if v["stage"] == stage_id]:
            self.drop_comment(comment_id)

    def drop_lane(self, lane_id: str) -> None:
        del self.lanes[lane_id]
        for item_id in [k for k, v in self.items.items() if v["lane"] == lane_id]:
            self.drop_item(item_id)


def _blank_nulls(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None and k not in NULLABLE else v) for k, v in values.items()}


def _author(actor: int | None, users: dict[int, Any]) -> dict[str, Any]:
    user = users.get(actor) if actor is not None else None
    if user is None:
        return {"id": None, "username": None, "name": ""}
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return {"id": user.pk, "username": user.username, "name": full or user.username}


def reduce_op(
    state: State, op: dict[str, Any], *, actor: int | None, users: dict[int, Any], when: str = ""
) -> None:
    """Apply one logged (already validated and applied) op to the in-memory document."""
    kind, _, verb = op["type"].partition(".")
    if kind == "map":
        for name, value in op["fields"].items():
            state.fields[name] = (
                "" if value is None and name in {"objective", "scenario"} else value
            )
    elif kind == "persona":
        if verb == "attach" and op["persona"] not in state.personas:
            state.personas.append(op["persona"])
        elif verb == "detach" and op["persona"] in state.personas:
            state.personas.remove(op["persona"])
    elif kind in {"stage", "lane"}:
        _reduce_column(state, kind, verb, op)
    elif kind == "item":
        _reduce_item(state, verb, op)
    elif kind == "link":
        if verb == "create":
            state.links[op["id"]] = {
                "id": op["id"],
                "source": op["source"],
                "target": op["target"],
                "label": op.get("label", ""),
            }
        else:
            state.links.pop(op["id"], None)
    elif kind == "comment":
        _reduce_comment(state, verb, op, actor=actor, users=users, when=when)


def _reduce_column(state: State, kind: str, verb: str, op: dict[str, Any]) -> None:
    rows = state.stages if kind == "stage" else state.lanes
    if verb == "create":
        if kind == "stage":
            row = {
                "id": op["id"],
                "name": op["name"],
                "description": op.get("description", ""),
                "phase": op.get("phase", ""),
                "color": op.get("color", ""),
                "position": op["position"],
                "subjourney": op.get("subjourney"),
            }
        else:
            row = {
                "id": op["id"],
                "kind": op["kind"],
                "title": op["title"],
                "description": op.get("description", ""),
                "collapsed": op.get("collapsed", False),
                "position": op["position"],
            }
        rows[op["id"]] = row
    elif verb == "update":
        rows[op["id"]].update(_blank_nulls(op["fields"]))
    elif verb == "move":
        rows[op["id"]]["position"] = op["position"]
    elif kind == "stage":
        state.drop_stage(op["id"])
    else:
        state.drop_lane(op["id"])


def _reduce_item(state: State, verb: str, op: dict[str, Any]) -> None:
    if verb == "create":
        kind = str(item_kind_for_lane(state.lanes[op["lane"]]["kind"]))
        given = {
            k: v for k, v in op.items() if k not in {"type", "id", "lane", "stage", "position"}
        }
        full = ITEM_BLANK | ITEM_DEFAULTS.get(kind, {}) | _blank_nulls(given)
        full |= {
            "id": op["id"],
            "lane": op["lane"],
            "stage": op["stage"],
            "kind": kind,
            "position": op["position"],
        }
        state.items[op["id"]] = {key: full[key] for key in ITEM_COMMON + ITEM_FIELDS_OF_KIND[kind]}
    elif verb == "update":
        state.items[op["id"]].update(_blank_nulls(op["fields"]))
    elif verb == "move":
        item = state.items[op["id"]]
        item["position"] = op["position"]
        for key in ("lane", "stage"):
            if op.get(key) is not None:
                item[key] = op[key]
    else:
        state.drop_item(op["id"])


def _reduce_comment(
    state: State,
    verb: str,
    op: dict[str, Any],
    *,
    actor: int | None,
    users: dict[int, Any],
    when: str,
) -> None:
    if verb == "create":
        item, stage, parent = op.get("item"), op.get("stage"), op.get("parent")
        if parent is not None:
            parent_row = state.comments[parent]
            item, stage = parent_row["item"], parent_row["stage"]
            parent = parent_row["parent"] or parent
        state.comments[op["id"]] = {
            "id": op["id"],
            "item": item,
            "stage": stage,
            "parent": parent,
            "author": _author(actor, users),
            "text": op["text"],
            "mentions": mentioned_usernames(op["text"]),
            "resolved": False,
            "created": when,
            "updated": when,
        }
    elif verb == "update":
        comment = state.comments[op["id"]]
        comment.update(text=op["text"], mentions=mentioned_usernames(op["text"]), updated=when)
    elif verb == "resolve":
        state.comments[op["id"]].update(resolved=op.get("resolved", True), updated=when)
    else:
        state.drop_comment(op["id"])


def _by_position(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["position"], row["id"]))


def render(state: State, *, journey_map: JourneyMap, revision: int, updated: str) -> dict[str, Any]:
    """The document in map_document's shape (personas as they are now)."""
    personas = Persona.objects.filter(pk__in=state.personas)
    return {
        "id": str(journey_map.pk),
        "workspace": str(journey_map.workspace_id),
        **copy.deepcopy(state.fields),
        "template": journey_map.template,
        "current_state": str(journey_map.current_state_id)
        if journey_map.current_state_id
        else None,
        "revision": revision,
        "created": journey_map.created_at.isoformat(),
        "updated": updated,
        "personas": [persona_summary(p) for p in personas],
        "stages": _by_position(copy.deepcopy(list(state.stages.values()))),
        "lanes": _by_position(copy.deepcopy(list(state.lanes.values()))),
        "items": _by_position(copy.deepcopy(list(state.items.values()))),
        "links": copy.deepcopy(list(state.links.values())),
        "comments": copy.deepcopy(list(state.comments.values())),
    }


def users_by_id(ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=wanted)} if wanted else {}


def _empty_document(journey_map: JourneyMap) -> dict[str, Any]:
    # Only for maps created before snapshots existed: their revision 0 is not recorded, so
    # the map's fields start from today's and the content from nothing.
    document: dict[str, Any] = dict(map_document(journey_map=journey_map))
    for key in ("personas", "stages", "lanes", "items", "links", "comments"):
        document[key] = []
    return document


def base_for(journey_map: JourneyMap, revision: int) -> tuple[int, dict[str, Any]]:
    """The nearest snapshot at or before `revision`: (its revision, its document)."""
    snapshot = (
        Version.objects.filter(map=journey_map, revision__lte=revision)
        .order_by("-revision")
        .values("revision", "document")
        .first()
    )
    if snapshot is None:
        return 0, _empty_document(journey_map)
    return snapshot["revision"], snapshot["document"]


def replay(state: State, changes: Iterable[dict[str, Any]], users: dict[int, Any]) -> None:
    for change in changes:
        when = change["created_at"].isoformat()
        for op in change["ops"]:
            reduce_op(state, op, actor=change["actor_id"], users=users, when=when)


def document_at(*, journey_map: JourneyMap, revision: int) -> dict[str, Any]:
    """The map document as it was right after `revision` was applied."""
    if revision < 0 or revision > journey_map.revision:
        raise RevisionError(f"revision must be between 0 and {journey_map.revision}")
    if revision == journey_map.revision:
        return dict(map_document(journey_map=journey_map))
    base_revision, base = base_for(journey_map, revision)
    if base_revision == revision:
        return base
    changes: list[dict[str, Any]] = list(
        Change.objects.filter(map=journey_map, revision__gt=base_revision, revision__lte=revision)
        .order_by("revision")
        .values("revision", "actor_id", "ops", "created_at")  # type: ignore[arg-type]
    )
    state = State(base)
    replay(state, changes, users_by_id(c["actor_id"] for c in changes))
    updated = changes[-1]["created_at"].isoformat() if changes else base["updated"]
    return render(state, journey_map=journey_map, revision=revision, updated=updated)


def snapshot_due(*, revision: int, count: int) -> bool:
    """Whether changes revision+1 … revision+count take a snapshot before one of them."""
    return any(r % SNAPSHOT_EVERY == 0 for r in range(revision, revision + count))


def snapshot_if_due(*, journey_map: JourneyMap) -> None:
    """Record the document every SNAPSHOT_EVERY revisions (0 included), before the next change.

    Called by apply_ops inside its transaction with the map row locked, so the snapshot is
    exactly the document at `journey_map.revision`.
    """
    revision = journey_map.revision
    if revision % SNAPSHOT_EVERY:
        return
    if Version.objects.filter(map=journey_map, revision=revision, name="").exists():
        return
    Version.objects.create(
        map=journey_map, revision=revision, document=map_document(journey_map=journey_map)
    )


def snapshot_take(*, map_id: Any) -> None:
    """The periodic snapshot of a map whose live field writes crossed a SNAPSHOT_EVERY
    revision without stopping for one (maps.live_writes.WRITE_AT_ONCE): the document as it is
    now, at whatever revision that is, unless one was taken since that crossing. Read in one
    REPEATABLE READ transaction, so document and revision agree without locking the map: the
    changes go on meanwhile."""
    alone = not connection.in_atomic_block  # in a caller's (tests), the caller's isolation
    with transaction.atomic():
        if alone and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        journey_map = JourneyMap.objects.filter(pk=map_id).first()
        if journey_map is None:
            return  # deleted meanwhile
        crossed = journey_map.revision - journey_map.revision % SNAPSHOT_EVERY
        taken = Version.objects.filter(map=journey_map, name="", revision__gte=crossed)
        if taken.exists():
            return
        Version.objects.create(
            map=journey_map,
            revision=journey_map.revision,
            document=map_document(journey_map=journey_map),
        )
