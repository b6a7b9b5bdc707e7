"""The ops of docs/protocol.md as pydantic models, and how each one changes the database.

`maps.services.apply_ops` is the only caller: it validates a change with `parse_change`,
locks the map, and hands each op to `apply_op`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from maps.item_schema import (
    ATTRIBUTES_OF_KIND,
    ITEM_DEFAULTS,
    NULL_REFUSED,
    NULLABLE_ATTRIBUTES,
    ItemAttributes,
    limit_of,
)
from maps.models import (
    ActionStatus,
    Audience,
    Comment,
    Item,
    ItemKind,
    JourneyMap,
    Lane,
    LaneKind,
    Language,
    Link,
    MapStatus,
    MapType,
    OpportunityStatus,
    Phase,
    Stage,
    item_kind_for_lane,
)
from maps.op_values import Color, Flag, Id, Name, Position, Text
from maps.subjourneys import reaches, subjourney_edges
from personas.models import Persona
from touchpoints.catalog import CHANNELS_BY_KEY
from workspaces.models import MapRole

# Limits a change must stay within (documented in docs/api.md).
MAX_OPS_PER_CHANGE = 2000
MAX_STAGES = 100
MAX_LANES = 60
MAX_ITEMS = 5000


class OpError(Exception):
    """A change that cannot be applied; `op` is the index of the failing op, if any."""

    def __init__(self, code: str, message: str, op: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.op = op


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def not_empty(self) -> Fields:
        if not self.model_fields_set:
            raise ValueError("fields must name at least one field")
        return self


class Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MapFields(Fields):
    title: Annotated[str, Text(200, min_length=1)] | None = None
    objective: Annotated[str, Text(4000)] | None = None
    type: MapType | None = None
    audience: Audience | None = None
    scenario: Annotated[str, Text(4000)] | None = None
    status: MapStatus | None = None
    language: Language | None = None
    next_review: dt.date | None = None


class MapUpdate(Op):
    type: Literal["map.update"]
    fields: MapFields


class PersonaAttach(Op):
    type: Literal["persona.attach"]
    persona: Id


class PersonaDetach(Op):
    type: Literal["persona.detach"]
    persona: Id


class StageFields(Fields):
    name: Name | None = None
    description: Annotated[str, Text(2000)] | None = None
    phase: Phase | Literal[""] | None = None
    color: Color | None = None
    subjourney: Id | None = None  # a map of the workspace detailing the stage; null unlinks


class StageCreate(Op):
    type: Literal["stage.create"]
    id: Id
    name: Name
    position: Position
    description: Annotated[str, Text(2000)] = ""
    phase: Phase | Literal[""] = ""
    color: Color = ""
    subjourney: Id | None = None


class StageUpdate(Op):
    type: Literal["stage.update"]
    id: Id
    fields: StageFields


class LaneFields(Fields):
    title: Name | None = None
    description: Annotated[str, Text(500)] | None = None
    collapsed: Flag | None = None


class LaneCreate(Op):
    type: Literal["lane.create"]
    id: Id
    kind: LaneKind
    title: Name
    position: Position
    description: Annotated[str, Text(500)] = ""
    collapsed: Flag = False


class LaneUpdate(Op):
    type: Literal["lane.update"]
    id: Id
    fields: LaneFields


class Move(Op):
    id: Id
    position: Position


class StageMove(Move):
    type: Literal["stage.move"]


class LaneMove(Move):
    type: Literal["lane.move"]


class Delete(Op):
    id: Id


class StageDelete(Delete):
    type: Literal["stage.delete"]


class LaneDelete(Delete):
    type: Literal["lane.delete"]


class ItemCreate(ItemAttributes):
    type: Literal["item.create"]
    id: Id
    lane: Id
    stage: Id
    position: Position
    text: Annotated[str, Text(limit_of("text"))] = ""  # unlike an update, never null


class ItemFields(ItemAttributes, Fields):
    pass


class ItemUpdate(Op):
    type: Literal["item.update"]
    id: Id
    fields: ItemFields


class ItemMove(Op):
    type: Literal["item.move"]
    id: Id
    position: Position
    lane: Id | None = None
    stage: Id | None = None


class ItemDelete(Delete):
    type: Literal["item.delete"]


class LinkCreate(Op):
    type: Literal["link.create"]
    id: Id
    source: Id
    target: Id
    label: Annotated[str, Text(120)] = ""


class LinkDelete(Delete):
    type: Literal["link.delete"]


class CommentCreate(Op):
    type: Literal["comment.create"]
    id: Id
    item: Id | None = None
    stage: Id | None = None
    parent: Id | None = None
    text: Annotated[str, Text(4000, min_length=1)]

    @model_validator(mode="after")
    def one_target(self) -> CommentCreate:
        if (self.item is None) == (self.stage is None) and self.parent is None:
            raise ValueError("a comment needs exactly one of item or stage")
        return self


class CommentUpdate(Op):
    type: Literal["comment.update"]
    id: Id
    text: Annotated[str, Text(4000, min_length=1)]


class CommentResolve(Op):
    type: Literal["comment.resolve"]
    id: Id
    resolved: Flag = True


class CommentDelete(Delete):
    type: Literal["comment.delete"]


AnyOp = Annotated[
    MapUpdate
    | PersonaAttach
    | PersonaDetach
    | StageCreate
    | StageUpdate
    | StageMove
    | StageDelete
    | LaneCreate
    | LaneUpdate
    | LaneMove
    | LaneDelete
    | ItemCreate
    | ItemUpdate
    | ItemMove
    | ItemDelete
    | LinkCreate
    | LinkDelete
    | CommentCreate
    | CommentUpdate
    | CommentResolve
    | CommentDelete,
    Field(discriminator="type"),
]
OP_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyOp)
OP_TYPES = sorted(
    model.model_fields["type"].annotation.__args__[0]
    for model in AnyOp.__origin__.__args__  # type: ignore[attr-defined]
)
COMMENT_OPS = {"comment.create", "comment.update", "comment.resolve", "comment.delete"}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    # The first part of the location is the op's type (the union tag): the message names it.
    parts = [str(part) for part in first["loc"][1:] if not str(part).startswith("function-")]
    where = ".".join(parts)
    if first["type"] == "union_tag_invalid":
        return f"unknown op type {first['input'].get('type')!r}; known: {', '.join(OP_TYPES)}"
    if first["type"] == "union_tag_not_found":
        return "op has no 'type'"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def parse_ops(raw_ops: Any, *, max_ops: int = MAX_OPS_PER_CHANGE) -> list[Op]:
    if not isinstance(raw_ops, list) or not raw_ops:
        raise OpError("bad_message", "'ops' must be a non-empty list of ops")
    if len(raw_ops) > max_ops:
        raise OpError("too_large", f"a change may hold at most {max_ops} ops")
    parsed: list[Op] = []
    for index, raw in enumerate(raw_ops):
        if not isinstance(raw, dict):
            raise OpError("invalid_op", "each op must be a JSON object", index)
        try:
            parsed.append(OP_ADAPTER.validate_python(raw))
        except ValidationError as error:
            raise OpError("invalid_op", _describe(error), index) from None
    return parsed


def dump_op(op: Op) -> dict[str, Any]:
    """The canonical JSON form of an op: what the log keeps and the sockets receive."""
    return op.model_dump(mode="json", exclude_unset=True) | {"type": op.type}  # type: ignore[attr-defined]


@dataclass
class Context:
    map: JourneyMap
    actor: User | None
    role: str
    counts: dict[str, int] = field(default_factory=dict)
    map_fields: set[str] = field(default_factory=set)  # map columns a map.update changed
    # A batch of field writes (maps/services.py): the UPDATEs are kept here, to be written in
    # one statement with the batch's others, instead of being run one by one.
    writes: list[Write] | None = None
    # Lanes and stages read or created by this change, so that a change creating hundreds of
    # items (an import, a template) reads each parent once; dropped by any other lane or
    # stage op, which may change or delete one.
    parents: dict[uuid.UUID, Any] = field(default_factory=dict)
    # Of the item ids this change creates, those already taken before it (one query for the
    # whole change, see `items_taken_preload`); None: check each id with its own query.
    items_taken: set[uuid.UUID] | None = None


@dataclass
class Write:
    """One row's field values an op sets: the row with this id on this map (and, for an
    item, of one of the `kinds` that have every field set)."""

    model: type[Any]
    pk: uuid.UUID
    map_id: uuid.UUID
    values: dict[str, Any]
    kinds: tuple[str, ...] = ()

    def rows(self) -> Any:
        rows = self.model.objects.filter(pk=self.pk, map_id=self.map_id)
        return rows.filter(kind__in=self.kinds) if self.kinds else rows


def writes_only(op: Op) -> bool:
    """Whether an op only sets fields of one existing row of the map and reads nothing: such
    ops can be prepared before the map's lock is taken and written together with others."""
    kind = op.type  # type: ignore[attr-defined]
    if kind in ("stage.move", "lane.move"):
        return True
    if kind in ("stage.update", "lane.update", "item.update"):
        names: set[str] = op.fields.model_fields_set  # type: ignore[attr-defined]
        # An item's persona and fixes, a stage's sub-journey, are checked against other rows.
        return bool(names) and not names & {"persona", "fixes", "subjourney"}
    return False


