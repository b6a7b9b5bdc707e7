"""A random but valid edit history, built through apply_ops like real editors' changes."""

from __future__ import annotations

import random
import uuid
from typing import Any

from maps.services import apply_ops, map_document

LANE_KINDS = ["actions", "touchpoints", "emotions", "metrics", "action_plan", "obstacles"]
ATTRIBUTES = {
    "card": lambda r: {
        "text": r.choice(["Tìm kiếm", "So sánh giá", "Đọc đánh giá @member", ""]),
        "evidence": r.choice(["assumption", "data"]),
    },
    "touchpoint": lambda r: {
        "channel": r.choice(["website", "email", ""]),
        "online": r.choice([True, False, None]),
        "impact": r.choice([1, 3, 5, None]),
        "owner": "Marketing",
    },
    "emotion": lambda r: {"score": r.choice([-2, -1, 0, 1, 2]), "note": r.choice(["vui", None])},
    "metric": lambda r: {"name": "NPS", "value": r.choice([12.5, None, 40.0]), "unit": "%"},
    "action": lambda r: {
        "owner": "CS",
        "due": r.choice(["2027-01-31", None]),
        "status": r.choice(["todo", "doing", "done"]),
    },
}
KIND_OF_LANE = {
    "touchpoints": "touchpoint",
    "emotions": "emotion",
    "metrics": "metric",
    "action_plan": "action",
}


def _id() -> str:
    return str(uuid.uuid4())


def _pos(r: random.Random) -> str:
    return "a" + "".join(r.choice("0123456789ABCxyz") for _ in range(r.randint(1, 3)))


def random_op(
    r: random.Random, doc: dict[str, Any], personas: list[str], actors: dict[str, Any]
) -> tuple[list[dict[str, Any]], Any]:
    """One change's ops against `doc`, and who sends it."""
    stages, lanes, items, links = doc["stages"], doc["lanes"], doc["items"], doc["links"]
    comments = doc["comments"]
    actor = r.choice([actors["owner"], actors["editor"]])
    choices = ["stage.create", "lane.create", "map.update", "persona"]
    if stages:
        choices += ["stage.update", "stage.move", "comment.stage"]
        choices += ["stage.delete"] if len(stages) > 2 else []
    if lanes:
        choices += ["lane.update", "lane.move"] + (["lane.delete"] if len(lanes) > 2 else [])
    if stages and lanes:
        choices += ["item.create"] * 6 + ["batch"]
    if items:
        choices += ["item.update"] * 3 + ["item.move"] * 2 + ["item.delete", "comment.item"]
    if len(items) > 1:
        choices += ["link.create"]
    if links:
        choices += ["link.delete"]
    if comments:
        choices += ["comment.reply", "comment.update", "comment.resolve", "comment.delete"]
    what = r.choice(choices)
    if what == "map.update":
        field = r.choice(
            [
                {"title": r.choice(["Hành trình", "Journey"])},
                {"objective": None},
                {"objective": "Tăng chuyển đổi"},
                {"status": "in_review"},
                {"next_review": r.choice(["2027-03-01", None])},
                {"language": "en"},
            ]
        )
        return [{"type": "map.update", "fields": field}], actor
    if what == "persona":
        pid = r.choice(personas)
        attached = {p["id"] for p in doc["personas"]}
        verb = "detach" if pid in attached else "attach"
        return [{"type": f"persona.{verb}", "persona": pid}], actor
    if what == "stage.create":
        return [
            {
                "type": "stage.create",
                "id": _id(),
                "name": r.choice(["Nhận thức", "Cân nhắc"]),
                "position": _pos(r),
                **r.choice([{}, {"phase": "before", "color": "#ff0000"}]),
            }
        ], actor
    if what == "lane.create":
        kind = r.choice(LANE_KINDS)
        return [
            {
                "type": "lane.create",
                "id": _id(),
                "kind": kind,
                "title": kind,
                "position": _pos(r),
                **r.choice([{}, {"collapsed": True}]),
            }
        ], actor
    if what == "stage.update":
        fields = r.choice(
            [
                {"name": "Mua hàng"},
                {"description": None},
                {"description": "mô tả"},
                {"phase": ""},
                {"color": None},
                {"phase": "after"},
            ]
        )
        return [{"type": "stage.update", "id": r.choice(stages)["id"], "fields": fields}], actor
    if what == "lane.update":
        fields = r.choice([{"title": "Động cơ"}, {"description": None}, {"collapsed": False}])
        return [{"type": "lane.update", "id": r.choice(lanes)["id"], "fields": fields}], actor
    if what in {"stage.move", "lane.move"}:
        rows = stages if what == "stage.move" else lanes
        return [{"type": what, "id": r.choice(rows)["id"], "position": _pos(r)}], actor
    if what in {"stage.delete", "lane.delete", "item.delete", "link.delete"}:
        rows = {"stage": stages, "lane": lanes, "item": items, "link": links}[what.split(".")[0]]
        return [{"type": what, "id": r.choice(rows)["id"]}], actor
    if what == "item.create":
        return [_item_create(r, r.choice(lanes), r.choice(stages)["id"], doc)], actor
    if what == "batch":
        stage_id, lane = _id(), r.choice(lanes)
        item = _item_create(r, lane, stage_id, doc)
        return [
            {"type": "stage.create", "id": stage_id, "name": "Giữ chân", "position": _pos(r)},
            item,
            {"type": "comment.create", "id": _id(), "item": item["id"], "text": "Mới @owner"},
        ], actor
    if what == "item.update":
        item = r.choice(items)
        fields = ATTRIBUTES[item["kind"]](r) | r.choice([{}, {"text": None}, {"color": "#00ff00"}])
        if item["kind"] == "action" and r.random() < 0.5:
            fixes = [i["id"] for i in items if i["id"] != item["id"]] + [None]
            fields["fixes"] = r.choice(fixes)
        if item["kind"] == "emotion" and doc["personas"] and r.random() < 0.5:
            fields["persona"] = r.choice(doc["personas"])["id"]
        return [{"type": "item.update", "id": item["id"], "fields": fields}], actor
    if what == "item.move":
        item = r.choice(items)
        same = [lane for lane in lanes if KIND_OF_LANE.get(lane["kind"], "card") == item["kind"]]
        op = {"type": "item.move", "id": item["id"], "position": _pos(r)}
        if r.random() < 0.5:
            op["stage"] = r.choice(stages)["id"]
        if r.random() < 0.5:
            op["lane"] = r.choice(same)["id"]
        return [op], actor
    if what == "link.create":
        a, b = r.sample(items, 2)
        return [
            {
                "type": "link.create",
                "id": _id(),
                "source": a["id"],
                "target": b["id"],
                "label": r.choice(["", "quay lại"]),
            }
        ], actor
    if what in {"comment.stage", "comment.item"}:
        key, rows = ("stage", stages) if what == "comment.stage" else ("item", items)
        text = r.choice(["Cần dữ liệu @member", "Đồng ý", "@owner xem giúp"])
        return [
            {"type": "comment.create", "id": _id(), key: r.choice(rows)["id"], "text": text}
        ], actor
    comment = r.choice(comments)
    author = next(a for a in actors.values() if a.pk == comment["author"]["id"])
    if what == "comment.reply":
        return [
            {"type": "comment.create", "id": _id(), "parent": comment["id"], "text": "Trả lời"}
        ], actor
    if what == "comment.update":
        return [{"type": "comment.update", "id": comment["id"], "text": "Sửa @member"}], author
    if what == "comment.resolve":
        return [
            {"type": "comment.resolve", "id": comment["id"], **r.choice([{}, {"resolved": False}])}
        ], actor
    return [{"type": "comment.delete", "id": comment["id"]}], author


