"""A workspace with two maps of cards and an insight repository, shared by the insights tests:
`journey_map` (the conftest's, where `role_users` holds every role) and a second map nobody
but the workspace's members may read."""

from __future__ import annotations

import uuid
from typing import Any

from insights.models import Insight
from maps.documents import map_create
from maps.services import apply_ops


def uid() -> str:
    return str(uuid.uuid4())


def cards(journey_map: Any, actor: Any, texts: list[str]) -> list[str]:
    """A stage, a pains lane and one card per text on the map; the cards' ids."""
    stage, lane = uid(), uid()
    ids = [uid() for _ in texts]
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": stage, "name": "Cân nhắc", "position": "a0"},
        {
            "type": "lane.create",
            "id": lane,
            "kind": "obstacles",
            "title": "Điểm đau",
            "position": "a0",
        },
    ]
    for index, (card, text) in enumerate(zip(ids, texts, strict=True)):
        ops.append(
            {
                "type": "item.create",
                "id": card,
                "lane": lane,
                "stage": stage,
                "position": f"a{index}",
                "text": text,
            }
        )
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops)
    return ids


def build(*, workspace: Any, journey_map: Any, owner: Any) -> dict[str, Any]:
    other = map_create(workspace=workspace, actor=owner, title="Hành trình mua lại")
    quote = Insight.objects.create(
        workspace=workspace,
        kind="interview",
        text="“Tôi không biết phí giao hàng cho đến bước cuối.”",
        source_title="Phỏng vấn khách hàng tháng 10",
        participants=1,
        tag_text=",checkout,giá,",
    )
    survey = Insight.objects.create(
        workspace=workspace, kind="survey", text="62% bỏ giỏ vì phí ship", participants=480
    )
    return {
        "map": journey_map,
        "other": other,
        "cards": cards(journey_map, owner, ["Phí ship bất ngờ", "Form quá dài"]),
        "other_cards": cards(other, owner, ["Không nhớ mật khẩu"]),
        "quote": quote,
        "survey": survey,
    }