def _write(ctx: Context, write: Write) -> bool:
    """Run the UPDATE now and say whether it found its row; in a batch of field writes, keep
    it for the batch's one statement, which checks every row was found."""
    if ctx.writes is not None:
        ctx.writes.append(write)
        return True
    return bool(write.rows().update(**write.values))


def _get(model: type[Any], ctx: Context, object_id: uuid.UUID, label: str) -> Any:
    try:
        return model.objects.get(pk=object_id, map=ctx.map)
    except model.DoesNotExist:
        raise OpError("not_found", f"{label} {object_id} does not exist") from None


def _update(
    model: type[Any], ctx: Context, object_id: uuid.UUID, label: str, **values: Any
) -> None:
    """Write fields of one row of this map in one statement (no read first: this is the
    commonest op of live editing); not_found when no such row is on the map."""
    write = Write(model, object_id, ctx.map.pk, values)
    found = _write(ctx, write) if values else write.rows().exists()
    if not found:
        raise OpError("not_found", f"{label} {object_id} does not exist")


def _parent(model: type[Any], ctx: Context, object_id: uuid.UUID, label: str) -> Any:
    row = ctx.parents.get(object_id)
    if not isinstance(row, model):
        row = ctx.parents[object_id] = _get(model, ctx, object_id, label)
    return row


