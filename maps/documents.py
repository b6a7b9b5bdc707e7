"""The portable map document (`GET …/document/`, `POST /api/maps/import/`, templates).

One pydantic schema validates imports and the template library alike. Ids inside a document
are references local to it (any short string); importing gives every object a fresh UUID,
so the same document can be imported any number of times.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from fractional_indexing import generate_n_keys_between
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, model_validator

from maps.item_schema import ItemAttributes
from maps.models import Audience, JourneyMap, LaneKind, Language, MapStatus, MapType, Phase
from maps.op_values import Color, Position, Text
from maps.ops import MAX_ITEMS, MAX_LANES, MAX_STAGES
from maps.services import AppliedChange, apply_ops, map_document
from personas.models import Persona
from workspaces.models import MapAccess, MapRole, Workspace

FORMAT = "journeymap"
VERSION = 1
Ref = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=64)]


class DocModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MapPart(DocModel):
    title: Annotated[str, Text(200, min_length=1)]
    objective: Annotated[str, Text(4000)] = ""
    type: MapType = MapType.CURRENT
    audience: Audience = Audience.B2C
    scenario: Annotated[str, Text(4000)] = ""
    status: MapStatus = MapStatus.DRAFT
    language: Language = Language.VI
    next_review: dt.date | None = None


class PersonaPart(DocModel):
    id: Ref
    name: Annotated[str, Text(120, min_length=1)]
    quote: Annotated[str, Text(300)] = ""
    color: Color = ""
    segment: Literal["b2b", "b2c"] = "b2c"
    age: Annotated[str, Text(40)] = ""
    location: Annotated[str, Text(120)] = ""
    gender: Annotated[str, Text(60)] = ""
    income: Annotated[str, Text(80)] = ""
    job_title: Annotated[str, Text(120)] = ""
    company: Annotated[str, Text(120)] = ""
    industry: Annotated[str, Text(120)] = ""
    decision_maker: bool = False
    interests: Annotated[str, Text(2000)] = ""
    media_habits: Annotated[str, Text(2000)] = ""
    favourite_brands: Annotated[str, Text(2000)] = ""
    buying_behaviour: Annotated[str, Text(2000)] = ""
    goals: Annotated[str, Text(2000)] = ""
    challenges: Annotated[str, Text(2000)] = ""
    pain_points: Annotated[str, Text(2000)] = ""
    excites: Annotated[str, Text(2000)] = ""
    frustrates: Annotated[str, Text(2000)] = ""
    day_in_life: Annotated[str, Text(4000)] = ""
    channels: list[Annotated[str, Text(40)]] = Field(default_factory=list, max_length=40)
    buying_triggers: Annotated[str, Text(2000)] = ""
    information_needs: Annotated[str, Text(2000)] = ""
    research: Annotated[str, Text(4000)] = ""


class StagePart(DocModel):
    id: Ref
    name: Annotated[str, Text(120, min_length=1)]
    description: Annotated[str, Text(2000)] = ""
    phase: Phase | Literal[""] = ""
    color: Color = ""
    position: Position | None = None
    # The id of another map (not a reference inside the document): kept on import only if
    # that map is in the workspace imported into and the importer may read it.
    subjourney: Ref | None = None


class LanePart(DocModel):
    id: Ref
    kind: LaneKind
    title: Annotated[str, Text(120, min_length=1)]
    description: Annotated[str, Text(500)] = ""
    collapsed: bool = False
    position: Position | None = None


class ItemPart(ItemAttributes):
    id: Ref
    lane: Ref
    stage: Ref
    kind: str | None = None  # informative: the lane decides the kind
    position: Position | None = None
    persona: Ref | None = None
    fixes: Ref | None = None


class LinkPart(DocModel):
    id: Ref
    source: Ref
    target: Ref
    label: Annotated[str, Text(120)] = ""


class PortableDocument(DocModel):
    format: Literal["journeymap"]
    version: Literal[1]
    map: MapPart
    personas: list[PersonaPart] = Field(default_factory=list, max_length=20)
    stages: list[StagePart] = Field(default_factory=list, max_length=MAX_STAGES)
    lanes: list[LanePart] = Field(default_factory=list, max_length=MAX_LANES)
    items: list[ItemPart] = Field(default_factory=list, max_length=MAX_ITEMS)
    links: list[LinkPart] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def references_resolve(self) -> PortableDocument:
        def unique(kind: str, refs: list[str]) -> set[str]:
            if len(set(refs)) != len(refs):
                raise ValueError(f"{kind} ids must be unique")
            return set(refs)

        personas = unique("persona", [p.id for p in self.personas])
        stages = unique("stage", [s.id for s in self.stages])
        lanes = unique("lane", [lane.id for lane in self.lanes])
        items = unique("item", [i.id for i in self.items])
        unique("link", [link.id for link in self.links])
        for index, item in enumerate(self.items):
            if item.lane not in lanes:
                raise ValueError(f"items[{index}].lane {item.lane!r} is not a lane of the document")
            if item.stage not in stages:
                raise ValueError(
                    f"items[{index}].stage {item.stage!r} is not a stage of the document"
                )
            if item.persona is not None and item.persona not in personas:
                raise ValueError(
                    f"items[{index}].persona {item.persona!r} is not a persona of the document"
                )
            if item.fixes is not None and item.fixes not in items:
                raise ValueError(
                    f"items[{index}].fixes {item.fixes!r} is not an item of the document"
                )
        for index, link in enumerate(self.links):
            if link.source not in items or link.target not in items:
                raise ValueError(f"links[{index}] must join two items of the document")
        return self


def _positions(parts: list[Any]) -> list[str]:
    """Keep given positions; give parts without one keys in list order."""
    if all(part.position for part in parts):
        return [part.position for part in parts]
    return list(generate_n_keys_between(None, None, len(parts)))


def document_ops(
    *, document: PortableDocument, persona_ids: dict[str, uuid.UUID]
) -> list[dict[str, Any]]:
    """The ops that build this document's content into an empty map, with fresh ids."""
    fresh: dict[str, str] = {}

    def new(ref: str, kind: str) -> str:
        fresh[f"{kind}:{ref}"] = str(uuid.uuid4())
        return fresh[f"{kind}:{ref}"]

    ops: list[dict[str, Any]] = [
        {"type": "map.update", "fields": document.map.model_dump(mode="json")}
    ]
    ops += [{"type": "persona.attach", "persona": str(pid)} for pid in persona_ids.values()]
    for stage, position in zip(document.stages, _positions(document.stages), strict=True):
        ops.append(
            stage.model_dump(mode="json", exclude={"id", "position"}, exclude_none=True)
            | {"type": "stage.create", "id": new(stage.id, "stage"), "position": position}
        )
    for lane, position in zip(document.lanes, _positions(document.lanes), strict=True):
        ops.append(
            lane.model_dump(mode="json", exclude={"id", "position"})
            | {"type": "lane.create", "id": new(lane.id, "lane"), "position": position}
        )
    item_ids = {item.id: new(item.id, "item") for item in document.items}
    by_cell: dict[tuple[str, str], list[ItemPart]] = {}
    for item in document.items:
        by_cell.setdefault((item.lane, item.stage), []).append(item)
    fixes: list[dict[str, Any]] = []
    for (lane_ref, stage_ref), cell in by_cell.items():
        for item, position in zip(cell, _positions(cell), strict=True):
            attrs = item.model_dump(
                mode="json",
                exclude_unset=True,
                exclude={"id", "lane", "stage", "kind", "position", "persona", "fixes"},
            )
            op = attrs | {
                "type": "item.create",
                "id": item_ids[item.id],
                "position": position,
                "lane": fresh[f"lane:{lane_ref}"],
                "stage": fresh[f"stage:{stage_ref}"],
            }
            if item.persona is not None:
                op["persona"] = str(persona_ids[item.persona])
            ops.append(op)
            if item.fixes is not None:
                fixes.append(
                    {
                        "type": "item.update",
                        "id": item_ids[item.id],
                        "fields": {"fixes": item_ids[item.fixes]},
                    }
                )
    ops += fixes
    ops += [
        {
            "type": "link.create",
            "id": new(link.id, "link"),
            "source": item_ids[link.source],
            "target": item_ids[link.target],
            "label": link.label,
        }
        for link in document.links
    ]
    return ops


