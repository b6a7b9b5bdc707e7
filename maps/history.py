"""A map's past: rebuild any revision from the op log, compare two, restore one.

The reducer below applies each logged op to an in-memory document exactly as the database
handlers in maps/ops.py do (cascades included), so a past revision is "nearest snapshot at
or before it, plus a replay of the changes after it". Snapshots (`Version` rows without a
name) are taken every SNAPSHOT_EVERY revisions by `snapshot_if_due`, which `apply_ops` calls
with the map row locked, so a rebuild replays fewer than SNAPSHOT_EVERY changes.
tests/maps/test_history.py proves reducer and database agree at every revision.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from maps.mentions import mentioned_usernames
from maps.models import Change, JourneyMap, Version, item_kind_for_lane
from maps.services import ITEM_COMMON, ITEM_FIELDS_OF_KIND, map_document, persona_summary
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
# Attributes an op may clear with null (maps.ops.NULLABLE_ATTRIBUTES); others become "".
NULLABLE = {"online", "impact", "importance", "score", "persona", "value", "target", "due", "fixes"}
ITEM_BLANK: dict[str, Any] = {
    "text": "",
    "color": "",
    "evidence": "assumption",
    "source": "",
    "channel": "",
    "online": None,
    "owner": "",
    "impact": None,
    "importance": None,
    "phase": "",
    "score": None,
    "note": "",
    "persona": None,
    "variant": "",
    "name": "",
    "value": None,
    "target": None,
    "unit": "",
    "trend": "",
    "due": None,
    "status": "",
    "fixes": None,
}
ITEM_DEFAULTS: dict[str, dict[str, Any]] = {
    "emotion": {"score": 0, "variant": "as_is"},
    "action": {"status": "todo"},
}


class HistoryError(Exception):
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


def _users(ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=wanted)} if wanted else {}


def _empty_document(journey_map: JourneyMap) -> dict[str, Any]:
    # Only for maps created before snapshots existed: their revision 0 is not recorded, so
    # the map's fields start from today's and the content from nothing.
    document = map_document(journey_map=journey_map)
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
        raise HistoryError(f"revision must be between 0 and {journey_map.revision}")
    if revision == journey_map.revision:
        return map_document(journey_map=journey_map)
    base_revision, base = base_for(journey_map, revision)
    if base_revision == revision:
        return base
    changes: list[dict[str, Any]] = list(
        Change.objects.filter(map=journey_map, revision__gt=base_revision, revision__lte=revision)
        .order_by("revision")
        .values("revision", "actor_id", "ops", "created_at")  # type: ignore[arg-type]
    )
    state = State(base)
    replay(state, changes, _users(c["actor_id"] for c in changes))
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


def version_create(*, journey_map: JourneyMap, name: str, actor: Any) -> Version:
    """Name the map's current revision; its document doubles as a snapshot."""
    return Version.objects.create(
        map=journey_map,
        revision=journey_map.revision,
        name=name,
        created_by=actor,
        document=map_document(journey_map=journey_map),
    )


# --- compare and restore --------------------------------------------------------------

COMPARED = {"stages": "stage", "lanes": "lane", "items": "item", "links": "link"}


