"""maps/hooks.py: how the apps built on maps hear of changes and supply templates, without
maps importing them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maps import hooks
from maps.ops import OpError
from maps.services import apply_ops

pytestmark = pytest.mark.django_db


def _stage(name: str = "Nhận thức") -> dict[str, Any]:
    return {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": "a0"}


def test_listeners_hear_each_applied_change_with_its_ops_and_actor(journey_map, owner):
    heard: list[dict[str, Any]] = []

    def listener(**kwargs: Any) -> None:
        heard.append(kwargs)

    hooks.change_applied.connect(listener)
    try:
        op = _stage()
        apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
    finally:
        hooks.change_applied.disconnect(listener)
    assert len(heard) == 1
    assert heard[0]["journey_map"].pk == journey_map.pk
    assert heard[0]["ops"][0]["name"] == "Nhận thức"
    assert heard[0]["actor_id"] == owner.pk


def test_a_refused_change_tells_no_listener(journey_map, role_users):
    heard: list[Any] = []

    def listener(**kwargs: Any) -> None:
        heard.append(kwargs)

    hooks.change_applied.connect(listener)
    try:
        with pytest.raises(OpError):
            apply_ops(
                map_id=journey_map.pk,
                actor=role_users["viewer"],
                change_id=uuid.uuid4(),
                ops=[_stage()],
            )
    finally:
        hooks.change_applied.disconnect(listener)
    assert heard == []


def test_the_template_library_registers_itself_when_django_starts(workspace):
    document = hooks.template_document(workspace=workspace, key="buyer_journey_5", language="vi")
    assert document is not None and len(document.stages) == 5
    assert hooks.template_document(workspace=workspace, key="no-such", language="vi") is None


def test_template_sources_are_asked_in_turn_until_one_knows_the_key(monkeypatch, workspace):
    asked: list[str] = []

    def first(**kwargs: Any) -> None:
        asked.append("first")

    def second(**kwargs: Any) -> Any:
        asked.append("second")
        return "the document"

    monkeypatch.setattr(hooks, "_template_sources", [])
    hooks.template_source_register(first)
    hooks.template_source_register(second)
    hooks.template_source_register(first)  # registering twice asks once
    answer = hooks.template_document(workspace=workspace, key="k", language="en")
    assert answer == "the document" and asked == ["first", "second"]