PERSONA_PART_FIELDS = [name for name in PersonaPart.model_fields if name != "id"]


def _personas_for(
    *, workspace: Workspace, parts: list[PersonaPart], actor: User | None
) -> dict[str, uuid.UUID]:
    """Reuse the workspace's persona of the same name, or create it from the document."""
    ids: dict[str, uuid.UUID] = {}
    for part in parts:
        persona = Persona.objects.filter(workspace=workspace, name=part.name).first()
        if persona is None:
            values = part.model_dump(include=set(PERSONA_PART_FIELDS))
            if not values["color"]:
                values.pop("color")
            persona = Persona.objects.create(workspace=workspace, created_by=actor, **values)
        ids[part.id] = persona.pk
    return ids


def _linkable_subjourneys(
    *, workspace: Workspace, actor: User, document: PortableDocument, warnings: list[str]
) -> None:
    """Drop (with a warning) each stage's link to a map that is not in this workspace or
    that the importer may not read: the document may come from elsewhere."""
    wanted = {stage.subjourney for stage in document.stages if stage.subjourney}
    ids = set()
    for ref in wanted:
        try:
            ids.add(uuid.UUID(ref))
        except ValueError:
            continue
    found = {
        str(pk)
        for pk in JourneyMap.objects.visible_to(actor)
        .filter(workspace=workspace, pk__in=ids)
        .values_list("pk", flat=True)
    }
    for stage in document.stages:
        if not stage.subjourney:
            continue
        try:
            known = str(uuid.UUID(stage.subjourney)) in found
        except ValueError:
            known = False
        if not known:
            warnings.append(
                _(
                    "Stage “%(stage)s”: its sub-journey is not a map of this workspace you can "
                    "open; the link was dropped."
                )
                % {"stage": stage.name}
            )
            stage.subjourney = None