def document_compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What `new` added, removed and changed relative to `old`, per kind of content."""
    result: dict[str, Any] = {
        "map": sorted(k for k in MAP_FIELDS if old.get(k) != new.get(k)),
        "personas": {
            "added": sorted(
                {p["id"] for p in new["personas"]} - {p["id"] for p in old["personas"]}
            ),
            "removed": sorted(
                {p["id"] for p in old["personas"]} - {p["id"] for p in new["personas"]}
            ),
        },
    }
    for key in COMPARED:
        before = {row["id"]: row for row in old[key]}
        after = {row["id"]: row for row in new[key]}
        changed = []
        for row_id in before.keys() & after.keys():
            fields = sorted(
                f
                for f in before[row_id].keys() | after[row_id].keys()
                if before[row_id].get(f) != after[row_id].get(f)
            )
            if fields:
                changed.append(
                    {
                        "id": row_id,
                        "fields": fields,
                        "before": before[row_id],
                        "after": after[row_id],
                    }
                )
        result[key] = {
            "added": [after[i] for i in after if i not in before],
            "removed": [before[i] for i in before if i not in after],
            "changed": sorted(changed, key=lambda c: c["id"]),
        }
    return result


def _fields_diff(old: dict[str, Any], new: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: old[name] for name in names if old.get(name) != new.get(name)}


def restore_ops(*, current: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """The ops that turn the `current` document's content into `target`'s.

    Content is the map's fields, personas, stages, lanes, items and links; objects come back
    with their old ids. Comments are conversation, not content: they stay, except those on
    objects the restore removes. Order matters: new columns before the items that need them,
    items moved out of a column before it is deleted, links after both their ends exist.
    """
    ops: list[dict[str, Any]] = []
    fields = _fields_diff(target, current, MAP_FIELDS)
    if fields:
        ops.append({"type": "map.update", "fields": fields})
    current_personas = {p["id"] for p in current["personas"]}
    target_personas = [p["id"] for p in target["personas"]]
    needed = set(target_personas) | {i["persona"] for i in target["items"] if i.get("persona")}
    ops += [{"type": "persona.attach", "persona": p} for p in sorted(needed - current_personas)]
    for key, kind, editable in (
        ("stages", "stage", ("name", "description", "phase", "color")),
        ("lanes", "lane", ("title", "description", "collapsed")),
    ):
        now = {row["id"]: row for row in current[key]}
        for row in target[key]:
            if row["id"] not in now:
                ops.append({"type": f"{kind}.create", **row})
                continue
            changed = _fields_diff(row, now[row["id"]], editable)
            if changed:
                ops.append({"type": f"{kind}.update", "id": row["id"], "fields": changed})
            if row["position"] != now[row["id"]]["position"]:
                ops.append({"type": f"{kind}.move", "id": row["id"], "position": row["position"]})
    ops += _item_ops(current, target)
    target_links = {link["id"]: link for link in target["links"]}
    for link in current["links"]:
        if link["id"] not in target_links or link != target_links[link["id"]]:
            ops.append({"type": "link.delete", "id": link["id"]})
    target_items = {i["id"] for i in target["items"]}
    ops += [
        {"type": "item.delete", "id": i["id"]}
        for i in current["items"]
        if i["id"] not in target_items
    ]
    for key, kind in (("stages", "stage"), ("lanes", "lane")):
        keep = {row["id"] for row in target[key]}
        ops += [
            {"type": f"{kind}.delete", "id": row["id"]}
            for row in current[key]
            if row["id"] not in keep
        ]
    current_links = {link["id"]: link for link in current["links"]}
    ops += [
        {"type": "link.create", **link}
        for link in target["links"]
        if current_links.get(link["id"]) != link
    ]
    ops += [
        {"type": "persona.detach", "persona": p}
        for p in sorted((current_personas | needed) - set(target_personas))
    ]
    return ops


def _item_ops(current: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    now = {item["id"]: item for item in current["items"]}
    ops: list[dict[str, Any]] = []
    fixes: list[dict[str, Any]] = []
    for item in target["items"]:
        attributes = [k for k in item if k not in {"id", "lane", "stage", "kind", "position"}]
        existing = now.get(item["id"])
        if existing is None:
            values = {k: item[k] for k in attributes if k != "fixes"}
            ops.append(
                {
                    "type": "item.create",
                    "id": item["id"],
                    "lane": item["lane"],
                    "stage": item["stage"],
                    "position": item["position"],
                    **values,
                }
            )
            if item.get("fixes"):
                fixes.append(
                    {"type": "item.update", "id": item["id"], "fields": {"fixes": item["fixes"]}}
                )
            continue
        if any(existing[k] != item[k] for k in ("lane", "stage", "position")):
            ops.append(
                {
                    "type": "item.move",
                    "id": item["id"],
                    "position": item["position"],
                    "lane": item["lane"],
                    "stage": item["stage"],
                }
            )
        changed = _fields_diff(item, existing, attributes)
        if "fixes" in changed:
            fixes.append(
                {"type": "item.update", "id": item["id"], "fields": {"fixes": changed.pop("fixes")}}
            )
        if changed:
            ops.append({"type": "item.update", "id": item["id"], "fields": changed})
    return ops + fixes


def map_restore(*, journey_map: JourneyMap, actor: Any, revision: int, role: str) -> int:
    """Bring the map back to `revision` as one new change; returns the new revision.

    The change goes through apply_ops like any other, so every open editor follows it live.
    """
    from maps.services import apply_ops

    with transaction.atomic():
        # Lock first so the ops are computed against the document they will be applied to.
        locked = JourneyMap.objects.select_for_update().get(pk=journey_map.pk)
        target = document_at(journey_map=locked, revision=revision)
        alive = {
            str(pk)
            for pk in Persona.objects.filter(workspace_id=locked.workspace_id).values_list(
                "pk", flat=True
            )
        }
        for item in target["items"]:
            if item.get("persona") and item["persona"] not in alive:
                item["persona"] = None  # deleted since: the database forgot it too
        current = map_document(journey_map=locked)
        ops = restore_ops(current=current, target=target)
        if not ops:
            return locked.revision
        applied = apply_ops(
            map_id=locked.pk,
            actor=actor,
            change_id=uuid.uuid4(),
            ops=ops,
            role=role,
            max_ops=len(ops),
            session=f"restore:{revision}",
        )
    return applied.revision
