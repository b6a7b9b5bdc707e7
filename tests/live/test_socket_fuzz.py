"""Hostile input on the live socket (docs/protocol.md, "The live socket"): a fuzzer on the
real ASGI app.

Hypothesis sends an editor's socket random and malformed messages: JSON that is not an object,
unknown or missing types, text that is not JSON, binary frames, messages over the size limit,
deeply nested JSON, and changes whose ops are random (random fields, ids, values) but end in
one op that cannot apply. Properties, for every message: the answer is an `error` with a
docs/protocol.md code (and the change id when the message had one), the socket stays open (a ping
right after gets its pong), nothing the server sends is unencodable as UTF-8 (a lone surrogate
kills a real server's frame), and the map is unchanged: same revision, same document, no new
op-log entry. Random presence messages get the same checks, except that a valid one is not
answered; a second socket on the map watches what they broadcast.

One socket serves all examples (connecting costs a handful of queries); the examples run
inside the test's event loop through asgiref, so the communicator stays on its own loop.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maps import services
from maps.models import Change, JourneyMap
from maps.ops import OP_TYPES
from tests.live.test_consumers import joined

pytestmark = pytest.mark.django_db(transaction=True)

CODES = {"bad_message", "invalid_op", "not_found", "forbidden", "too_large", "rate_limited"}
MAX_MESSAGE_CHARS = 256 * 1024
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same messages on every run: a CI failure reproduces locally
    suppress_health_check=list(HealthCheck),
)

# JSON values of every kind, small and a little nested; text has every code point, control
# characters and lone surrogates (valid in JSON's \u escapes, not encodable as UTF-8) included.
any_text = st.text(st.characters(exclude_categories=["Co"]), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
ids = st.uuids(version=4).map(str)
op_fields = st.sampled_from(
    [
        *("id", "name", "position", "text", "fields", "lane", "stage", "kind", "title"),
        *("persona", "source", "target", "item", "score", "phase", "color", "label", "note"),
    ]
)


@st.composite
def random_op(draw: st.DrawFn) -> Any:
    """Anything from a plausible op with wrong values to a value that is not an op at all."""
    kind = draw(st.sampled_from([*OP_TYPES, "stage.explode", ""]) | any_text)
    fields = draw(st.dictionaries(op_fields | any_text, json_values | ids, max_size=5))
    return draw(
        st.sampled_from(
            [{"type": kind, **fields}, fields, {"type": kind, "id": draw(ids)}, draw(json_values)]
        )
    )


def doomed_op() -> st.SearchStrategy[Any]:
    """An op that cannot apply whatever precedes it: nothing of its change may be applied."""
    missing = st.sampled_from(
        [
            *("stage.update", "stage.move", "stage.delete", "lane.delete", "item.delete"),
            *("item.update", "comment.resolve", "link.delete"),
        ]
    )
    return st.one_of(
        st.builds(
            lambda kind, object_id: (
                {
                    "type": kind,
                    "id": object_id,
                    "position": "a0",
                    "fields": {"name": "x"} if kind.startswith("stage") else {"text": "x"},
                }
                if kind.endswith("update") or kind.endswith("move")
                else {"type": kind, "id": object_id}
            ),
            missing,
            ids,
        ),
        st.builds(lambda t: {"type": t}, any_text.filter(lambda t: t not in OP_TYPES)),
        st.builds(lambda v: {"id": v}, json_values),  # no type at all
        json_values.filter(lambda v: not isinstance(v, dict)),  # not an object
    )


# Text no field may hold: a lone surrogate, a control character, or far over any length limit.
bad_texts = st.one_of(
    st.builds("{}\ud800{}".format, any_text, any_text),
    st.builds("{}\x00{}".format, any_text, any_text),
    st.sampled_from(["\x1b[31m", "\x7f", "x" * 20_000]),
)
bad_text_ops = st.one_of(
    st.builds(
        lambda i, t: {"type": "stage.create", "id": i, "name": t, "position": "a0"}, ids, bad_texts
    ),
    st.builds(
        lambda i, t: {
            "type": "lane.create",
            "id": i,
            "kind": "actions",
            "title": t,
            "position": "a0",
        },
        ids,
        bad_texts,
    ),
    st.builds(lambda t: {"type": "map.update", "fields": {"title": t}}, bad_texts),
)

changes = st.builds(
    lambda change_id, ops, last: {"type": "change", "id": change_id, "ops": [*ops, last]},
    ids | json_values,
    st.lists(random_op(), max_size=4),
    doomed_op(),
) | st.builds(
    lambda change_id, ops: {"type": "change", "id": change_id, "ops": ops},
    ids,
    json_values.filter(lambda v: v == [] or not isinstance(v, list)),  # ops not a list
)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def _nested(depth: int, kind: str) -> tuple[str, str]:
    """JSON nested `depth` deep (past Python's recursion limit), and the code it must get."""
    text = "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "0" + "}" * depth
    return text, "too_large" if len(text) > MAX_MESSAGE_CHARS else "bad_message"


