"""The attributes an item may carry, each declared once; every list of them derives from here.

An attribute's column in `maps.models.Item` (which Django, its migrations and mypy read) says
whether it is nullable, its blank value and its length limit; the declaration below says the
rest: the kinds of item it applies to, its pydantic type, its default per kind, and how null
and the CSV export treat it. The op models (maps/ops.py), the history reducer
(maps/revisions.py), the document read model (maps/services.py) and the CSV export read the
lists derived at the end, and so does the browser's op engine, through browser_schema().
Adding an attribute: one `Attribute` here, its column and migration, the editor's panel, and
tests (tests/maps/test_item_schema.py pins every derived list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, create_model

from maps.models import (
    ActionStatus,
    EmotionVariant,
    Evidence,
    Item,
    ItemKind,
    LaneKind,
    OpportunityStatus,
    Phase,
    Trend,
    item_kind_for_lane,
)
from maps.op_values import Color, Flag, Id, Number, Percent, Rating, Reach, Score, key_of, text_of


@dataclass(frozen=True)
class Sized:
    """A string type whose length limit is its column's."""

    make: Callable[[int], Any]


TEXT = Sized(text_of)  # typed text, cleaned (NFC)
KEY = Sized(key_of)  # a catalog key, as given

CARD, TOUCHPOINT, EMOTION = ItemKind.CARD.value, ItemKind.TOUCHPOINT.value, ItemKind.EMOTION.value
METRIC, ACTION = ItemKind.METRIC.value, ItemKind.ACTION.value
EVERY_KIND = frozenset(ItemKind.values)


@dataclass(frozen=True)
class Attribute:
    name: str
    kinds: frozenset[str]
    type: Any  # the pydantic type of a value; ItemAttributes adds null (clears, or blanks)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # per kind, on create
    refuses_null: bool = False  # null is refused, not taken for the blank value
    csv: tuple[str, ...] | None = None  # its CSV columns; None: one, its name

    @property
    def column(self) -> Any:
        return Item._meta.get_field(self.name)

    @property
    def nullable(self) -> bool:
        return bool(self.column.null)

    @property
    def blank(self) -> Any:
        """What an item holds when the attribute was never set (JSON: no enum members)."""
        default = None if self.nullable else self.column.get_default()
        return getattr(default, "value", default)

    @property
    def annotation(self) -> Any:
        if isinstance(self.type, Sized):
            return self.type.make(self.column.max_length)
        return self.type


def only(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


# In this order: the op models' fields (so the op log's and the wire's key order), the
# document's keys within each kind (but see CARD_KEY_ORDER) and the CSV columns.
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("text", EVERY_KIND, TEXT),
    Attribute("color", EVERY_KIND, Color),
    Attribute("evidence", EVERY_KIND, Evidence, refuses_null=True),
    Attribute("source", EVERY_KIND, TEXT),
    # A channel of touchpoints/catalog.py, named in the CSV too.
    Attribute("channel", only(TOUCHPOINT), KEY, csv=("channel", "channel_name")),
    Attribute("online", only(TOUCHPOINT), Flag),
    Attribute("owner", only(CARD, TOUCHPOINT, ACTION), TEXT),
    Attribute("impact", only(CARD, TOUCHPOINT), Rating),
    Attribute("importance", only(TOUCHPOINT), Rating),
    Attribute("phase", only(TOUCHPOINT), Phase | Literal[""]),
    Attribute("score", only(EMOTION), Score, defaults={EMOTION: 0}),
    Attribute("note", only(EMOTION), TEXT),
    Attribute("persona", only(EMOTION), Id),
    Attribute(
        "variant", only(EMOTION), EmotionVariant, defaults={EMOTION: EmotionVariant.AS_IS.value}
    ),
    Attribute("name", only(METRIC), TEXT),
    Attribute("value", only(METRIC), Number),
    Attribute("target", only(METRIC), Number),
    Attribute("unit", only(METRIC), TEXT),
    Attribute("trend", only(METRIC), Trend | Literal[""]),
    Attribute("due", only(CARD, ACTION), dt.date),
    # Which statuses each kind knows is maps.ops.STATUSES_OF_KIND.
    Attribute(
        "status",
        only(CARD, ACTION),
        ActionStatus | OpportunityStatus | Literal[""],
        defaults={ACTION: ActionStatus.TODO.value},
        refuses_null=True,
    ),
    Attribute("fixes", only(ACTION), Id),
    # The rest of an opportunity card's RICE score (impact above); any card may carry them,
    # so that moving a card between lanes loses nothing. The CSV export predates them and
    # outside tools read its columns: they are not in it.
    Attribute("effort", only(CARD), Rating, csv=()),
    Attribute("reach", only(CARD), Reach, csv=()),
    Attribute("confidence", only(CARD), Percent, csv=()),
)
BY_NAME = {attribute.name: attribute for attribute in ATTRIBUTES}


