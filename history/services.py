"""A map's past as users work with it: named versions, comparing two revisions, and restoring
one as a new change. Rebuilding a revision is maps.revisions' (the op log is the map's)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from maps.models import JourneyMap, Version
from maps.revisions import MAP_FIELDS, document_at
from maps.services import apply_ops, map_document
from maps.subjourneys import reaches, subjourney_edges
from personas.models import Persona

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def version_create(*, journey_map: JourneyMap, name: str, actor: User) -> Version:
    """Name the map's current revision; its document doubles as a snapshot."""
    return Version.objects.create(
        map=journey_map,
        revision=journey_map.revision,
        name=name,
        created_by=actor,
        document=map_document(journey_map=journey_map),
    )


# --- compare and restore --------------------------------------------------------------

COMPARED = {"stages": "stage", "lanes": "lane", "items": "item", "links": "link"}


def document_compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What `new` added, removed and changed relative to `old`, per kind of content."""
    result: dict[str, Any] = {
        "map": sorted(k for k in MAP_FIELDS if old.get(k) != new.get(k)),
        "personas": {
            "added": sorted(
                {p["id"] for p in new["personas"]} - {p["id"] for p in old["personas"]}
            ),
            "removed": sorted(
                {p["id"] for p in old["personas"]} - {p["id"] for p in new["personas"]}
            ),
        },
    }
    for key in COMPARED:
        before = {row["id"]: row for row in old[key]}
        after = {row["id"]: row for row in new[key]}
        changed = []
        for row_id in before.keys() & after.keys():
            fields = sorted(
                f
                for f in before[row_id].keys() | after[row_id].keys()
                if before[row_id].get(f) != after[row_id].get(f)
            )
            if fields:
                changed.append(
                    {
                        "id": row_id,
                        "fields": fields,
                        "before": before[row_id],
                        "after": after[row_id],
                    }
                )
        result[key] = {
            "added": [after[i] for i in after if i not in before],
            "removed": [before[i] for i in before if i not in after],
            "changed": sorted(changed, key=lambda c: c["id"]),
        }
    return result


def _fields_diff(
    old: Mapping[str, Any], new: Mapping[str, Any], names: Iterable[str]
) -> dict[str, Any]:
    return {name: old[name] for name in names if old.get(name) != new.get(name)}


def restore_ops(*, current: Mapping[str, Any], target: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ops that turn the `current` document's content into `target`'s.

    Content is the map's fields, personas, stages, lanes, items and links; objects come back
    with their old ids. Comments are conversation, not content: they stay, except those on
    objects the restore removes. Order matters: new columns before the items that need them,
    items moved out of a column before it is deleted, links after both their ends exist.
    """
    ops: list[dict[str, Any]] = []
    fields = _fields_diff(target, current, MAP_FIELDS)
    if fields:
        ops.append({"type": "map.update", "fields": fields})
    current_personas = {p["id"] for p in current["personas"]}
    target_personas = [p["id"] for p in target["personas"]]
    needed = set(target_personas) | {i["persona"] for i in target["items"] if i.get("persona")}
    ops += [{"type": "persona.attach", "persona": p} for p in sorted(needed - current_personas)]
    for key, kind, editable in (
        ("stages", "stage", ("name", "description", "phase", "color", "subjourney")),
        ("lanes", "lane", ("title", "description", "collapsed")),
    ):
        now = {row["id"]: row for row in current[key]}
        for row in target[key]:
            if row["id"] not in now:
                ops.append({"type": f"{kind}.create", **row})
                continue
            changed = _fields_diff(row, now[row["id"]], editable)
            if changed:
                ops.append({"type": f"{kind}.update", "id": row["id"], "fields": changed})
            if row["position"] != now[row["id"]]["position"]:
                ops.append({"type": f"{kind}.move", "id": row["id"], "position": row["position"]})
    ops += _item_ops(current, target)
    target_links = {link["id"]: link for link in target["links"]}
    for link in current["links"]:
        if link["id"] not in target_links or link != target_links[link["id"]]:
            ops.append({"type": "link.delete", "id": link["id"]})
    target_items = {i["id"] for i in target["items"]}
    ops += [
        {"type": "item.delete", "id": i["id"]}
        for i in current["items"]
        if i["id"] not in target_items
    ]
    for key, kind in (("stages", "stage"), ("lanes", "lane")):
        keep = {row["id"] for row in target[key]}
        ops += [
            {"type": f"{kind}.delete", "id": row["id"]}
            for row in current[key]
            if row["id"] not in keep
        ]
    current_links = {link["id"]: link for link in current["links"]}
    ops += [
        {"type": "link.create", **link}
        for link in target["links"]
        if current_links.get(link["id"]) != link
    ]
    ops += [
        {"type": "persona.detach", "persona": p}
        for p in sorted((current_personas | needed) - set(target_personas))
    ]
    return ops


