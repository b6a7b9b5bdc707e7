"""The map document's shape, for the type checker: what `map_document` (maps/document_read.py,
re-exported by maps.services) returns and every app reads (docs/protocol.md, "REST").

Types only. Ids are UUID strings, times and dates ISO 8601 strings, as in the JSON; a key
whose column is nullable may be None. `tests/maps/test_document_types.py` compares these keys
with a built document's, which is why this module has no `from __future__ import annotations`:
TypedDict must see NotRequired at run time.
"""

from typing import NotRequired, TypedDict


class PersonaSummary(TypedDict):
    """A persona attached to the map (persona_summary, maps/document_read.py)."""

    id: str
    name: str
    quote: str
    color: str
    segment: str
    photo: str | None  # its URL
    age: str
    location: str
    job_title: str
    company: str
    goals: str
    pain_points: str


class StageRow(TypedDict):
    id: str
    name: str
    description: str
    phase: str  # before, during, after or ""
    color: str
    position: str
    subjourney: str | None  # the id of the map the stage opens


class LaneRow(TypedDict):
    id: str
    kind: str  # maps.models.LaneKind
    title: str
    description: str
    collapsed: bool
    position: str


class ItemRow(TypedDict):
    """An item: the keys every kind has, then each kind's own (maps.item_schema,
    ITEM_COMMON and ITEM_FIELDS_OF_KIND), present only on the kinds that carry them."""

    id: str
    lane: str
    stage: str
    kind: str  # maps.models.ItemKind
    position: str
    text: str
    color: str
    evidence: str
    source: str
    # card
    impact: NotRequired[int | None]  # card, touchpoint
    effort: NotRequired[int | None]
    reach: NotRequired[int | None]
    confidence: NotRequired[int | None]
    status: NotRequired[str]  # card, action
    owner: NotRequired[str]  # card, touchpoint, action
    due: NotRequired[str | None]  # card, action
    # touchpoint
    channel: NotRequired[str]
    online: NotRequired[bool | None]
    importance: NotRequired[int | None]
    phase: NotRequired[str]
    # emotion
    score: NotRequired[int | None]
    note: NotRequired[str]
    persona: NotRequired[str | None]
    variant: NotRequired[str]
    # metric
    name: NotRequired[str]
    value: NotRequired[float | None]
    target: NotRequired[float | None]
    unit: NotRequired[str]
    trend: NotRequired[str]
    # action
    fixes: NotRequired[str | None]  # the id of the card it addresses


class LinkRow(TypedDict):
    id: str
    source: str  # item ids
    target: str
    label: str


class CommentAuthor(TypedDict):
    id: int | None  # None once the account is deleted
    username: str | None
    name: str


class CommentRow(TypedDict):
    id: str
    item: str | None
    stage: str | None
    parent: str | None  # the comment it replies to
    author: CommentAuthor
    text: str
    mentions: list[str]  # usernames
    resolved: bool
    created: str
    updated: str


class MapDocument(TypedDict):
    """The whole map (`GET /api/maps/{id}/`, also at a past revision)."""

    id: str
    workspace: str
    title: str
    objective: str
    type: str  # maps.models.MapType
    audience: str  # b2b or b2c
    scenario: str
    status: str
    language: str
    next_review: str | None
    template: str
    current_state: str | None  # the id of the current-state map of a future-state one
    revision: int
    created: str
    updated: str
    personas: list[PersonaSummary]
    stages: list[StageRow]
    lanes: list[LaneRow]
    items: list[ItemRow]
    links: list[LinkRow]
    comments: list[CommentRow]