def limit_of(name: str) -> int:
    """An attribute's length limit: its column's."""
    return int(BY_NAME[name].column.max_length)


# A card's keys in the map document come in the order the portfolio added them (issue 15),
# not in the declaration's; tools reading the document rely on it. Card attributes not named
# here follow, in declaration order.
CARD_KEY_ORDER = ("impact", "effort", "reach", "confidence", "status", "owner", "due")


# --------------------------------------------------------------------------- derived lists


def _names_of(kind: str) -> tuple[str, ...]:
    names = tuple(a.name for a in ATTRIBUTES if kind in a.kinds)
    first = tuple(name for name in CARD_KEY_ORDER if name in names) if kind == CARD else ()
    return first + tuple(name for name in names if name not in first)


ATTRIBUTES_OF_KIND: dict[str, set[str]] = {
    kind: {a.name for a in ATTRIBUTES if kind in a.kinds} for kind in ItemKind.values
}
# Attributes that may be cleared with null; the others take "" or a value.
NULLABLE_ATTRIBUTES = {a.name for a in ATTRIBUTES if a.nullable}
# Attributes null may not clear (an op naming them null is refused).
NULL_REFUSED = {a.name for a in ATTRIBUTES if a.refuses_null}
# What a new item of a kind holds beyond ITEM_BLANK when an op does not say.
ITEM_DEFAULTS: dict[str, dict[str, Any]] = {
    kind: defaults
    for kind in ItemKind.values
    if (defaults := {a.name: a.defaults[kind] for a in ATTRIBUTES if kind in a.defaults})
}
ITEM_BLANK: dict[str, Any] = {a.name: a.blank for a in ATTRIBUTES}

# The document read model: the keys every item has, then each kind's own.
ITEM_PLACEMENT = ("id", "lane", "stage", "kind", "position")
ITEM_COMMON = ITEM_PLACEMENT + tuple(a.name for a in ATTRIBUTES if a.kinds == EVERY_KIND)
ITEM_FIELDS_OF_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name in _names_of(kind) if name not in ITEM_COMMON)
    for kind in ItemKind.values
}
ITEM_COLUMNS = ITEM_COMMON + tuple(a.name for a in ATTRIBUTES if a.name not in ITEM_COMMON)
CSV_ITEM_COLUMNS = tuple(
    column for a in ATTRIBUTES for column in (a.csv if a.csv is not None else (a.name,))
)


def browser_schema() -> dict[str, Any]:
    """The lists above as the browser's op engine (static/js/editor/state.js) applies them.

    The editor and share pages hand it over with json_script ("jm-item-schema"), so the
    browser applies an item op as the server does: the attributes of each kind (in the
    document's key order), those null clears (null makes the others blank) or is refused
    for, each kind's defaults, the blank values, and the item kind of each lane kind."""
    attributes = [name for name in ITEM_COMMON if name not in ITEM_PLACEMENT]
    return {
        "fields_of_kind": {
            kind: [*attributes, *ITEM_FIELDS_OF_KIND[kind]] for kind in ItemKind.values
        },
        "nullable": [a.name for a in ATTRIBUTES if a.name in NULLABLE_ATTRIBUTES],
        "null_refused": [a.name for a in ATTRIBUTES if a.name in NULL_REFUSED],
        "defaults": {kind: dict(values) for kind, values in ITEM_DEFAULTS.items()},
        "blank": dict(ITEM_BLANK),
        "kind_of_lane": {kind: str(item_kind_for_lane(kind)) for kind in LaneKind.values},
    }


if TYPE_CHECKING:

    class ItemAttributes(BaseModel):
        model_config = ConfigDict(extra="forbid")

        def __getattr__(self, name: str) -> Any: ...  # built at run time from ATTRIBUTES

else:
    ItemAttributes = create_model(
        "ItemAttributes",
        __config__=ConfigDict(extra="forbid"),
        __doc__="Every attribute an item may carry; which ones a kind accepts is "
        "ATTRIBUTES_OF_KIND.",
        __module__=__name__,
        **{a.name: (a.annotation | None, None) for a in ATTRIBUTES},
    )