def _item_ops(current: Mapping[str, Any], target: Mapping[str, Any]) -> list[dict[str, Any]]:
    now = {item["id"]: item for item in current["items"]}
    ops: list[dict[str, Any]] = []
    fixes: list[dict[str, Any]] = []
    for item in target["items"]:
        attributes = [k for k in item if k not in {"id", "lane", "stage", "kind", "position"}]
        existing = now.get(item["id"])
        if existing is None:
            values = {k: item[k] for k in attributes if k != "fixes"}
            ops.append(
                {
                    "type": "item.create",
                    "id": item["id"],
                    "lane": item["lane"],
                    "stage": item["stage"],
                    "position": item["position"],
                    **values,
                }
            )
            if item.get("fixes"):
                fixes.append(
                    {"type": "item.update", "id": item["id"], "fields": {"fixes": item["fixes"]}}
                )
            continue
        if any(existing[k] != item[k] for k in ("lane", "stage", "position")):
            ops.append(
                {
                    "type": "item.move",
                    "id": item["id"],
                    "position": item["position"],
                    "lane": item["lane"],
                    "stage": item["stage"],
                }
            )
        changed = _fields_diff(item, existing, attributes)
        if "fixes" in changed:
            fixes.append(
                {"type": "item.update", "id": item["id"], "fields": {"fixes": changed.pop("fixes")}}
            )
        if changed:
            ops.append({"type": "item.update", "id": item["id"], "fields": changed})
    return ops + fixes


def map_restore(
    *, journey_map: JourneyMap, actor: User | AnonymousUser, revision: int, role: str
) -> int:
    """Bring the map back to `revision` as one new change; returns the new revision.

    The change goes through apply_ops like any other, so every open editor follows it live.
    """

    with transaction.atomic():
        # Lock first so the ops are computed against the document they will be applied to.
        locked = JourneyMap.objects.select_for_update().get(pk=journey_map.pk)
        target = document_at(journey_map=locked, revision=revision)
        alive = {
            str(pk)
            for pk in Persona.objects.filter(workspace_id=locked.workspace_id).values_list(
                "pk", flat=True
            )
        }
        for item in target["items"]:
            if item.get("persona") and item["persona"] not in alive:
                item["persona"] = None  # deleted since: the database forgot it too
        _keep_possible_subjourneys(locked, target, actor)
        current = map_document(journey_map=locked)
        ops = restore_ops(current=current, target=target)
        if not ops:
            return locked.revision
        applied = apply_ops(
            map_id=locked.pk,
            actor=actor,
            change_id=uuid.uuid4(),
            ops=ops,
            role=role,
            max_ops=len(ops),
            session=f"restore:{revision}",
        )
    return applied.revision


def _keep_possible_subjourneys(
    journey_map: JourneyMap, target: dict[str, Any], actor: User | AnonymousUser
) -> None:
    """Unlink, in the revision brought back, the stages whose sub-journey can no longer be
    linked (the map deleted or no longer readable, or now above this one): apply_ops would
    refuse the whole restore for one of them."""
    wanted = {s["subjourney"] for s in target["stages"] if s.get("subjourney")}
    if not wanted:
        return
    readable = {
        str(pk)
        for pk in JourneyMap.objects.visible_to(actor)
        .filter(workspace_id=journey_map.workspace_id, pk__in=wanted)
        .values_list("pk", flat=True)
    }
    edges = {
        (str(parent), str(child))
        for parent, child in subjourney_edges(workspace_id=journey_map.workspace_id)
        if parent != journey_map.pk
    }
    for stage in target["stages"]:
        link = stage.get("subjourney")
        if link and (link not in readable or reaches(edges, link, str(journey_map.pk))):
            stage["subjourney"] = None
