"""apply_ops_batch (maps/live_writes.py) against apply_ops, the reference path (Hypothesis).

Random batches of changes (field writes to stages, lanes and items, moves, map updates, by
authors of every role, some refused, some with re-used change ids or a role read before
access changed) are applied to one map twice, each time from the same state (a savepoint
rolled back in between, so every id is the same): once through apply_ops_batch, once change
by change through apply_ops. The two must give each change the same answer (its revision,
or its error code and op) and leave the same document and the same op log.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maps import live_writes
from maps.models import Change, JourneyMap
from maps.ops import OpError
from maps.services import AppliedChange, ChangeRequest, apply_ops, apply_ops_batch, map_document
from workspaces.models import MapAccess, Membership

pytestmark = [pytest.mark.django_db, pytest.mark.services]

EDITORS = ("owner", "editor", "map_editor")
AUTHORS = (*EDITORS, "lowered", "commenter", "viewer", "outsider")
MISSING = str(uuid.UUID(int=1))  # an id no row has
LOGGED = uuid.UUID(int=2)  # a change id the map's log holds already

# Values every field takes, then some that some fields refuse (too long, empty, malformed).
TEXTS, BAD_TEXTS = ["Nhận thức", "A", "  đi  "], ["", "x" * 130]
POSITIONS, BAD_POSITIONS = ["a0", "a5", "b0", "Zz", "a0V"], ["bad key"]
COLORS, BAD_COLORS = ["", "#12abef"], ["red"]


@dataclass(frozen=True)
class Values:
    """What a batch's ops draw from: only what is valid, or that and what is not."""

    texts: st.SearchStrategy[str]
    positions: st.SearchStrategy[str]
    colors: st.SearchStrategy[str]
    missing: list[str]  # ids of no row, to add to the ids drawn from

    @classmethod
    def of(cls, clean: bool) -> Values:
        if clean:
            return cls(
                st.sampled_from(TEXTS), st.sampled_from(POSITIONS), st.sampled_from(COLORS), []
            )
        return cls(
            st.sampled_from(TEXTS + BAD_TEXTS),
            st.sampled_from(POSITIONS + BAD_POSITIONS),
            st.sampled_from(COLORS + BAD_COLORS),
            [MISSING],
        )


@dataclass
class World:
    map_id: uuid.UUID
    users: dict[str, Any]
    stages: list[str]
    lanes: list[str]
    items: list[str]
    epoch_before: int  # the access epoch before the "stale" author's role was lowered


@pytest.fixture
def world(journey_map: Any, role_users: dict[str, Any], make_user: Any) -> World:
    """A map with two stages, three lanes (cards, emotions, touchpoints), an item of each
    kind and a second card; an author of every kind of role; a change in its log."""
    users = dict(role_users)
    users["map_editor"] = make_user("map_editor")  # an explicit map role, not a member
    MapAccess.objects.create(map=journey_map, user=users["map_editor"], role="editor")
    users["lowered"] = make_user("lowered")
    Membership.objects.create(
        workspace=journey_map.workspace, user=users["lowered"], role=Membership.Role.MEMBER
    )
    stages, lanes, items = ([str(uuid.uuid4()) for _ in range(n)] for n in (2, 3, 4))
    kinds = ("actions", "emotions", "touchpoints")
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": sid, "name": f"Giai đoạn {n}", "position": f"a{n}"}
        for n, sid in enumerate(stages)
    ]
    ops += [
        {"type": "lane.create", "id": lid, "kind": kind, "title": kind, "position": f"a{n}"}
        for n, (lid, kind) in enumerate(zip(lanes, kinds, strict=True))
    ]
    ops += [
        {"type": "item.create", "id": iid, "lane": lanes[n % 3], "stage": stages[n % 2]}
        | {"position": f"a{n}"}
        for n, iid in enumerate(items)
    ]
    apply_ops(map_id=journey_map.pk, actor=users["owner"], change_id=LOGGED, ops=ops)
    # "lowered" edited through the membership; now only views, and access moved on since.
    epoch_before = JourneyMap.objects.get(pk=journey_map.pk).access_epoch
    Membership.objects.filter(user=users["lowered"]).delete()
    MapAccess.objects.create(map=journey_map, user=users["lowered"], role="viewer")
    JourneyMap.objects.filter(pk=journey_map.pk).update(access_epoch=F("access_epoch") + 1)
    return World(journey_map.pk, users, stages, lanes, items, epoch_before)


