"""The map's timeline: the op log read as sentences, grouped by person and minute.

"Lan renamed stage Awareness → Nhận thức", "Minh added 3 cards to Consideration". Names come
from the document as it was just before each op (replayed with history.services), so a deleted
stage is still called by its name.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext_lazy

from maps.models import Change, JourneyMap
from maps.revisions import State, document_at, reduce_op, users_by_id
from personas.models import Persona

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_CHANGES = 400  # changes read per timeline page

# An item kind counted ("3 cards"); `n` picks the plural form.
KINDS = {
    "card": ngettext_lazy("%(n)s card", "%(n)s cards", "n"),
    "touchpoint": ngettext_lazy("%(n)s touchpoint", "%(n)s touchpoints", "n"),
    "emotion": ngettext_lazy("%(n)s emotion point", "%(n)s emotion points", "n"),
    "metric": ngettext_lazy("%(n)s metric", "%(n)s metrics", "n"),
    "action": ngettext_lazy("%(n)s action item", "%(n)s action items", "n"),
}
PHRASES = {
    "map.title": gettext_lazy("renamed the map to “%(name)s”"),
    "map.fields": gettext_lazy("changed the map's %(name)s"),
    "persona.attach": gettext_lazy("added persona %(name)s"),
    "persona.detach": gettext_lazy("removed persona %(name)s"),
    "stage.create": gettext_lazy("added stage %(name)s"),
    # Only said of two or more (one is named: "added stage …").
    "stage.create.n": gettext_lazy("added %(n)s stages"),
    "stage.rename": gettext_lazy("renamed stage %(old)s → %(name)s"),
    "stage.update": gettext_lazy("edited stage %(name)s"),
    "stage.move": gettext_lazy("moved stage %(name)s"),
    "stage.delete": gettext_lazy("deleted stage %(name)s"),
    "lane.create": gettext_lazy("added lane %(name)s"),
    "lane.create.n": gettext_lazy("added %(n)s lanes"),
    "lane.rename": gettext_lazy("renamed lane %(old)s → %(name)s"),
    "lane.update": gettext_lazy("edited lane %(name)s"),
    "lane.move": gettext_lazy("moved lane %(name)s"),
    "lane.delete": gettext_lazy("deleted lane %(name)s"),
    # %(count)s is a counted item kind (KINDS): "added 3 cards to Awareness".
    "item.create": gettext_lazy("added %(count)s to %(name)s"),
    "item.update": gettext_lazy("edited %(count)s in %(name)s"),
    "item.move": gettext_lazy("moved %(count)s to %(name)s"),
    "item.delete": gettext_lazy("deleted %(count)s from %(name)s"),
    "link.create": gettext_lazy("linked %(n)s pairs of items"),
    "link.delete": gettext_lazy("removed %(n)s links"),
    "comment.create": gettext_lazy("commented on %(name)s"),
    "comment.reply": gettext_lazy("replied to a comment on %(name)s"),
    "comment.update": gettext_lazy("edited a comment"),
    "comment.resolve": gettext_lazy("resolved a comment"),
    "comment.reopen": gettext_lazy("reopened a comment"),
    "comment.delete": gettext_lazy("deleted a comment"),
}
MAP_FIELD_NAMES = {
    "objective": pgettext_lazy("a map field named in the timeline", "objective"),
    "type": pgettext_lazy("a map field named in the timeline", "type"),
    "audience": pgettext_lazy("a map field named in the timeline", "audience"),
    "scenario": pgettext_lazy("a map field named in the timeline", "scenario"),
    "status": pgettext_lazy("a map field named in the timeline", "status"),
    "language": pgettext_lazy("a map field named in the timeline", "language"),
    "next_review": pgettext_lazy("a map field named in the timeline", "review date"),
}
LANGUAGES = {"vi", "en"}

Event = tuple[str, str, str, str]  # phrase key, name, old name, item kind


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _events(state: State, op: dict[str, Any]) -> list[Event]:
    """What one op did, named from the document just before it."""
    kind, _dot, verb = op["type"].partition(".")
    if kind == "map":
        out: list[Event] = []
        if "title" in op["fields"]:
            out.append(("map.title", op["fields"]["title"], "", ""))
        others = [str(MAP_FIELD_NAMES[f]) for f in op["fields"] if f != "title"]
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


def _phrase(event: Event, count: int) -> str:
    key, name, old, item_kind = event
    if key in {"stage.create", "lane.create"} and count > 1:
        return str(PHRASES[f"{key}.n"] % {"n": count})
    if item_kind:
        return str(PHRASES[key] % {"count": KINDS[item_kind] % {"n": count}, "name": name})
    return str(PHRASES[key] % {"name": name, "old": old, "n": count})


def _first_name(user: User | None) -> str:
    if user is None:
        return _("Someone")
    return str(user.first_name or user.get_full_name() or user.username)


def map_timeline(
    *, journey_map: JourneyMap, language: str = "vi", before: int | None = None
) -> dict[str, Any]:
    """Newest first: groups of consecutive changes by one person within one minute, said in
    `language` (English if it is neither vi nor en).

    `before` pages back: only changes with revision <= before. Returns the entries and the
    revision to ask for next (or None at the beginning).
    """
    with translation.override(language if language in LANGUAGES else "en"):
        return _timeline(journey_map=journey_map, before=before)


def _timeline(*, journey_map: JourneyMap, before: int | None) -> dict[str, Any]:
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
            for event in _events(state, op):
                last["events"][event] += 1
            reduce_op(state, op, actor=change["actor_id"], users=users, when=when)
    entries = [_entry(group, users) for group in reversed(groups)]
    return {"results": entries, "next": start if start > 0 else None}


RESTORED = gettext_lazy("restored revision %(n)s")
# A group with more distinct phrases than this reads as counts ("added 5 stages, 40 items").
MAX_PHRASES = 6
VERBS = {
    "create": pgettext_lazy("what someone did, in the timeline", "added"),
    "update": pgettext_lazy("what someone did, in the timeline", "edited"),
    "move": pgettext_lazy("what someone did, in the timeline", "moved"),
    "delete": pgettext_lazy("what someone did, in the timeline", "deleted"),
    "attach": pgettext_lazy("what someone did, in the timeline", "added"),
    "detach": pgettext_lazy("what someone did, in the timeline", "removed"),
    "resolve": pgettext_lazy("what someone did, in the timeline", "resolved"),
}
# What was changed, counted ("40 items"); `n` picks the plural form.
NOUNS = {
    "map": ngettext_lazy("%(n)s map detail", "%(n)s map details", "n"),
    "persona": ngettext_lazy("%(n)s persona", "%(n)s personas", "n"),
    "stage": ngettext_lazy("%(n)s stage", "%(n)s stages", "n"),
    "lane": ngettext_lazy("%(n)s lane", "%(n)s lanes", "n"),
    "item": ngettext_lazy("%(n)s item", "%(n)s items", "n"),
    "link": ngettext_lazy("%(n)s link", "%(n)s links", "n"),
    "comment": ngettext_lazy("%(n)s comment", "%(n)s comments", "n"),
}


def _condensed(ops: Counter[str]) -> list[str]:
    """Counts per verb and kind of object, in the order they first happened."""
    phrases = []
    for op_type, count in ops.items():
        kind, _dot, verb = op_type.partition(".")
        verb = "update" if kind == "map" else verb
        phrases.append(f"{VERBS.get(verb, verb)} {NOUNS[kind] % {'n': count}}")
    return phrases


def _entry(group: dict[str, Any], users: dict[int, Any]) -> dict[str, Any]:
    user = users.get(group["actor_id"]) if group["actor_id"] is not None else None
    name = _first_name(user)
    if group["restore"] is not None:
        phrases = [str(RESTORED % {"n": group["restore"]})]
    elif len(group["events"]) > MAX_PHRASES:
        phrases = _condensed(group["ops"])
    else:
        phrases = [_phrase(event, count) for event, count in group["events"].items()]
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
