"""The map's timeline: the op log read as sentences, grouped by person and minute.

"Lan renamed stage Awareness → Nhận thức", "Minh added 3 cards to Consideration". Names come
from the document as it was just before each op (replayed with history.services), so a deleted
stage is still called by its name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from maps.models import Change, JourneyMap
from maps.revisions import State, document_at, reduce_op, users_by_id
from personas.models import Persona

MAX_CHANGES = 400  # changes read per timeline page

KINDS = {
    "en": {
        "card": ("card", "cards"),
        "touchpoint": ("touchpoint", "touchpoints"),
        "emotion": ("emotion point", "emotion points"),
        "metric": ("metric", "metrics"),
        "action": ("action item", "action items"),
    },
    "vi": {
        "card": ("thẻ", "thẻ"),
        "touchpoint": ("điểm chạm", "điểm chạm"),
        "emotion": ("điểm cảm xúc", "điểm cảm xúc"),
        "metric": ("chỉ số", "chỉ số"),
        "action": ("việc cần làm", "việc cần làm"),
    },
}
PHRASES = {
    "en": {
        "map.title": "renamed the map to “{name}”",
        "map.fields": "changed the map's {name}",
        "persona.attach": "added persona {name}",
        "persona.detach": "removed persona {name}",
        "stage.create": "added stage {name}",
        "stage.create.n": "added {n} stages",
        "stage.rename": "renamed stage {old} → {name}",
        "stage.update": "edited stage {name}",
        "stage.move": "moved stage {name}",
        "stage.delete": "deleted stage {name}",
        "lane.create": "added lane {name}",
        "lane.create.n": "added {n} lanes",
        "lane.rename": "renamed lane {old} → {name}",
        "lane.update": "edited lane {name}",
        "lane.move": "moved lane {name}",
        "lane.delete": "deleted lane {name}",
        "item.create": "added {count} to {name}",
        "item.update": "edited {count} in {name}",
        "item.move": "moved {count} to {name}",
        "item.delete": "deleted {count} from {name}",
        "link.create": "linked {n} pairs of items",
        "link.delete": "removed {n} links",
        "comment.create": "commented on {name}",
        "comment.reply": "replied to a comment on {name}",
        "comment.update": "edited a comment",
        "comment.resolve": "resolved a comment",
        "comment.reopen": "reopened a comment",
        "comment.delete": "deleted a comment",
        "someone": "Someone",
    },
    "vi": {
        "map.title": "đổi tên bản đồ thành “{name}”",
        "map.fields": "sửa {name} của bản đồ",
        "persona.attach": "thêm chân dung {name}",
        "persona.detach": "bỏ chân dung {name}",
        "stage.create": "thêm giai đoạn {name}",
        "stage.create.n": "thêm {n} giai đoạn",
        "stage.rename": "đổi tên giai đoạn {old} → {name}",
        "stage.update": "sửa giai đoạn {name}",
        "stage.move": "di chuyển giai đoạn {name}",
        "stage.delete": "xoá giai đoạn {name}",
        "lane.create": "thêm hàng {name}",
        "lane.create.n": "thêm {n} hàng",
        "lane.rename": "đổi tên hàng {old} → {name}",
        "lane.update": "sửa hàng {name}",
        "lane.move": "di chuyển hàng {name}",
        "lane.delete": "xoá hàng {name}",
        "item.create": "thêm {count} vào {name}",
        "item.update": "sửa {count} ở {name}",
        "item.move": "chuyển {count} sang {name}",
        "item.delete": "xoá {count} khỏi {name}",
        "link.create": "nối {n} cặp thẻ",
        "link.delete": "bỏ {n} liên kết",
        "comment.create": "bình luận về {name}",
        "comment.reply": "trả lời một bình luận về {name}",
        "comment.update": "sửa một bình luận",
        "comment.resolve": "đánh dấu đã xử lý một bình luận",
        "comment.reopen": "mở lại một bình luận",
        "comment.delete": "xoá một bình luận",
        "someone": "Ai đó",
    },
}
MAP_FIELD_NAMES = {
    "en": {
        "objective": "objective",
        "type": "type",
        "audience": "audience",
        "scenario": "scenario",
        "status": "status",
        "language": "language",
        "next_review": "review date",
    },
    "vi": {
        "objective": "mục tiêu",
        "type": "loại",
        "audience": "đối tượng",
        "scenario": "kịch bản",
        "status": "trạng thái",
        "language": "ngôn ngữ",
        "next_review": "ngày rà soát",
    },
}

Event = tuple[str, str, str, str]  # phrase key, name, old name, item kind


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _events(state: State, op: dict[str, Any], language: str) -> list[Event]:
    """What one op did, named from the document just before it."""
    kind, _, verb = op["type"].partition(".")
    if kind == "map":
        out: list[Event] = []
        if "title" in op["fields"]:
            out.append(("map.title", op["fields"]["title"], "", ""))
        others = [MAP_FIELD_NAMES[language][f] for f in op["fields"] if f != "title"]
        if others:
            out.append(("map.fields", ", ".join(others), "", ""))
        return out
    if kind == "persona":
        persona = Persona.objects.filter(pk=op["persona"]).values_list("name", flat=True).first()
        return [(op["type"], persona or "?", "", "")]
    if kind in {"stage", "lane"}:
        rows, label = (state.stages, "name") if kind == "stage" else (state.lanes, "title")
        if verb == "create":
            return [(op["type"], op[label], "", "")]
        name = rows[op["id"]][label] if op["id"] in rows else "?"
        if verb == "update" and label in op["fields"]:
            return [(f"{kind}.rename", op["fields"][label], name, "")]
        return [(op["type"], name, "", "")]
    if kind == "item":
        item = state.items.get(op["id"])
        if verb == "create":
            lane = state.lanes.get(op["lane"], {})
            from maps.models import item_kind_for_lane

            item_kind = str(item_kind_for_lane(lane.get("kind", "text")))
            stage_id = op["stage"]
        else:
            item_kind = item["kind"] if item else "card"
            stage_id = (op.get("stage") or item["stage"]) if item else ""
        stage = state.stages.get(stage_id, {}).get("name", "?")
        return [(op["type"], stage, "", item_kind)]
    if kind == "link":
        return [(op["type"], "", "", "")]
    if verb == "create":
        target = _comment_target(state, op)
        return [("comment.reply" if op.get("parent") else "comment.create", target, "", "")]
    if verb == "resolve":
        return [("comment.resolve" if op.get("resolved", True) else "comment.reopen", "", "", "")]
    return [(op["type"], "", "", "")]


def _comment_target(state: State, op: dict[str, Any]) -> str:
    item_id, stage_id = op.get("item"), op.get("stage")
    if op.get("parent") in state.comments:
        parent = state.comments[op["parent"]]
        item_id, stage_id = parent["item"], parent["stage"]
    if item_id in state.items:
        item = state.items[item_id]
        return _snippet(item.get("text") or item.get("name") or item.get("note") or "…")
    return state.stages.get(stage_id or "", {}).get("name", "?")


def _phrase(event: Event, count: int, language: str) -> str:
    key, name, old, item_kind = event
    phrases = PHRASES[language]
    if key in {"stage.create", "lane.create"} and count > 1:
        return phrases[f"{key}.n"].format(n=count)
    if item_kind:
        singular, plural = KINDS[language][item_kind]
        return phrases[key].format(count=f"{count} {singular if count == 1 else plural}", name=name)
    return phrases[key].format(name=name, old=old, n=count)


def _first_name(user: Any, language: str) -> str:
    if user is None:
        return PHRASES[language]["someone"]
    return user.first_name or user.get_full_name() or user.username


def map_timeline(
    *, journey_map: JourneyMap, language: str = "vi", before: int | None = None
) -> dict[str, Any]:
    """Newest first: groups of consecutive changes by one person within one minute.

    `before` pages back: only changes with revision <= before. Returns the entries and the
    revision to ask for next (or None at the beginning).
    """
    language = language if language in PHRASES else "en"
    end = journey_map.revision if before is None else min(before, journey_map.revision)
    start = max(end - MAX_CHANGES, 0)
    changes = list(
        Change.objects.filter(map=journey_map, revision__gt=start, revision__lte=end)
        .order_by("revision")
        .values("revision", "actor_id", "session", "ops", "created_at")
    )
    users = users_by_id(c["actor_id"] for c in changes)
    state = State(document_at(journey_map=journey_map, revision=start))
    groups: list[dict[str, Any]] = []
    for change in changes:
        minute = change["created_at"].replace(second=0, microsecond=0)
        last = groups[-1] if groups else None
        restore = change["session"].startswith("restore:")
        if (
            last is None
            or restore
            or last["restore"] is not None
            or last["actor_id"] != change["actor_id"]
            or last["minute"] != minute
        ):
            last = {
                "actor_id": change["actor_id"],
                "minute": minute,
                "events": Counter(),
                "from": change["revision"],
                "time": change["created_at"],
                "restore": None,
                "ops": Counter(),
            }
            groups.append(last)
        last["to"] = change["revision"]
        if restore:
            last["restore"] = int(change["session"].split(":", 1)[1])
        when = change["created_at"].isoformat()
        for op in change["ops"]:
            last["ops"][op["type"]] += 1
            for event in _events(state, op, language):
                last["events"][event] += 1
            reduce_op(state, op, actor=change["actor_id"], users=users, when=when)
    entries = [_entry(group, users, language) for group in reversed(groups)]
    return {"results": entries, "next": start if start > 0 else None}


RESTORED = {"en": "restored revision {n}", "vi": "khôi phục phiên bản {n}"}
# A group with more distinct phrases than this reads as counts ("added 5 stages, 40 items").
MAX_PHRASES = 6
VERBS = {
    "en": {
        "create": "added",
        "update": "edited",
        "move": "moved",
        "delete": "deleted",
        "attach": "added",
        "detach": "removed",
        "resolve": "resolved",
    },
    "vi": {
        "create": "thêm",
        "update": "sửa",
        "move": "di chuyển",
        "delete": "xoá",
        "attach": "thêm",
        "detach": "bỏ",
        "resolve": "xử lý",
    },
}
NOUNS = {
    "en": {
        "map": ("map detail", "map details"),
        "persona": ("persona", "personas"),
        "stage": ("stage", "stages"),
        "lane": ("lane", "lanes"),
        "item": ("item", "items"),
        "link": ("link", "links"),
        "comment": ("comment", "comments"),
    },
    "vi": {
        "map": ("thông tin bản đồ", "thông tin bản đồ"),
        "persona": ("chân dung", "chân dung"),
        "stage": ("giai đoạn", "giai đoạn"),
        "lane": ("hàng", "hàng"),
        "item": ("mục", "mục"),
        "link": ("liên kết", "liên kết"),
        "comment": ("bình luận", "bình luận"),
    },
}


def _condensed(ops: Counter[str], language: str) -> list[str]:
    """Counts per verb and kind of object, in the order they first happened."""
    phrases = []
    for op_type, count in ops.items():
        kind, _, verb = op_type.partition(".")
        verb = "update" if kind == "map" else verb
        singular, plural = NOUNS[language][kind]
        noun = singular if count == 1 else plural
        phrases.append(f"{VERBS[language].get(verb, verb)} {count} {noun}")
    return phrases


def _entry(group: dict[str, Any], users: dict[int, Any], language: str) -> dict[str, Any]:
    user = users.get(group["actor_id"]) if group["actor_id"] is not None else None
    name = _first_name(user, language)
    if group["restore"] is not None:
        phrases = [RESTORED[language].format(n=group["restore"])]
    elif len(group["events"]) > MAX_PHRASES:
        phrases = _condensed(group["ops"], language)
    else:
        phrases = [_phrase(event, count, language) for event, count in group["events"].items()]
    author = None
    if user is not None:
        author = {
            "id": user.pk,
            "username": user.username,
            "name": user.get_full_name() or user.username,
        }
    return {
        "actor": author,
        "from_revision": group["from"],
        "to_revision": group["to"],
        "time": group["time"].isoformat(),
        "summary": phrases,
        "text": f"{name} {', '.join(phrases)}",
    }