def field_writes(world: World, values: Values) -> st.SearchStrategy[dict[str, Any]]:
    """Ops that only set fields of one row (the live path writes them at once)."""
    stage = st.sampled_from([*world.stages, *values.missing])
    lane = st.sampled_from([*world.lanes, *values.missing])
    item = st.sampled_from([*world.items, *values.missing])
    texts, colors = values.texts, values.colors
    stage_fields = st.fixed_dictionaries(
        {}, optional={"name": texts, "description": texts, "color": colors}
    )
    lane_fields = st.fixed_dictionaries(
        {}, optional={"title": texts, "collapsed": st.booleans(), "description": texts}
    )
    # Any item takes these; the others below are of some kinds only (refused on the others).
    item_fields: dict[str, st.SearchStrategy[Any]] = {"text": texts, "color": colors}
    if values.missing:
        item_fields |= {
            "score": st.integers(-3, 2),  # an emotion's
            "note": texts,
            "impact": st.integers(0, 5),  # a card's or a touchpoint's
            "channel": st.sampled_from(["email", "web"]),  # a touchpoint's
            "owner": texts,
        }
    return st.one_of(
        st.builds(_op("stage.update"), stage, stage_fields),
        st.builds(_op("lane.update"), lane, lane_fields),
        st.builds(_op("item.update"), item, st.fixed_dictionaries({}, optional=item_fields)),
        st.builds(_move("stage.move"), stage, values.positions),
        st.builds(_move("lane.move"), lane, values.positions),
    )


def other_ops(world: World, values: Values) -> st.SearchStrategy[dict[str, Any]]:
    """Ops that read other rows or the map (the transaction path)."""
    item = st.sampled_from([*world.items, *values.missing])
    # Into another lane only where refusals are drawn: a card may not go into an emotion lane.
    lane = st.sampled_from([None, *world.lanes]) if values.missing else st.just(None)
    stage = st.sampled_from(world.stages)
    map_fields = st.fixed_dictionaries(
        {"title": values.texts}, optional={"status": st.sampled_from(["draft", "approved"])}
    )
    return st.one_of(
        st.builds(_item_move, item, values.positions, lane, stage),
        st.builds(lambda fields: {"type": "map.update", "fields": fields}, map_fields),
    )


def _item_move(id_: str, position: str, lane: str | None, stage: str) -> dict[str, Any]:
    op = {"type": "item.move", "id": id_, "position": position, "stage": stage}
    return op | {"lane": lane} if lane else op