def _item_create(
    r: random.Random, lane: dict[str, Any], stage_id: str, doc: dict[str, Any]
) -> dict[str, Any]:
    kind = KIND_OF_LANE.get(lane["kind"], "card")
    attrs = ATTRIBUTES[kind](r) if r.random() < 0.7 else {}
    if kind == "emotion" and doc["personas"] and r.random() < 0.3:
        attrs["persona"] = r.choice(doc["personas"])["id"]
    return {
        "type": "item.create",
        "id": _id(),
        "lane": lane["id"],
        "stage": stage_id,
        "position": _pos(r),
        "text": r.choice(["", "Thẻ"]),
        **attrs,
    }


def random_history(
    *, journey_map: Any, actors: dict[str, Any], personas: list[str], changes: int, seed: int
) -> dict[int, dict[str, Any]]:
    """Apply `changes` random changes; the document after each one, by revision."""
    r = random.Random(seed)
    journey_map.refresh_from_db()
    seen: dict[int, dict[str, Any]] = {
        journey_map.revision: dict(map_document(journey_map=journey_map))
    }
    while len(seen) <= changes:
        doc = seen[max(seen)]
        ops, actor = random_op(r, doc, personas, actors)
        applied = apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops)
        journey_map.refresh_from_db()
        seen[applied.revision] = dict(map_document(journey_map=journey_map))
    return seen


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without its timestamps (the op log stores times to the change, not the row)."""
    out = {k: v for k, v in doc.items() if k not in {"created", "updated", "role"}}
    out["links"] = sorted(doc["links"], key=lambda link: link["id"])
    out["comments"] = sorted(
        ({k: v for k, v in c.items() if k not in {"created", "updated"}} for c in doc["comments"]),
        key=lambda c: c["id"],
    )
    return out