def _ensure_new(model: type[Any], object_id: uuid.UUID, label: str) -> None:
    if model.objects.filter(pk=object_id).exists():
        raise OpError("invalid_op", f"{label} id {object_id} is already used")


def _ensure_new_item(ctx: Context, object_id: uuid.UUID) -> None:
    if ctx.items_taken is None:
        _ensure_new(Item, object_id, "item")
    elif object_id in ctx.items_taken:
        raise OpError("invalid_op", f"item id {object_id} is already used")
    else:
        ctx.items_taken.add(object_id)


# Below this many item.create ops a change checks each id on its own (live editing: one).
PRELOAD_FROM = 8


def items_taken_preload(ctx: Context, ops: list[Any]) -> None:
    """Read in one query which of the item ids a change creates are already taken."""
    ids = [op.id for op in ops if op.type == "item.create"]
    if len(ids) >= PRELOAD_FROM:
        ctx.items_taken = set(Item.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _ensure_room(ctx: Context, model: type[Any], limit: int, label: str) -> None:
    key = model.__name__
    if key not in ctx.counts:
        ctx.counts[key] = model.objects.filter(map=ctx.map).count()
    if ctx.counts[key] >= limit:
        raise OpError("too_large", f"a map may hold at most {limit} {label}")
    ctx.counts[key] += 1


def op_map_update(ctx: Context, op: MapUpdate) -> None:
    changed = op.fields.model_dump(exclude_unset=True)
    for name in ("title", "type", "audience", "status", "language"):
        if name in changed and changed[name] is None:
            raise OpError("invalid_op", f"fields.{name}: may not be null")
    for name, value in changed.items():
        if value is None and name in {"objective", "scenario"}:
            value = ""
        setattr(ctx.map, name, value)
        ctx.map_fields.add(name)


def op_persona_attach(ctx: Context, op: PersonaAttach) -> None:
    persona = Persona.objects.filter(pk=op.persona, workspace_id=ctx.map.workspace_id).first()
    if persona is None:
        raise OpError("not_found", f"persona {op.persona} does not exist in this workspace")
    ctx.map.personas.add(persona)


def op_persona_detach(ctx: Context, op: PersonaDetach) -> None:
    persona = ctx.map.personas.filter(pk=op.persona).first()
    if persona is None:
        raise OpError("not_found", f"persona {op.persona} is not on this map")
    ctx.map.personas.remove(persona)


def op_stage_create(ctx: Context, op: StageCreate) -> None:
    _ensure_new(Stage, op.id, "stage")
    _ensure_room(ctx, Stage, MAX_STAGES, "stages")
    if op.subjourney is not None:
        check_subjourney(ctx, stage_id=op.id, target_id=op.subjourney)
    ctx.parents[op.id] = Stage.objects.create(
        id=op.id,
        map=ctx.map,
        name=op.name,
        position=op.position,
        description=op.description,
        phase=op.phase,
        color=op.color,
        subjourney_id=op.subjourney,
    )


def op_stage_update(ctx: Context, op: StageUpdate) -> None:
    if "name" in op.fields.model_fields_set and op.fields.name is None:
        raise OpError("invalid_op", "fields.name: may not be null")
    fields = _nulls_to_blank(op.fields, {"description", "phase", "color"})
    values = fields.model_dump(exclude_unset=True)
    if "subjourney" in values:
        if values["subjourney"] is not None:
            check_subjourney(ctx, stage_id=op.id, target_id=values["subjourney"])
        values["subjourney_id"] = values.pop("subjourney")
    _update(Stage, ctx, op.id, "stage", **values)


def check_subjourney(ctx: Context, *, stage_id: uuid.UUID, target_id: uuid.UUID) -> None:
    """Refuse a link to a map that is missing or that the actor cannot read (not_found:
    existence is not leaked), in another workspace, the map itself, or above it (a cycle)."""
    actor = ctx.actor
    role = JourneyMap.objects.role_of(map_id=target_id, user=actor) if actor else MapRole.OWNER
    workspace_id = (
        JourneyMap.objects.filter(pk=target_id).values_list("workspace_id", flat=True).first()
    )
    if role is None or workspace_id is None:
        raise OpError("not_found", f"map {target_id} does not exist or you cannot read it")
    if workspace_id != ctx.map.workspace_id:
        raise OpError("invalid_op", "subjourney: a sub-journey must be a map of the same workspace")
    if target_id == ctx.map.pk:
        raise OpError("invalid_op", "subjourney: a map cannot be its own sub-journey")
    edges = subjourney_edges(workspace_id=workspace_id, without_stage=stage_id)
    if reaches(edges, target_id, ctx.map.pk):
        raise OpError(
            "invalid_op",
            "subjourney: this map is already above the chosen map in the hierarchy; "
            "linking them would make a cycle",
        )


def _nulls_to_blank(fields: BaseModel, names: set[str]) -> BaseModel:
    for name in names & fields.model_fields_set:
        if getattr(fields, name) is None:
            setattr(fields, name, "")
    return fields


def _move(model: type[Any], label: str) -> Callable[[Context, Move], None]:
    def move(ctx: Context, op: Move) -> None:
        _update(model, ctx, op.id, label, position=op.position)

    return move


def _delete(model: type[Any], label: str) -> Callable[[Context, Delete], None]:
    def delete(ctx: Context, op: Delete) -> None:
        _get(model, ctx, op.id, label).delete()
        # A deleted id may be created again by a later op: back to one check per id.
        ctx.items_taken = None
        ctx.counts.pop(model.__name__, None)
        ctx.counts.pop(Item.__name__, None)

    return delete


def op_lane_create(ctx: Context, op: LaneCreate) -> None:
    _ensure_new(Lane, op.id, "lane")
    _ensure_room(ctx, Lane, MAX_LANES, "lanes")
    ctx.parents[op.id] = Lane.objects.create(
        id=op.id,
        map=ctx.map,
        kind=op.kind,
        title=op.title,
        position=op.position,
        description=op.description,
        collapsed=op.collapsed,
    )


def op_lane_update(ctx: Context, op: LaneUpdate) -> None:
    for name in ("title", "collapsed"):
        if name in op.fields.model_fields_set and getattr(op.fields, name) is None:
            raise OpError("invalid_op", f"fields.{name}: may not be null")
    fields = _nulls_to_blank(op.fields, {"description"})
    _update(Lane, ctx, op.id, "lane", **fields.model_dump(exclude_unset=True))


# The statuses each kind's workflow knows; a card may also have none ("": not yet triaged).
STATUSES_OF_KIND: dict[str, set[str]] = {
    ItemKind.CARD: {"", *OpportunityStatus.values},
    ItemKind.ACTION: set(ActionStatus.values),
}


def _accepts(kind: str, values: dict[str, Any]) -> bool:
    """Whether a kind has every given attribute and knows the given status."""
    if not values.keys() <= ATTRIBUTES_OF_KIND[kind]:
        return False
    status = values.get("status")
    return status is None or str(status) in STATUSES_OF_KIND.get(kind, set())


def _check_attributes(ctx: Context, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    allowed = ATTRIBUTES_OF_KIND[kind]
    extra = sorted(set(values) - allowed)
    if extra:
        raise OpError("invalid_op", f"a {kind} item has no {', '.join(extra)}")
    status = values.get("status")
    if status is not None and str(status) not in STATUSES_OF_KIND[kind]:
        known = ", ".join(sorted(STATUSES_OF_KIND[kind]))
        raise OpError("invalid_op", f"status: a {kind} item's status is one of {known}")
    for name, value in values.items():
        if value is None and name not in NULLABLE_ATTRIBUTES:
            if name in NULL_REFUSED:
                raise OpError("invalid_op", f"{name}: may not be null")
            values[name] = ""
    channel = values.get("channel")
    if channel and channel not in CHANNELS_BY_KEY:
        raise OpError("invalid_op", f"channel: unknown channel {channel!r}")
    persona = values.get("persona")
    if persona and not ctx.map.personas.filter(pk=persona).exists():
        raise OpError("not_found", f"persona {persona} is not on this map")
    fixes = values.pop("fixes", None) if "fixes" in values else ...
    if fixes is not ...:
        values["fixes_id"] = _get(Item, ctx, fixes, "item").pk if fixes else None
    if "persona" in values:
        values["persona_id"] = values.pop("persona")
    return values


def op_item_create(ctx: Context, op: ItemCreate) -> None:
    lane = _parent(Lane, ctx, op.lane, "lane")
    stage = _parent(Stage, ctx, op.stage, "stage")
    _ensure_new_item(ctx, op.id)
    _ensure_room(ctx, Item, MAX_ITEMS, "items")
    kind = item_kind_for_lane(lane.kind)
    given = op.model_dump(exclude_unset=True, exclude={"type", "id", "lane", "stage", "position"})
    values = ITEM_DEFAULTS.get(kind, {}) | _check_attributes(ctx, kind, given)
    Item.objects.create(
        id=op.id, map=ctx.map, lane=lane, stage=stage, position=op.position, kind=kind, **values
    )


def op_item_update(ctx: Context, op: ItemUpdate) -> None:
    given = op.fields.model_dump(exclude_unset=True)
    # The kinds that accept every given field: one UPDATE restricted to them needs no read
    # of the item first. Nothing updated means no such item, or one of another kind.
    kinds = [kind for kind in ATTRIBUTES_OF_KIND if _accepts(kind, given)]
    if kinds:
        values = _check_attributes(ctx, kinds[0], dict(given))
        if values.get("fixes_id") == op.id:
            raise OpError("invalid_op", "an action item cannot fix itself")
        write = Write(Item, op.id, ctx.map.pk, values, tuple(kinds))
        if _write(ctx, write) if values else write.rows().exists():
            return
    item = _get(Item, ctx, op.id, "item")
    _check_attributes(ctx, item.kind, given)  # raises: a field this kind does not have
    raise OpError("invalid_op", f"a {item.kind} item cannot take these fields")  # pragma: no cover


def op_item_move(ctx: Context, op: ItemMove) -> None:
    item = _get(Item, ctx, op.id, "item")
    if op.lane is not None and op.lane != item.lane_id:
        lane = _get(Lane, ctx, op.lane, "lane")
        if item_kind_for_lane(lane.kind) != item.kind:
            raise OpError("invalid_op", f"a {item.kind} item cannot move into a {lane.kind} lane")
        item.lane = lane
    if op.stage is not None and op.stage != item.stage_id:
        item.stage = _get(Stage, ctx, op.stage, "stage")
    item.position = op.position
    item.save(update_fields=["lane", "stage", "position"])


def op_link_create(ctx: Context, op: LinkCreate) -> None:
    if op.source == op.target:
        raise OpError("invalid_op", "a link needs two different items")
    source = _get(Item, ctx, op.source, "item")
    target = _get(Item, ctx, op.target, "item")
    _ensure_new(Link, op.id, "link")
    Link.objects.create(id=op.id, map=ctx.map, source=source, target=target, label=op.label)


def _comment_author_only(ctx: Context, comment: Comment, verb: str) -> None:
    if (ctx.actor is None or comment.author_id != ctx.actor.pk) and ctx.role != "owner":
        raise OpError("forbidden", f"only its author can {verb} a comment")


def op_comment_create(ctx: Context, op: CommentCreate) -> None:
    from maps.mentions import mentioned_usernames

    if ctx.actor is None:
        raise OpError("forbidden", "sign in to comment")
    _ensure_new(Comment, op.id, "comment")
    item = _get(Item, ctx, op.item, "item") if op.item else None
    stage = _get(Stage, ctx, op.stage, "stage") if op.stage else None
    parent = _get(Comment, ctx, op.parent, "comment") if op.parent else None
    if parent is not None:
        item, stage, parent = parent.item, parent.stage, parent.parent or parent
    Comment.objects.create(
        id=op.id,
        map=ctx.map,
        item=item,
        stage=stage,
        parent=parent,
        author=ctx.actor,
        text=op.text,
        mentions=mentioned_usernames(op.text),
    )


def op_comment_update(ctx: Context, op: CommentUpdate) -> None:
    from maps.mentions import mentioned_usernames

    comment = _get(Comment, ctx, op.id, "comment")
    if ctx.actor is None or comment.author_id != ctx.actor.pk:
        raise OpError("forbidden", "only its author can edit a comment")
    comment.text = op.text
    comment.mentions = mentioned_usernames(op.text)
    comment.save(update_fields=["text", "mentions", "updated_at"])


def op_comment_resolve(ctx: Context, op: CommentResolve) -> None:
    comment = _get(Comment, ctx, op.id, "comment")
    comment.resolved = op.resolved
    comment.save(update_fields=["resolved", "updated_at"])


def op_comment_delete(ctx: Context, op: CommentDelete) -> None:
    comment = _get(Comment, ctx, op.id, "comment")
    _comment_author_only(ctx, comment, "delete")
    comment.delete()


HANDLERS: dict[str, Callable[[Context, Any], None]] = {
    "map.update": op_map_update,
    "persona.attach": op_persona_attach,
    "persona.detach": op_persona_detach,
    "stage.create": op_stage_create,
    "stage.update": op_stage_update,
    "stage.move": _move(Stage, "stage"),
    "stage.delete": _delete(Stage, "stage"),
    "lane.create": op_lane_create,
    "lane.update": op_lane_update,
    "lane.move": _move(Lane, "lane"),
    "lane.delete": _delete(Lane, "lane"),
    "item.create": op_item_create,
    "item.update": op_item_update,
    "item.move": op_item_move,
    "item.delete": _delete(Item, "item"),
    "link.create": op_link_create,
    "link.delete": _delete(Link, "link"),
    "comment.create": op_comment_create,
    "comment.update": op_comment_update,
    "comment.resolve": op_comment_resolve,
    "comment.delete": op_comment_delete,
}
assert sorted(HANDLERS) == OP_TYPES, "every op type needs exactly one handler"


PARENT_KEEPING = frozenset({"stage.create", "lane.create"})


def apply_op(ctx: Context, op: Op) -> None:
    kind: str = op.type  # type: ignore[attr-defined]
    if kind.startswith(("stage.", "lane.")) and kind not in PARENT_KEEPING:
        ctx.parents.clear()
    HANDLERS[kind](ctx, op)