def _op(kind: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    return lambda id_, fields: {"type": kind, "id": id_, "fields": fields}


def _move(kind: str) -> Callable[[str, str], dict[str, Any]]:
    return lambda id_, position: {"type": kind, "id": id_, "position": position}


@dataclass
class Sent:
    """One change of a batch as drawn: who sends it, with which id, what the socket knew."""

    author: str
    id_from: int | None  # the index of an earlier change whose id it re-uses; None: its own
    logged_id: bool  # re-uses the id of the change already in the log
    role_known: bool
    ops: Any


@st.composite
def batches(draw: st.DrawFn, world: World) -> list[Sent]:
    """A batch of 1 to 6 changes. Each batch is, or not, of field writes only, of valid
    values and existing rows only, by editors only, with ids of its own: a batch that is all
    of these is written in one statement, one that is all but the first in one transaction,
    the others are refused there and go change by change. A third of the batches are drawn
    to be written in one statement, a third in one transaction."""
    way = draw(st.sampled_from(["random", "at once", "together"]))
    fitting = way != "random"
    values = Values.of(clean=fitting or draw(st.booleans()))
    ops = field_writes(world, values)
    if way == "together":
        ops = st.one_of(other_ops(world, values), ops)  # Hypothesis favours the first
    elif not fitting and draw(st.booleans()):
        ops = st.one_of(ops, other_ops(world, values))
    authors = st.sampled_from(EDITORS if fitting or draw(st.booleans()) else AUTHORS)
    reuse = not fitting and draw(st.booleans())
    sent = []
    for index in range(draw(st.integers(2 if way == "together" else 1, 6))):
        sent.append(
            Sent(
                author=draw(authors),
                id_from=draw(st.none() | st.integers(0, index - 1)) if reuse and index else None,
                logged_id=reuse and draw(st.integers(0, 4)) == 0,
                role_known=draw(st.booleans()),
                # Now and then no ops at all: refused before anything (bad_message).
                ops=draw(st.lists(ops, min_size=1, max_size=3)) if draw(st.integers(0, 19)) else [],
            )
        )
    return sent


def requests_of(world: World, sent: list[Sent]) -> list[ChangeRequest]:
    epoch = JourneyMap.objects.get(pk=world.map_id).access_epoch
    ids: list[uuid.UUID] = []
    requests = []
    for index, change in enumerate(sent):
        if change.logged_id:
            ids.append(LOGGED)
        else:
            ids.append(
                uuid.UUID(int=1000 + index) if change.id_from is None else ids[change.id_from]
            )
        user = world.users[change.author]
        role, role_epoch = None, None
        if change.role_known and change.author == "lowered":
            role, role_epoch = "editor", world.epoch_before  # as its socket read it, before
        elif change.role_known:
            role, role_epoch = JourneyMap.objects.role_of(map_id=world.map_id, user=user), epoch
        requests.append(
            ChangeRequest(
                actor=user,
                change_id=ids[-1],
                ops=change.ops,
                session=f"s-{change.author}",
                role=role,
                role_epoch=role_epoch,
            )
        )
    return requests


Apply = Callable[[uuid.UUID, list[ChangeRequest]], list[AppliedChange | OpError]]


def in_one_batch(map_id: uuid.UUID, requests: list[ChangeRequest]) -> list[AppliedChange | OpError]:
    return apply_ops_batch(map_id=map_id, requests=requests)


def one_by_one(map_id: uuid.UUID, requests: list[ChangeRequest]) -> list[AppliedChange | OpError]:
    results: list[AppliedChange | OpError] = []
    for request in requests:
        try:
            applied = apply_ops(
                map_id=map_id,
                actor=request.actor,
                change_id=request.change_id,
                ops=request.ops,
                session=request.session,
                role=request.role,
                role_epoch=request.role_epoch,
                announce=False,
            )
        except OpError as error:
            results.append(error)
        else:
            results.append(applied)
    return results


def answer(result: AppliedChange | OpError) -> tuple[Any, ...]:
    """What a change's author is told (and what the sockets carry), as comparable values."""
    if isinstance(result, OpError):
        return ("error", result.code, result.op)
    return (
        "applied",
        result.revision,
        result.change_id,
        result.ops,
        result.actor_id,
        result.session,
        result.duplicate,
        result.role,
        result.epoch,
    )


def outcome(world: World, apply: Apply, requests: list[ChangeRequest]) -> dict[str, Any]:
    """The answers, the document and the op log after `apply`, then everything undone."""
    savepoint = transaction.savepoint()
    try:
        results = apply(world.map_id, requests)
        document: dict[str, Any] = dict(
            map_document(journey_map=JourneyMap.objects.get(pk=world.map_id))
        )
        log = Change.objects.filter(map_id=world.map_id).order_by("revision")
        rows = list(log.values_list("revision", "change_id", "actor_id", "session", "ops"))
    finally:
        transaction.savepoint_rollback(savepoint)
    del document["updated"]  # when it was written
    return {"answers": [answer(result) for result in results], "document": document, "log": rows}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_batch_answers_and_writes_what_its_changes_do_one_by_one(
    world: World, data: st.DataObject
) -> None:
    requests = requests_of(world, data.draw(batches(world), label="batch"))
    assert outcome(world, in_one_batch, requests) == outcome(world, one_by_one, requests)


def test_each_way_of_the_batch_path_is_compared(world: World, monkeypatch: Any) -> None:
    """The random batches reach every way apply_ops_batch has (here, one batch each)."""
    taken: list[str] = []
    for name in ("_write_at_once", "_apply_together", "_apply_alone"):
        real = getattr(live_writes, name)

        def spy(*args: Any, _name: str = name, _real: Any = real) -> Any:
            taken.append(_name)
            return _real(*args)

        monkeypatch.setattr(live_writes, name, spy)
    owner = world.users["owner"]
    rename = {"type": "stage.update", "id": world.stages[0], "fields": {"name": "Mới"}}
    title = {"type": "map.update", "fields": {"title": "Bản đồ"}}
    for ops, way in [
        ([rename, rename], "_write_at_once"),
        ([rename, title], "_apply_together"),
        ([title], "_apply_alone"),
    ]:
        taken.clear()
        requests = [
            ChangeRequest(actor=owner, change_id=uuid.uuid4(), ops=[op], session="s") for op in ops
        ]
        assert outcome(world, in_one_batch, requests) == outcome(world, one_by_one, requests)
        assert taken[0] == way, taken


def test_the_statements_name_the_models_tables() -> None:
    """The live path's SQL is written out with its tables' names: they must be the models'."""
    statement = live_writes.WRITE_AT_ONCE + live_writes.MAY_EDIT + live_writes.AUTHOR_ROLES
    for model in (JourneyMap, Change, MapAccess, Membership):
        assert re.search(rf"\b{model._meta.db_table}\b", statement), model
