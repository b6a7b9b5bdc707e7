"""Every op of docs/protocol.md through `apply_ops`: what it does, and every way it is refused.

A refused change raises `OpError` with a code and the failing op's index, and leaves the map,
its revision and the op log exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from maps.models import Change, Comment, Item, JourneyMap, Lane, Link, Stage
from maps.ops import MAX_OPS_PER_CHANGE, OP_TYPES, OpError
from maps.services import apply_ops
from personas.models import Persona

pytestmark = pytest.mark.django_db


def new() -> str:
    return str(uuid.uuid4())


def change(journey_map: Any, actor: Any, *ops: dict[str, Any], change_id: Any = None) -> Any:
    return apply_ops(
        map_id=journey_map.pk, actor=actor, change_id=change_id or uuid.uuid4(), ops=list(ops)
    )


def refused(journey_map: Any, actor: Any, *ops: dict[str, Any], change_id: Any = None) -> OpError:
    with pytest.raises(OpError) as caught:
        change(journey_map, actor, *ops, change_id=change_id)
    return caught.value


def content_of(journey_map: Any) -> dict[str, Any]:
    """Everything a change can touch, to prove a refused change touched nothing."""
    fresh = JourneyMap.objects.get(pk=journey_map.pk)
    rows = {
        model.__name__: sorted(
            json.dumps(row, default=str, sort_keys=True)
            for row in model.objects.filter(map=fresh).values()
        )
        for model in (Stage, Lane, Item, Link, Comment, Change)
    }
    fields = {name: getattr(fresh, name) for name in ("title", "objective", "revision", "status")}
    personas = sorted(str(p) for p in fresh.personas.values_list("id", flat=True))
    return rows | {"map": fields, "personas": personas}


class Board:
    """A small map: two stages, one lane of each item kind, one card, one persona attached."""

    def __init__(self, journey_map: Any, owner: Any) -> None:
        self.map = journey_map
        self.persona = Persona.objects.create(workspace=journey_map.workspace, name="Chị Hoa")
        self.stage, self.stage2 = new(), new()
        self.lanes = {
            kind: new()
            for kind in (
                "actions",
                "obstacles",
                "touchpoints",
                "emotions",
                "metrics",
                "action_plan",
            )
        }
        self.card, self.other_card = new(), new()
        ops: list[dict[str, Any]] = [
            {"type": "persona.attach", "persona": str(self.persona.pk)},
            {"type": "stage.create", "id": self.stage, "name": "Nhận thức", "position": "a0"},
            {"type": "stage.create", "id": self.stage2, "name": "Cân nhắc", "position": "a1"},
        ]
        for index, (kind, lane_id) in enumerate(self.lanes.items()):
            ops.append(
                {
                    "type": "lane.create",
                    "id": lane_id,
                    "kind": kind,
                    "title": kind,
                    "position": f"a{index}",
                }
            )
        for item_id, position in ((self.card, "a0"), (self.other_card, "a1")):
            ops.append(
                {
                    "type": "item.create",
                    "id": item_id,
                    "lane": self.lanes["actions"],
                    "stage": self.stage,
                    "position": position,
                    "text": "Tìm trên Google",
                }
            )
        change(journey_map, owner, *ops)
        journey_map.refresh_from_db()


@pytest.fixture
def board(journey_map: Any, owner: Any) -> Board:
    return Board(journey_map, owner)


# --- every op, applied ------------------------------------------------------------------------


def test_map_update_sets_the_fields_it_names(journey_map, owner):
    change(
        journey_map,
        owner,
        {
            "type": "map.update",
            "fields": {
                "title": "Mua xe máy",
                "objective": "Hiểu khách",
                "type": "future",
                "audience": "b2b",
                "scenario": "Cuối tuần",
                "status": "in_review",
                "language": "en",
                "next_review": "2026-12-01",
            },
        },
    )

    journey_map.refresh_from_db()
    assert (
        journey_map.title,
        journey_map.objective,
        journey_map.type,
        journey_map.audience,
        journey_map.scenario,
        journey_map.status,
        journey_map.language,
    ) == ("Mua xe máy", "Hiểu khách", "future", "b2b", "Cuối tuần", "in_review", "en")
    assert journey_map.next_review == dt.date(2026, 12, 1)
    assert journey_map.revision == 1


def test_persona_attach_and_detach_change_the_maps_personas(journey_map, owner):
    persona = Persona.objects.create(workspace=journey_map.workspace, name="Anh Nam")

    change(journey_map, owner, {"type": "persona.attach", "persona": str(persona.pk)})
    assert list(journey_map.personas.all()) == [persona]

    change(journey_map, owner, {"type": "persona.detach", "persona": str(persona.pk)})
    assert list(journey_map.personas.all()) == []


def test_stage_create_update_move_and_delete(journey_map, owner):
    stage = new()
    change(
        journey_map,
        owner,
        {
            "type": "stage.create",
            "id": stage,
            "name": "Nhận thức",
            "position": "a0",
            "description": "Biết đến",
            "phase": "before",
            "color": "#112233",
        },
    )
    change(
        journey_map,
        owner,
        {"type": "stage.update", "id": stage, "fields": {"name": "Cân nhắc", "phase": "during"}},
    )
    change(journey_map, owner, {"type": "stage.move", "id": stage, "position": "Zz"})

    row = Stage.objects.get(pk=stage)
    assert (row.name, row.description, row.phase, row.color, row.position) == (
        "Cân nhắc",
        "Biết đến",
        "during",
        "#112233",
        "Zz",
    )

    change(journey_map, owner, {"type": "stage.delete", "id": stage})
    assert not Stage.objects.filter(pk=stage).exists()
    journey_map.refresh_from_db()
    assert journey_map.revision == 4


def test_lane_create_update_move_and_delete(journey_map, owner):
    lane = new()
    change(
        journey_map,
        owner,
        {
            "type": "lane.create",
            "id": lane,
            "kind": "touchpoints",
            "title": "Điểm chạm",
            "position": "a0",
        },
    )
    change(
        journey_map,
        owner,
        {"type": "lane.update", "id": lane, "fields": {"title": "Kênh", "collapsed": True}},
    )
    change(journey_map, owner, {"type": "lane.move", "id": lane, "position": "b5"})

    row = Lane.objects.get(pk=lane)
    assert (row.kind, row.title, row.collapsed, row.position) == ("touchpoints", "Kênh", True, "b5")

    change(journey_map, owner, {"type": "lane.delete", "id": lane})
    assert not Lane.objects.filter(pk=lane).exists()


ITEM_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "actions": {
        "text": "Đọc đánh giá",
        "color": "#ff0000",
        "evidence": "research",
        "source": "Phỏng vấn 12 khách",
    },
    "touchpoints": {
        "text": "Trang web",
        "channel": "website",
        "online": True,
        "owner": "Marketing",
        "impact": 4,
        "importance": 5,
        "phase": "before",
    },
    "emotions": {"score": -2, "note": "Bực mình vì chờ lâu", "variant": "to_be"},
    "metrics": {"name": "NPS", "value": 32.5, "target": 50, "unit": "điểm", "trend": "up"},
    "action_plan": {
        "text": "Rút ngắn thời gian chờ",
        "owner": "CSKH",
        "due": "2026-03-31",
        "status": "doing",
    },
}
KIND_OF_LANE = {
    "actions": "card",
    "touchpoints": "touchpoint",
    "emotions": "emotion",
    "metrics": "metric",
    "action_plan": "action",
}


@pytest.mark.parametrize("lane_kind", sorted(ITEM_ATTRIBUTES))
def test_item_create_takes_the_attributes_of_its_lanes_kind(board, owner, lane_kind):
    item = new()
    attributes = ITEM_ATTRIBUTES[lane_kind]

    change(
        board.map,
        owner,
        {
            "type": "item.create",
            "id": item,
            "lane": board.lanes[lane_kind],
            "stage": board.stage,
            "position": "a0",
            **attributes,
        },
    )

    row: dict[str, Any] = dict(Item.objects.filter(pk=item).values().get())
    assert row["kind"] == KIND_OF_LANE[lane_kind]
    for name, value in attributes.items():
        expected = dt.date.fromisoformat(value) if name == "due" else value
        assert row[name] == expected, name


def test_an_emotion_point_can_name_a_persona_of_the_map(board, owner):
    item = new()
    change(
        board.map,
        owner,
        {
            "type": "item.create",
            "id": item,
            "lane": board.lanes["emotions"],
            "stage": board.stage,
            "position": "a0",
            "score": 1,
            "persona": str(board.persona.pk),
        },
    )

    assert Item.objects.get(pk=item).persona == board.persona


def test_item_update_changes_only_the_named_fields(board, owner):
    change(
        board.map,
        owner,
        {
            "type": "item.update",
            "id": board.card,
            "fields": {"text": "So sánh giá", "evidence": "data"},
        },
    )

    row = Item.objects.get(pk=board.card)
    assert (row.text, row.evidence, row.position) == ("So sánh giá", "data", "a0")


def test_an_action_item_can_say_which_item_it_fixes(board, owner):
    action = new()
    change(
        board.map,
        owner,
        {
            "type": "item.create",
            "id": action,
            "lane": board.lanes["action_plan"],
            "stage": board.stage,
            "position": "a0",
            "text": "Sửa",
        },
        {"type": "item.update", "id": action, "fields": {"fixes": board.card}},
    )

    assert str(Item.objects.get(pk=action).fixes_id) == board.card


def test_item_move_changes_position_stage_and_lane_of_the_same_kind(board, owner):
    change(
        board.map,
        owner,
        {
            "type": "item.move",
            "id": board.card,
            "position": "c0",
            "stage": board.stage2,
            "lane": board.lanes["obstacles"],
        },
    )

    row = Item.objects.get(pk=board.card)
    assert (str(row.stage_id), str(row.lane_id), row.position) == (
        board.stage2,
        board.lanes["obstacles"],
        "c0",
    )


def test_item_delete_removes_the_item_its_links_and_its_comments(board, owner):
    link, comment = new(), new()
    change(
        board.map,
        owner,
        {"type": "link.create", "id": link, "source": board.card, "target": board.other_card},
        {"type": "comment.create", "id": comment, "item": board.card, "text": "Đúng không?"},
    )

    change(board.map, owner, {"type": "item.delete", "id": board.card})

    assert not Item.objects.filter(pk=board.card).exists()
    assert not Link.objects.filter(pk=link).exists()
    assert not Comment.objects.filter(pk=comment).exists()


def test_link_create_and_delete(board, owner):
    link = new()
    change(
        board.map,
        owner,
        {
            "type": "link.create",
            "id": link,
            "source": board.card,
            "target": board.other_card,
            "label": "quay lại",
        },
    )
    assert Link.objects.get(pk=link).label == "quay lại"

    change(board.map, owner, {"type": "link.delete", "id": link})
    assert not Link.objects.filter(pk=link).exists()


def test_comment_create_update_resolve_and_delete(board, owner):
    comment, reply = new(), new()
    change(
        board.map,
        owner,
        {"type": "comment.create", "id": comment, "item": board.card, "text": "Hỏi @member"},
        {"type": "comment.create", "id": reply, "parent": comment, "text": "Trả lời"},
    )
    change(board.map, owner, {"type": "comment.update", "id": comment, "text": "Sửa @owner"})
    change(board.map, owner, {"type": "comment.resolve", "id": comment})

    row = Comment.objects.get(pk=comment)
    assert (row.text, row.mentions, row.resolved, row.author) == (
        "Sửa @owner",
        ["owner"],
        True,
        owner,
    )
    assert Comment.objects.get(pk=reply).parent == row

    change(board.map, owner, {"type": "comment.delete", "id": comment})
    assert not Comment.objects.filter(pk__in=[comment, reply]).exists()


def test_a_comment_can_hang_off_a_stage(board, owner):
    comment = new()
    change(
        board.map,
        owner,
        {"type": "comment.create", "id": comment, "stage": board.stage, "text": "Giai đoạn?"},
    )

    assert str(Comment.objects.get(pk=comment).stage_id) == board.stage


def test_every_op_type_of_the_protocol_is_known():
    assert (
        sorted(
            [
                "map.update",
                "persona.attach",
                "persona.detach",
                "stage.create",
                "stage.update",
                "stage.move",
                "stage.delete",
                "lane.create",
                "lane.update",
                "lane.move",
                "lane.delete",
                "item.create",
                "item.update",
                "item.move",
                "item.delete",
                "link.create",
                "link.delete",
                "comment.create",
                "comment.update",
                "comment.resolve",
                "comment.delete",
            ]
        )
        == OP_TYPES
    )


# --- refused ops: each kind of invalid ---------------------------------------------------------

STAGE = "00000000-0000-4000-8000-000000000001"  # replaced by the board's first stage
CARD = "00000000-0000-4000-8000-000000000002"  # replaced by the board's first card


def _on_board(board: Board, op: dict[str, Any]) -> dict[str, Any]:
    names = {
        STAGE: board.stage,
        CARD: board.card,
        "ACTIONS": board.lanes["actions"],
        "EMOTIONS": board.lanes["emotions"],
        "TOUCHPOINTS": board.lanes["touchpoints"],
    }
    text = json.dumps(op)
    for placeholder, value in names.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


INVALID_OPS: dict[str, Any] = {
    "unknown type": {"type": "stage.explode", "id": STAGE},
    "no type": {"id": STAGE, "name": "x", "position": "a0"},
    "not an object": ["stage.create"],
    "missing id": {"type": "stage.create", "name": "x", "position": "a0"},
    "missing name": {"type": "stage.create", "id": "NEW", "position": "a0"},
    "missing fields": {"type": "stage.update", "id": STAGE},
    "empty fields": {"type": "stage.update", "id": STAGE, "fields": {}},
    "unknown field": {"type": "stage.update", "id": STAGE, "fields": {"colour": "#000000"}},
    "extra field beside the op": {"type": "stage.delete", "id": STAGE, "cascade": True},
    "id not a uuid": {"type": "stage.delete", "id": "stage-1"},
    "name is a number": {"type": "stage.create", "id": "NEW", "name": 5, "position": "a0"},
    "score is a string": {"type": "item.update", "id": CARD, "fields": {"score": "2"}},
    "collapsed is a string": {
        "type": "lane.update",
        "id": "ACTIONS",
        "fields": {"collapsed": "yes"},
    },
    "name too long": {"type": "stage.create", "id": "NEW", "name": "x" * 121, "position": "a0"},
    "empty name": {"type": "stage.create", "id": "NEW", "name": "", "position": "a0"},
    "text too long": {"type": "item.update", "id": CARD, "fields": {"text": "ý" * 2001}},
    "title too long": {"type": "map.update", "fields": {"title": "t" * 201}},
    "comment too long": {"type": "comment.create", "id": "NEW", "item": CARD, "text": "c" * 4001},
    "bad position": {"type": "stage.move", "id": STAGE, "position": "a 0"},
    "bad colour": {"type": "stage.update", "id": STAGE, "fields": {"color": "red"}},
    "score out of range": {
        "type": "item.create",
        "id": "NEW",
        "lane": "EMOTIONS",
        "stage": STAGE,
        "position": "a0",
        "score": 3,
    },
    "impact out of range": {
        "type": "item.create",
        "id": "NEW",
        "lane": "TOUCHPOINTS",
        "stage": STAGE,
        "position": "a0",
        "impact": 0,
    },
    "unknown channel": {
        "type": "item.create",
        "id": "NEW",
        "lane": "TOUCHPOINTS",
        "stage": STAGE,
        "position": "a0",
        "channel": "carrier-pigeon",
    },
    "attribute of another kind": {"type": "item.update", "id": CARD, "fields": {"score": 1}},
    "unknown lane kind": {
        "type": "lane.create",
        "id": "NEW",
        "kind": "feelings",
        "title": "x",
        "position": "a0",
    },
    "unknown map status": {"type": "map.update", "fields": {"status": "lost"}},
    "null title": {"type": "map.update", "fields": {"title": None}},
    "null stage name": {"type": "stage.update", "id": STAGE, "fields": {"name": None}},
    "nul character": {"type": "stage.update", "id": STAGE, "fields": {"name": "a\x00b"}},
    "control character": {"type": "item.update", "id": CARD, "fields": {"text": "a\x1bb"}},
    "delete character": {"type": "item.update", "id": CARD, "fields": {"text": "a\x7fb"}},
    "comment without target": {"type": "comment.create", "id": "NEW", "text": "x"},
    "link to itself": {"type": "link.create", "id": "NEW", "source": CARD, "target": CARD},
    "id already used": {"type": "stage.create", "id": STAGE, "name": "x", "position": "a0"},
    "not a number": {
        "type": "item.create",
        "id": "NEW",
        "lane": "ACTIONS",
        "stage": STAGE,
        "position": "a0",
        "text": "x",
        "value": 1,
    },
}


@pytest.mark.parametrize("case", sorted(INVALID_OPS))
def test_an_invalid_op_is_refused_and_changes_nothing(board, owner, case):
    valid = {"type": "stage.update", "id": board.stage, "fields": {"name": "Đổi tên"}}
    op = _on_board(board, INVALID_OPS[case])
    if isinstance(op, dict):
        op = {key: (new() if value == "NEW" else value) for key, value in op.items()}
    before = content_of(board.map)

    error = refused(board.map, owner, valid, op)

    assert (error.code, error.op) == ("invalid_op", 1), error.message
    assert error.message
    assert content_of(board.map) == before


MISSING_TARGETS: dict[str, dict[str, Any]] = {
    "stage.update": {"type": "stage.update", "id": "GONE", "fields": {"name": "x"}},
    "stage.move": {"type": "stage.move", "id": "GONE", "position": "a0"},
    "stage.delete": {"type": "stage.delete", "id": "GONE"},
    "lane.update": {"type": "lane.update", "id": "GONE", "fields": {"title": "x"}},
    "lane.move": {"type": "lane.move", "id": "GONE", "position": "a0"},
    "lane.delete": {"type": "lane.delete", "id": "GONE"},
    "item.create in a missing lane": {
        "type": "item.create",
        "id": "NEW",
        "lane": "GONE",
        "stage": STAGE,
        "position": "a0",
    },
    "item.create in a missing stage": {
        "type": "item.create",
        "id": "NEW",
        "lane": "ACTIONS",
        "stage": "GONE",
        "position": "a0",
    },
    "item.update": {"type": "item.update", "id": "GONE", "fields": {"text": "x"}},
    "item.move": {"type": "item.move", "id": "GONE", "position": "a0"},
    "item.move to a missing stage": {
        "type": "item.move",
        "id": CARD,
        "position": "a0",
        "stage": "GONE",
    },
    "item.delete": {"type": "item.delete", "id": "GONE"},
    "item fixes a missing item": {
        "type": "item.create",
        "id": "NEW",
        "lane": "ACTIONS",
        "stage": STAGE,
        "position": "a0",
    },
    "link.create": {"type": "link.create", "id": "NEW", "source": CARD, "target": "GONE"},
    "link.delete": {"type": "link.delete", "id": "GONE"},
    "comment.create": {"type": "comment.create", "id": "NEW", "item": "GONE", "text": "x"},
    "comment.update": {"type": "comment.update", "id": "GONE", "text": "x"},
    "comment.resolve": {"type": "comment.resolve", "id": "GONE"},
    "comment.delete": {"type": "comment.delete", "id": "GONE"},
    "persona.attach": {"type": "persona.attach", "persona": "GONE"},
    "persona.detach": {"type": "persona.detach", "persona": "GONE"},
}


@pytest.mark.parametrize("case", sorted(MISSING_TARGETS))
def test_an_op_on_a_missing_object_is_not_found_and_changes_nothing(board, owner, case):
    op = _on_board(board, MISSING_TARGETS[case])
    op = {key: (new() if value in ("NEW", "GONE") else value) for key, value in op.items()}
    if case == "item fixes a missing item":
        op = {**op, "lane": board.lanes["action_plan"], "fixes": new()}
    before = content_of(board.map)

    error = refused(board.map, owner, {"type": "map.update", "fields": {"title": "Đổi"}}, op)

    assert (error.code, error.op) == ("not_found", 1), error.message
    assert content_of(board.map) == before


def test_an_object_of_another_map_is_not_found(board, owner, workspace):
    from maps.documents import map_create

    other = map_create(workspace=workspace, actor=owner, title="Bản đồ khác")

    error = refused(other, owner, {"type": "item.delete", "id": board.card})

    assert error.code == "not_found"
    assert Item.objects.filter(pk=board.card).exists()


def test_a_persona_of_another_workspace_cannot_be_attached(journey_map, owner, outsider):
    from workspaces.services import workspace_create

    foreign = Persona.objects.create(
        workspace=workspace_create(name="Khác", creator=outsider), name="Người lạ"
    )

    error = refused(journey_map, owner, {"type": "persona.attach", "persona": str(foreign.pk)})

    assert error.code == "not_found"


def test_a_card_cannot_move_into_a_lane_of_another_kind(board, owner):
    before = content_of(board.map)

    error = refused(
        board.map,
        owner,
        {"type": "item.move", "id": board.card, "position": "a0", "lane": board.lanes["emotions"]},
    )

    assert (error.code, error.op) == ("invalid_op", 0)
    assert "cannot move" in error.message
    assert content_of(board.map) == before


@pytest.mark.parametrize("ops", [None, [], {"type": "map.update"}, "ops"])
def test_a_change_without_a_list_of_ops_is_a_bad_message(journey_map, owner, ops):
    with pytest.raises(OpError) as caught:
        apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)

    assert caught.value.code == "bad_message"


def test_a_change_with_too_many_ops_is_too_large(journey_map, owner):
    ops = [{"type": "map.update", "fields": {"title": "x"}}] * (MAX_OPS_PER_CHANGE + 1)

    error = refused(journey_map, owner, *ops)

    assert error.code == "too_large"
    journey_map.refresh_from_db()
    assert journey_map.revision == 0


def test_a_change_to_a_missing_map_is_not_found(owner):
    with pytest.raises(OpError) as caught:
        apply_ops(
            map_id=uuid.uuid4(),
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "map.update", "fields": {"title": "x"}}],
        )

    assert caught.value.code == "not_found"


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "commenter", "outsider"])
def test_only_editors_and_owners_may_edit_content(board, role_users, role):
    before = content_of(board.map)

    error = refused(
        board.map,
        role_users[role],
        {"type": "stage.update", "id": board.stage, "fields": {"name": "Của tôi"}},
    )

    assert error.code == "forbidden"
    assert content_of(board.map) == before


def test_an_anonymous_actor_cannot_change_a_map(board):
    error = refused(board.map, None, {"type": "map.update", "fields": {"title": "x"}})

    assert error.code == "forbidden"


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_may_edit_content(board, role_users, role):
    applied = change(
        board.map,
        role_users[role],
        {"type": "stage.update", "id": board.stage, "fields": {"name": "Mới"}},
    )

    assert applied.revision == 2


def test_a_commenter_may_comment_but_not_edit_in_the_same_change(board, role_users):
    commenter = role_users["commenter"]
    comment = new()
    change(
        board.map,
        commenter,
        {"type": "comment.create", "id": comment, "item": board.card, "text": "Góp ý"},
    )
    assert Comment.objects.get(pk=comment).author == commenter

    error = refused(
        board.map,
        commenter,
        {"type": "comment.create", "id": new(), "item": board.card, "text": "x"},
        {"type": "item.delete", "id": board.card},
    )
    assert (error.code, error.op) == ("forbidden", 1)


def test_a_viewer_may_not_comment(board, role_users):
    error = refused(
        board.map,
        role_users["viewer"],
        {"type": "comment.create", "id": new(), "item": board.card, "text": "x"},
    )

    assert error.code == "forbidden"


def test_only_the_author_may_edit_a_comment(board, owner, role_users):
    comment = new()
    change(
        board.map,
        role_users["commenter"],
        {"type": "comment.create", "id": comment, "item": board.card, "text": "Của tôi"},
    )

    error = refused(board.map, owner, {"type": "comment.update", "id": comment, "text": "Sửa"})

    assert error.code == "forbidden"
    assert Comment.objects.get(pk=comment).text == "Của tôi"


def test_an_editor_may_not_delete_someone_elses_comment_but_the_owner_may(board, owner, role_users):
    comment = new()
    change(
        board.map,
        role_users["commenter"],
        {"type": "comment.create", "id": comment, "item": board.card, "text": "Ý kiến"},
    )

    error = refused(board.map, role_users["editor"], {"type": "comment.delete", "id": comment})
    assert error.code == "forbidden"

    change(board.map, owner, {"type": "comment.delete", "id": comment})
    assert not Comment.objects.filter(pk=comment).exists()


# --- atomicity, revisions and the op log -------------------------------------------------------


def test_a_bad_op_late_in_a_change_leaves_nothing_of_the_change_applied(board, owner):
    before = content_of(board.map)
    stage = new()

    error = refused(
        board.map,
        owner,
        {"type": "stage.create", "id": stage, "name": "Mới", "position": "b0"},
        {"type": "item.update", "id": board.card, "fields": {"text": "Đã sửa"}},
        {"type": "map.update", "fields": {"title": "Đổi tên"}},
        {"type": "stage.delete", "id": str(uuid.uuid4())},
    )

    assert (error.code, error.op) == ("not_found", 3)
    assert content_of(board.map) == before
    assert not Stage.objects.filter(pk=stage).exists()


def test_each_change_adds_exactly_one_revision_and_one_log_row(journey_map, owner):
    ids = [uuid.uuid4() for _ in range(3)]
    for index, change_id in enumerate(ids):
        change(
            journey_map,
            owner,
            {"type": "stage.create", "id": new(), "name": f"S{index}", "position": f"a{index}"},
            {"type": "map.update", "fields": {"title": f"T{index}"}},
            change_id=change_id,
        )

    log = list(Change.objects.filter(map=journey_map).order_by("revision"))
    assert [(c.revision, c.change_id, c.actor) for c in log] == [
        (1, ids[0], owner),
        (2, ids[1], owner),
        (3, ids[2], owner),
    ]
    assert [op["type"] for op in log[0].ops] == ["stage.create", "map.update"]
    journey_map.refresh_from_db()
    assert journey_map.revision == 3


def test_the_log_keeps_the_canonical_form_of_each_op(journey_map, owner):
    stage = new()
    change(
        journey_map,
        owner,
        {"type": "stage.create", "id": stage.upper(), "name": "Nhận thức", "position": "a0"},
    )

    logged = Change.objects.get(map=journey_map).ops
    assert logged == [{"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"}]


def test_retrying_a_change_id_with_the_same_ops_applies_it_once(journey_map, owner):
    change_id = uuid.uuid4()
    op = {"type": "stage.create", "id": new(), "name": "Nhận thức", "position": "a0"}

    first = change(journey_map, owner, op, change_id=change_id)
    again = change(journey_map, owner, op, change_id=change_id)

    assert (first.revision, again.revision) == (1, 1)
    assert again.duplicate and not first.duplicate
    assert again.ops == first.ops
    assert Stage.objects.filter(map=journey_map).count() == 1
    assert Change.objects.filter(map=journey_map).count() == 1


def test_a_known_change_id_with_different_ops_is_refused(journey_map, owner):
    change_id = uuid.uuid4()
    change(
        journey_map, owner, {"type": "map.update", "fields": {"title": "Một"}}, change_id=change_id
    )

    error = refused(
        journey_map, owner, {"type": "map.update", "fields": {"title": "Hai"}}, change_id=change_id
    )

    assert error.code == "invalid_op"
    journey_map.refresh_from_db()
    assert (journey_map.title, journey_map.revision) == ("Một", 1)


def test_a_change_id_used_on_another_map_is_a_new_change_here(journey_map, owner, workspace):
    from maps.documents import map_create

    other = map_create(workspace=workspace, actor=owner, title="Khác")
    change_id = uuid.uuid4()
    op = {"type": "map.update", "fields": {"objective": "x"}}

    change(journey_map, owner, op, change_id=change_id)
    applied = change(other, owner, op, change_id=change_id)

    assert (applied.revision, applied.duplicate) == (1, False)


# --- deleting containers -----------------------------------------------------------------------


def _fill_cell(board: Board, owner: Any, *, lane: str, stage: str) -> dict[str, str]:
    ids = {"item": new(), "link": new(), "comment": new(), "outside_link": new()}
    change(
        board.map,
        owner,
        {
            "type": "item.create",
            "id": ids["item"],
            "lane": lane,
            "stage": stage,
            "position": "z0",
            "text": "Sẽ bị xoá",
        },
        {
            "type": "link.create",
            "id": ids["link"],
            "source": ids["item"],
            "target": board.other_card,
        },
        {"type": "comment.create", "id": ids["comment"], "item": ids["item"], "text": "x"},
    )
    return ids


def test_deleting_a_stage_removes_its_items_their_links_and_comments(board, owner):
    ids = _fill_cell(board, owner, lane=board.lanes["obstacles"], stage=board.stage2)
    stage_comment = new()
    change(
        board.map,
        owner,
        {"type": "comment.create", "id": stage_comment, "stage": board.stage2, "text": "?"},
    )

    change(board.map, owner, {"type": "stage.delete", "id": board.stage2})

    assert not Item.objects.filter(pk=ids["item"]).exists()
    assert not Link.objects.filter(pk=ids["link"]).exists()
    assert not Comment.objects.filter(pk__in=[ids["comment"], stage_comment]).exists()
    assert Item.objects.filter(pk__in=[board.card, board.other_card]).count() == 2


def test_deleting_a_lane_removes_its_items_their_links_and_comments(board, owner):
    ids = _fill_cell(board, owner, lane=board.lanes["obstacles"], stage=board.stage)

    change(board.map, owner, {"type": "lane.delete", "id": board.lanes["obstacles"]})

    assert not Item.objects.filter(pk=ids["item"]).exists()
    assert not Link.objects.filter(pk=ids["link"]).exists()
    assert not Comment.objects.filter(pk=ids["comment"]).exists()
    assert Item.objects.filter(lane_id=board.lanes["actions"]).count() == 2


def test_an_op_after_deleting_a_stage_in_the_same_change_cannot_use_its_items(board, owner):
    error = refused(
        board.map,
        owner,
        {"type": "stage.delete", "id": board.stage},
        {"type": "item.update", "id": board.card, "fields": {"text": "x"}},
    )

    assert (error.code, error.op) == ("not_found", 1)
    assert Stage.objects.filter(pk=board.stage).exists()


# --- text ----------------------------------------------------------------------------------------


def test_text_is_stored_in_nfc(board, owner):
    decomposed = unicodedata.normalize("NFD", "Nhận thức khách hàng")
    assert decomposed != "Nhận thức khách hàng"

    change(
        board.map,
        owner,
        {"type": "stage.update", "id": board.stage, "fields": {"name": decomposed}},
        {"type": "item.update", "id": board.card, "fields": {"text": decomposed}},
    )

    assert Stage.objects.get(pk=board.stage).name == "Nhận thức khách hàng"
    assert Item.objects.get(pk=board.card).text == "Nhận thức khách hàng"
    logged = Change.objects.get(map=board.map, revision=2).ops
    assert logged[0]["fields"]["name"] == "Nhận thức khách hàng"


def test_text_at_its_limit_is_accepted(board, owner):
    change(
        board.map,
        owner,
        {"type": "stage.update", "id": board.stage, "fields": {"name": "ễ" * 120}},
        {"type": "item.update", "id": board.card, "fields": {"text": "ễ" * 2000}},
    )

    assert len(Item.objects.get(pk=board.card).text) == 2000


def test_text_longer_than_its_limit_once_normalised_is_refused(board, owner):
    # U+0958 is excluded from composition: NFC turns each one into two code points.
    name = "\u0958" * 70
    assert len(unicodedata.normalize("NFC", name)) == 140

    error = refused(
        board.map, owner, {"type": "stage.update", "id": board.stage, "fields": {"name": name}}
    )

    assert error.code == "invalid_op"


def test_newlines_and_tabs_are_text(board, owner):
    change(
        board.map,
        owner,
        {"type": "item.update", "id": board.card, "fields": {"text": "Một\nHai\tBa"}},
    )

    assert Item.objects.get(pk=board.card).text == "Một\nHai\tBa"


def test_html_is_kept_as_plain_text(board, owner):
    text = "<script>alert(1)</script> & <b>"
    change(board.map, owner, {"type": "item.update", "id": board.card, "fields": {"text": text}})

    assert Item.objects.get(pk=board.card).text == text


# --- broadcast -----------------------------------------------------------------------------------


def _listener(journey_map: Any) -> tuple[Any, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(journey_map.group_name, channel)
    return layer, channel


def _pending(layer: Any, channel: str) -> list[dict[str, Any]]:
    messages = []
    while layer.channels.get(channel):
        messages.append(async_to_sync(layer.receive)(channel))
    return messages


def test_the_change_is_broadcast_to_the_maps_group_only_after_commit(
    journey_map, owner, django_capture_on_commit_callbacks
):
    layer, channel = _listener(journey_map)
    change_id = uuid.uuid4()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change(
            journey_map,
            owner,
            {"type": "map.update", "fields": {"title": "Mới"}},
            change_id=change_id,
        )
        assert _pending(layer, channel) == []
    for callback in callbacks:
        callback()

    (message,) = _pending(layer, channel)
    body = json.loads(message["text"])
    assert body == {
        "type": "change",
        "revision": 1,
        "id": str(change_id),
        "ops": [{"type": "map.update", "fields": {"title": "Mới"}}],
        "actor": {"session": "", "user": owner.pk},
    }


def test_a_rejected_change_broadcasts_nothing(board, owner, django_capture_on_commit_callbacks):
    layer, channel = _listener(board.map)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused(
            board.map,
            owner,
            {"type": "map.update", "fields": {"title": "x"}},
            {"type": "item.delete", "id": new()},
        )

    assert callbacks == []
    assert _pending(layer, channel) == []


def test_a_retried_change_is_not_broadcast_again(
    journey_map, owner, django_capture_on_commit_callbacks
):
    change_id = uuid.uuid4()
    op = {"type": "map.update", "fields": {"title": "Một"}}
    with django_capture_on_commit_callbacks(execute=True):
        change(journey_map, owner, op, change_id=change_id)
    layer, channel = _listener(journey_map)

    with django_capture_on_commit_callbacks(execute=True):
        change(journey_map, owner, op, change_id=change_id)

    assert _pending(layer, channel) == []


# --- big changes (imports, templates): parents read once, item ids checked in one query -------


def _cards(board: Board, count: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "type": "item.create",
            "id": new(),
            "lane": board.lanes["actions"],
            "stage": board.stage,
            "position": f"b{n:03d}",
            "text": f"Thẻ {n}",
            **extra,
        }
        for n in range(count)
    ]


def test_a_big_change_reads_each_lane_and_stage_once(board, owner, django_assert_max_num_queries):
    cards = _cards(board, 40)
    # The lock, the preload of taken ids, one read of the lane and the stage, the room count,
    # forty inserts, the revision and the log (plus savepoints and hooks): not 4 per card.
    with django_assert_max_num_queries(60):
        change(board.map, owner, *cards)
    assert Item.objects.filter(map=board.map, lane_id=board.lanes["actions"]).count() == 42


def test_a_big_change_refuses_an_item_id_already_used_and_changes_nothing(board, owner):
    cards = _cards(board, 10)
    cards[7]["id"] = board.card
    before = content_of(board.map)

    error = refused(board.map, owner, *cards)

    assert (error.code, error.op) == ("invalid_op", 7)
    assert "already used" in error.message
    assert content_of(board.map) == before


def test_a_big_change_refuses_the_same_new_id_twice(board, owner):
    cards = _cards(board, 10)
    cards[9]["id"] = cards[2]["id"]
    before = content_of(board.map)

    error = refused(board.map, owner, *cards)

    assert (error.code, error.op) == ("invalid_op", 9)
    assert content_of(board.map) == before


def test_a_big_change_may_create_again_an_item_it_deleted(board, owner):
    cards = _cards(board, 10)
    cards[5]["id"] = board.card
    change(board.map, owner, {"type": "item.delete", "id": board.card}, *cards)
    assert Item.objects.get(pk=board.card).text == "Thẻ 5"


def test_a_lane_deleted_in_a_change_takes_no_more_items_from_it(board, owner):
    lane = new()
    cards = _cards(board, 10)
    for card in cards:
        card["lane"] = lane
    before = content_of(board.map)
    ops = [
        {"type": "lane.create", "id": lane, "kind": "actions", "title": "x", "position": "z0"},
        *cards[:5],
        {"type": "lane.delete", "id": lane},
        *cards[5:],
    ]

    error = refused(board.map, owner, *ops)

    assert (error.code, error.op) == ("not_found", 7)
    assert content_of(board.map) == before
