"""A workspace with a macro journey and sub-journeys, personas, emotions and metrics: what
the landscape tests, the browser flows and the screenshots look at."""

from __future__ import annotations

import uuid
from typing import Any

from maps.documents import map_create
from maps.models import Lane, Stage
from maps.services import apply_ops
from method.library import get_template
from personas.models import Persona


def change(journey_map: Any, actor: Any, ops: list[dict[str, Any]]) -> None:
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops)


def template_map(workspace: Any, actor: Any, title: str, **fields: Any) -> Any:
    spec = get_template("buyer_journey_5")
    assert spec is not None
    journey_map = map_create(
        workspace=workspace, actor=actor, title=title, document=spec.document("vi")
    )
    if fields:
        change(journey_map, actor, [{"type": "map.update", "fields": fields}])
    return journey_map


def stages_of(journey_map: Any) -> list[Any]:
    return list(Stage.objects.filter(map=journey_map).order_by("position", "id"))


def link_stage(journey_map: Any, actor: Any, index: int, target: Any) -> None:
    stage = stages_of(journey_map)[index]
    op = {"type": "stage.update", "id": str(stage.pk), "fields": {"subjourney": str(target.pk)}}
    change(journey_map, actor, [op])


def emotions(journey_map: Any, actor: Any, persona: Any, scores: list[int]) -> None:
    """One as-is emotion point per stage for `persona` (attached to the map first)."""
    lane = Lane.objects.get(map=journey_map, kind="emotions")
    ops: list[dict[str, Any]] = [{"type": "persona.attach", "persona": str(persona.pk)}]
    for stage, score in zip(stages_of(journey_map), scores, strict=False):
        ops.append(
            {
                "type": "item.create",
                "id": str(uuid.uuid4()),
                "lane": str(lane.pk),
                "stage": str(stage.pk),
                "position": f"z{score + 5}",
                "score": score,
                "persona": str(persona.pk),
            }
        )
    change(journey_map, actor, ops)


def metric(journey_map: Any, actor: Any, name: str, value: float, target: float, unit: str) -> None:
    lane = Lane.objects.get(map=journey_map, kind="metrics")
    stage = stages_of(journey_map)[0]
    op = {
        "type": "item.create",
        "id": str(uuid.uuid4()),
        "lane": str(lane.pk),
        "stage": str(stage.pk),
        "position": "z0",
        "name": name,
        "value": value,
        "target": target,
        "unit": unit,
    }
    change(journey_map, actor, [op])


def build_landscape(workspace: Any, owner: Any) -> dict[str, Any]:
    """Macro journey → two sub-journeys (one with its own sub-journey), one loose map."""
    hoa = Persona.objects.create(workspace=workspace, name="Chị Hoa", color="#ec4899")
    nam = Persona.objects.create(workspace=workspace, name="Anh Nam", color="#0ea5e9")
    macro = template_map(
        workspace,
        owner,
        "Hành trình mua nồi chiên không dầu",
        status="approved",
        objective="Vì sao khách bỏ giỏ hàng?",
    )
    research = template_map(workspace, owner, "Tìm hiểu và so sánh sản phẩm", status="in_review")
    checkout = template_map(workspace, owner, "Thanh toán và giao hàng", type="future")
    payment = template_map(workspace, owner, "Thanh toán bằng ví điện tử")
    loose = template_map(workspace, owner, "Chăm sóc sau bán hàng", status="draft")
    # Stages still to be researched: no touchpoint, no metric (the health check says so).
    for journey_map, names in ((loose, ["Bảo hành", "Mua lại"]), (payment, ["Hoàn tiền"])):
        change(
            journey_map,
            owner,
            [
                {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": f"z{i}"}
                for i, name in enumerate(names)
            ],
        )
    link_stage(macro, owner, 1, research)
    link_stage(macro, owner, 3, checkout)
    link_stage(checkout, owner, 2, payment)
    emotions(macro, owner, hoa, [1, 2, -1, -2, 1])
    emotions(macro, owner, nam, [0, 1, 1, -1, 2])
    emotions(checkout, owner, hoa, [-1, -2, 1, 0, -1])
    emotions(research, owner, nam, [2, 1, 1, 0, 1])
    metric(macro, owner, "Tỷ lệ chuyển đổi", 2.4, 4, "%")
    metric(macro, owner, "CSAT", 4.6, 4.5, "/5")
    metric(checkout, owner, "Tỷ lệ bỏ giỏ hàng", 68, 55, "%")
    return {
        "macro": macro,
        "research": research,
        "checkout": checkout,
        "payment": payment,
        "loose": loose,
        "hoa": hoa,
        "nam": nam,
    }
