"""A workspace of journey maps with scored opportunities and action items: what the portfolio
tests, the browser flows, the screenshots and bench/portfolio.py look at."""

from __future__ import annotations

import uuid
from typing import Any

from maps.documents import map_create
from maps.services import apply_ops
from personas.models import Persona

STAGES = ("Nhận biết", "Cân nhắc", "Mua hàng", "Sử dụng", "Giữ chân")


def new() -> str:
    return str(uuid.uuid4())


def change(journey_map: Any, actor: Any, ops: list[dict[str, Any]]) -> None:
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))


def opportunity_map(
    workspace: Any,
    actor: Any,
    title: str,
    opportunities: list[dict[str, Any]],
    actions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    persona: Any = None,
) -> dict[str, Any]:
    """A map with five stages, an opportunities lane and an action-plan lane. Each
    opportunity and action is a dict of item fields plus `stage` (an index); answers the map
    and the ids of its stages, lanes, opportunities and actions, in the given order."""
    journey_map = map_create(workspace=workspace, actor=actor, title=title)
    stages = [new() for _ in STAGES]
    lanes = {"opportunities": new(), "action_plan": new()}
    ops: list[dict[str, Any]] = [
        {"type": "stage.create", "id": stage, "name": name, "position": f"a{index}"}
        for index, (stage, name) in enumerate(zip(stages, STAGES, strict=True))
    ]
    if persona is not None:
        ops.append({"type": "persona.attach", "persona": str(persona.pk)})
    titles = {"opportunities": "Cơ hội", "action_plan": "Kế hoạch hành động"}
    for index, (kind, lane) in enumerate(lanes.items()):
        ops.append(
            {
                "type": "lane.create",
                "id": lane,
                "kind": kind,
                "title": titles[kind],
                "position": f"a{index}",
            }
        )
    ids: dict[str, list[str]] = {"opportunities": [], "actions": []}
    for key, kind, specs in (
        ("opportunities", "opportunities", opportunities),
        ("actions", "action_plan", actions),
    ):
        for index, spec in enumerate(specs):
            fields = dict(spec)
            stage = stages[fields.pop("stage", 0)]
            item = new()
            ids[key].append(item)
            ops.append(
                {
                    "type": "item.create",
                    "id": item,
                    "lane": lanes[kind],
                    "stage": stage,
                    "position": f"a{index:04d}",
                    **fields,
                }
            )
    change(journey_map, actor, ops)
    return {"map": journey_map, "stages": stages, "lanes": lanes, **ids}


def build_portfolio(workspace: Any, owner: Any) -> dict[str, Any]:
    """Two maps: an online checkout journey and an in-store journey, with a persona each."""
    hoa = Persona.objects.create(workspace=workspace, name="Chị Hoa", color="#ec4899")
    nam = Persona.objects.create(workspace=workspace, name="Anh Nam", color="#0ea5e9")
    checkout = opportunity_map(
        workspace,
        owner,
        "Mua sắm trực tuyến",
        [
            {
                "stage": 2,
                "text": "Thanh toán một chạm bằng ví điện tử",
                "impact": 5,
                "effort": 2,
                "reach": 8000,
                "confidence": 80,
                "status": "planned",
                "owner": "Nhóm Thanh toán",
                "due": "2027-02-15",
            },
            {
                "stage": 1,
                "text": "So sánh sản phẩm ngay trên trang danh mục",
                "impact": 3,
                "effort": 4,
                "status": "idea",
                "owner": "Nhóm Sản phẩm",
            },
            {"stage": 0, "text": "Video hướng dẫn chọn size", "impact": 2, "effort": 1},
            {
                "stage": 3,
                "text": "Theo dõi đơn hàng theo thời gian thực",
                "impact": 4,
                "effort": 5,
                "status": "in_progress",
                "owner": "Nhóm Vận hành",
                "due": "2027-01-10",
            },
            {"stage": 4, "text": "Chương trình khách hàng thân thiết"},
        ],
        [
            {"stage": 2, "text": "Tích hợp MoMo và ZaloPay", "owner": "Minh", "due": "2027-01-31"},
        ],
        persona=hoa,
    )
    store = opportunity_map(
        workspace,
        owner,
        "Mua tại cửa hàng",
        [
            {
                "stage": 2,
                "text": "Quầy thanh toán tự phục vụ",
                "impact": 4,
                "effort": 4,
                "status": "done",
                "owner": "Nhóm Cửa hàng",
            },
            {
                "stage": 0,
                "text": "Bản đồ cửa hàng trên ứng dụng",
                "impact": 2,
                "effort": 4,
                "status": "dropped",
            },
        ],
        [{"stage": 2, "text": "Thí điểm 3 quầy tự phục vụ tại Quận 1", "owner": "Lan"}],
        persona=nam,
    )
    return {"checkout": checkout, "store": store, "hoa": hoa, "nam": nam}


def link_solutions(world: dict[str, Any], owner: Any) -> None:
    """Both maps' action items address an opportunity: one on its own map (`fixes`, map
    content), one on the other map (a SolutionLink of the portfolio)."""
    from portfolio.models import SolutionLink

    checkout, store = world["checkout"], world["store"]
    fix = {"fixes": checkout["opportunities"][0]}
    change(
        checkout["map"],
        owner,
        [{"type": "item.update", "id": checkout["actions"][0], "fields": fix}],
    )
    SolutionLink.objects.create(
        workspace=store["map"].workspace,
        action_id=store["actions"][0],
        opportunity_id=checkout["opportunities"][0],
        created_by=owner,
    )