def map_create(
    *,
    workspace: Workspace,
    actor: User,
    title: str,
    language: str = Language.VI,
    document: PortableDocument | None = None,
    template: str = "",
    warnings: list[str] | None = None,
) -> JourneyMap:
    """A new map, owned by its creator; its content (if any) arrives as one change.
    What was left out of the document (a sub-journey link) is told in `warnings`."""
    warnings = [] if warnings is None else warnings
    with transaction.atomic():
        journey_map = JourneyMap.objects.create(
            workspace=workspace,
            title=title,
            language=language,
            template=template,
            created_by=actor,
        )
        MapAccess.objects.create(map=journey_map, user=actor, role=MapRole.OWNER)
        if document is not None:
            document = document.model_copy(deep=True)
            document.map.title = title
            document.map.language = Language(language)
            _linkable_subjourneys(
                workspace=workspace, actor=actor, document=document, warnings=warnings
            )
            persona_ids = _personas_for(workspace=workspace, parts=document.personas, actor=actor)
            document_apply(
                journey_map=journey_map, actor=actor, document=document, persona_ids=persona_ids
            )
        journey_map.refresh_from_db()
    return journey_map


def document_apply(
    *,
    journey_map: JourneyMap,
    actor: User,
    document: PortableDocument,
    persona_ids: dict[str, uuid.UUID],
) -> AppliedChange:
    ops = document_ops(document=document, persona_ids=persona_ids)
    return apply_ops(
        map_id=journey_map.pk,
        actor=actor,
        change_id=uuid.uuid4(),
        ops=ops,
        role=MapRole.OWNER,
        max_ops=len(ops),
    )


def document_import(
    *,
    workspace: Workspace,
    actor: User,
    document: PortableDocument,
    warnings: list[str] | None = None,
) -> JourneyMap:
    return map_create(
        workspace=workspace,
        actor=actor,
        title=document.map.title,
        language=document.map.language,
        document=document,
        warnings=warnings,
    )


def document_export(*, journey_map: JourneyMap) -> dict[str, Any]:
    """The map as a portable document: content only, no revision, authors or comments."""
    doc: dict[str, Any] = dict(map_document(journey_map=journey_map))  # read key by key
    personas = [
        {"id": str(p.pk), **{name: getattr(p, name) for name in PERSONA_PART_FIELDS}}
        for p in journey_map.personas.all()
    ]
    items = []
    for item in doc["items"]:
        item = {key: value for key, value in item.items() if value is not None}
        if item.get("persona") and item["persona"] not in {p["id"] for p in personas}:
            item.pop("persona")
        items.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "map": {key: doc[key] for key in MapPart.model_fields},
        "personas": personas,
        "stages": [
            {key: value for key, value in stage.items() if key != "subjourney" or value}
            for stage in doc["stages"]
        ],
        "lanes": doc["lanes"],
        "items": items,
        "links": doc["links"],
    }