# (a frame, the error code it must get): text frames are str, binary frames are bytes.
hostile_frames = st.one_of(
    json_values.filter(lambda v: not isinstance(v, dict)).map(
        lambda v: (json.dumps(v), "bad_message")
    ),
    st.dictionaries(any_text, json_values, max_size=4)
    .filter(lambda d: d.get("type") not in {"change", "presence", "ping"})
    .map(lambda d: (json.dumps(d), "bad_message")),
    st.builds(
        lambda kind, extra: (json.dumps({**extra, "type": kind}), "bad_message"),
        json_values.filter(lambda v: v not in ("change", "presence", "ping")),
        st.dictionaries(any_text, json_values, max_size=3),
    ),
    any_text.filter(_not_json).map(lambda t: (t, "bad_message")),
    st.binary(max_size=60).map(lambda b: (b, "bad_message")),
    st.sampled_from(["ping", "change", '{"type": "ping"', "\ufeff{}", "{'type': 'ping'}"]).map(
        lambda t: (t, "bad_message")
    ),
    st.builds(
        lambda change_id, op: (
            json.dumps({"type": "change", "id": change_id, "ops": [op]}),
            "invalid_op",
        ),
        ids,
        bad_text_ops,
    ),
    st.builds(
        _nested, st.sampled_from([2_000, 50_000, 120_000]), st.sampled_from(["list", "dict"])
    ),
    st.builds(
        lambda filler: (
            json.dumps({"type": "ping", "pad": filler * (MAX_MESSAGE_CHARS + 1)}),
            "too_large",
        ),
        st.sampled_from(["x", "đ", "\U0001f600"]),
    ),
    changes.map(lambda change: (json.dumps(change), None)),
)


async def _texts(socket: Any) -> list[str]:
    """Everything the socket has been sent so far, each checked to be UTF-8 encodable JSON."""
    texts = []
    while not await socket.receive_nothing(timeout=0.02):
        output = await socket.receive_output()
        assert output["type"] == "websocket.send", f"the server closed the socket: {output}"
        text = output["text"]
        text.encode("utf-8")  # a lone surrogate here would break a real server's frame
        json.loads(text)
        texts.append(text)
    return texts


async def _answer(socket: Any) -> dict[str, Any]:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.send", f"the server closed the socket: {output}"
    output["text"].encode("utf-8")
    message: dict[str, Any] = json.loads(output["text"])
    return message


async def _still_open(socket: Any) -> None:
    await socket.send_json_to({"type": "ping"})
    assert await _answer(socket) == {"type": "pong"}


@database_sync_to_async
def _snapshot(map_id: Any) -> dict[str, Any]:
    journey_map = JourneyMap.objects.get(pk=map_id)
    document: dict[str, Any] = dict(services.map_document(journey_map=journey_map))
    document.pop("updated_at", None)
    return {"document": document, "log": Change.objects.filter(map=journey_map).count()}


def _expected_codes(code: str | None) -> set[str]:
    # None: a change of random ops, refused for whichever op fails first.
    return CODES if code is None else {code}


@pytest.fixture
def fast_socket_limits(settings: Any) -> None:
    # The fuzzer sends two messages per example without pause: lift the per-socket rate
    # limits (tested in test_consumers.py) so the answers are about the messages themselves.
    settings.LIVE_CHANGE_RATE = (1e6, 1e6)
    settings.LIVE_PRESENCE_RATE = (1e6, 1e6)


async def test_hostile_messages_get_an_error_and_change_nothing(
    template_map: Any, member: Any, fast_socket_limits: None
) -> None:
    sockets = [(await joined(template_map.pk, member))[0]]
    before = await _snapshot(template_map.pk)

    @FUZZ
    @given(hostile_frames)
    @example(("[" * 5000 + "]" * 5000, "bad_message"))  # RecursionError ended the consumer
    @example(('{"type": "change", "id": "\\ud800", "ops": []}', "bad_message"))  # echoed
    def check(case: tuple[str | bytes, str | None]) -> None:
        async_to_sync(_one)(*case)

    async def _one(frame: str | bytes, code: str | None) -> None:
        if sockets[-1].future.done():  # a failed example ended it: report the next one alone
            sockets.append((await joined(template_map.pk, member))[0])
        socket = sockets[-1]
        # As the server hands frames over (send_to refuses empty ones, which clients can send).
        kind = "bytes" if isinstance(frame, bytes) else "text"
        await socket.send_input({"type": "websocket.receive", kind: frame})
        answer = await _answer(socket)
        assert answer["type"] == "error", answer
        assert answer["code"] in _expected_codes(code), answer
        if isinstance(frame, str) and frame.startswith('{"type": "change"'):
            sent_id = json.loads(frame)["id"]
            assert answer["id"] == (sent_id if _is_uuid(sent_id) else None), answer
        await _still_open(socket)
        assert await _snapshot(template_map.pk) == before

    await sync_to_async(check, thread_sensitive=False)()
    await sockets[-1].disconnect()


presences = st.fixed_dictionaries(
    {"type": st.just("presence")},
    optional={"editing": any_text | ids | json_values, "cursor": json_values, "extra": json_values},
)


async def test_random_presence_never_breaks_a_socket_or_its_peers(
    template_map: Any, member: Any, owner: Any, fast_socket_limits: None
) -> None:
    socket, _ = await joined(template_map.pk, member)
    peer, _ = await joined(template_map.pk, owner)
    await _texts(socket)  # the peer's join
    before = await _snapshot(template_map.pk)

    @FUZZ
    @given(presences)
    @example({"type": "presence", "editing": "\ud800"})  # broke every peer's frame
    def check(presence: dict[str, Any]) -> None:
        async_to_sync(_one)(presence)

    async def _one(presence: dict[str, Any]) -> None:
        await socket.send_json_to(presence)
        await socket.send_json_to({"type": "ping"})
        answer = await _answer(socket)
        refused = answer["type"] == "error"  # answered before the pong
        if refused:
            assert answer["code"] == "bad_message", answer
            answer = await _answer(socket)
        assert answer == {"type": "pong"}, answer
        if refused:
            assert await peer.receive_nothing(timeout=0.02)
        else:  # the peer gets it, in a frame a real server can encode (_answer checks)
            message = await _answer(peer)
            assert message["type"] == "presence", message
            assert message["editing"] is None or isinstance(message["editing"], str)
        assert await _snapshot(template_map.pk) == before

    await sync_to_async(check, thread_sensitive=False)()
    await socket.disconnect()
    await peer.disconnect()
