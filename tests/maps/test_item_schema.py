"""The item schema is declared once (maps/item_schema.py); every list of it is derived.

"Show it by adding nothing": the values below were copied, as literals, from the hand-written
lists the declaration replaced (maps/ops.py, maps/revisions.py, maps/services.py,
exports/services.py). The derived values must equal them, key order included where the order
is seen outside (the map document's item keys, the CSV columns, the op log's field order).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from exports import services as exports
from maps import ops, revisions, services
from maps.item_schema import ATTRIBUTES, KEY, TEXT, ItemAttributes, limit_of
from maps.models import Item

ATTRIBUTES_OF_KIND = {
    "card": {"text", "color", "evidence", "source"}
    | {"impact", "effort", "reach", "confidence", "status", "owner", "due"},
    "touchpoint": {"text", "color", "evidence", "source"}
    | {"channel", "online", "owner", "impact", "importance", "phase"},
    "emotion": {"text", "color", "evidence", "source"} | {"score", "note", "persona", "variant"},
    "metric": {"text", "color", "evidence", "source"}
    | {"name", "value", "target", "unit", "trend"},
    "action": {"text", "color", "evidence", "source"} | {"owner", "due", "status", "fixes"},
}
NULLABLE_ATTRIBUTES = {
    "online",
    "impact",
    "effort",
    "reach",
    "confidence",
    "importance",
    "score",
    "persona",
    "value",
    "target",
    "due",
    "fixes",
}
REVISIONS_NULLABLE = NULLABLE_ATTRIBUTES | {"subjourney"}
ITEM_DEFAULTS: dict[str, dict[str, Any]] = {
    "emotion": {"score": 0, "variant": "as_is"},
    "action": {"status": "todo"},
}
ITEM_BLANK: dict[str, Any] = {
    "text": "",
    "color": "",
    "evidence": "assumption",
    "source": "",
    "channel": "",
    "online": None,
    "owner": "",
    "impact": None,
    "importance": None,
    "phase": "",
    "score": None,
    "note": "",
    "persona": None,
    "variant": "",
    "name": "",
    "value": None,
    "target": None,
    "unit": "",
    "trend": "",
    "due": None,
    "status": "",
    "fixes": None,
    "effort": None,
    "reach": None,
    "confidence": None,
}
ITEM_COMMON = ("id", "lane", "stage", "kind", "position", "text", "color", "evidence", "source")
ITEM_FIELDS_OF_KIND = {
    "card": ("impact", "effort", "reach", "confidence", "status", "owner", "due"),
    "touchpoint": ("channel", "online", "owner", "impact", "importance", "phase"),
    "emotion": ("score", "note", "persona", "variant"),
    "metric": ("name", "value", "target", "unit", "trend"),
    "action": ("owner", "due", "status", "fixes"),
}
ITEM_COLUMNS = (
    *ITEM_COMMON,
    "channel",
    "online",
    "owner",
    "impact",
    "importance",
    "phase",
    "score",
    "note",
    "persona",
    "variant",
    "name",
    "value",
    "target",
    "unit",
    "trend",
    "due",
    "status",
    "fixes",
    "effort",
    "reach",
    "confidence",
)
CSV_COLUMNS = (
    "stage",
    "stage_number",
    "stage_phase",
    "lane",
    "lane_kind",
    "kind",
    "text",
    "color",
    "evidence",
    "source",
    "channel",
    "channel_name",
    "online",
    "owner",
    "impact",
    "importance",
    "phase",
    "score",
    "note",
    "persona",
    "variant",
    "name",
    "value",
    "target",
    "unit",
    "trend",
    "due",
    "status",
    "fixes",
    "id",
)
# The order of an op's item fields in the op log and on the wire (pydantic dumps in it).
ITEM_ATTRIBUTE_ORDER = ITEM_COLUMNS[5:]


def test_ops_lists_are_todays() -> None:
    assert {str(kind): names for kind, names in ops.ATTRIBUTES_OF_KIND.items()} == (
        ATTRIBUTES_OF_KIND
    )
    assert ops.NULLABLE_ATTRIBUTES == NULLABLE_ATTRIBUTES
    assert ops.ITEM_DEFAULTS == ITEM_DEFAULTS
    assert tuple(ops.ItemAttributes.model_fields) == ITEM_ATTRIBUTE_ORDER


def test_revisions_lists_are_todays() -> None:
    assert revisions.NULLABLE == REVISIONS_NULLABLE
    assert revisions.ITEM_DEFAULTS == ITEM_DEFAULTS
    assert revisions.ITEM_BLANK == ITEM_BLANK
    assert list(revisions.ITEM_BLANK) == list(ITEM_BLANK)


def test_document_read_model_lists_are_todays() -> None:
    assert services.ITEM_COMMON == ITEM_COMMON
    assert services.ITEM_FIELDS_OF_KIND == ITEM_FIELDS_OF_KIND
    assert list(services.ITEM_FIELDS_OF_KIND) == list(ITEM_FIELDS_OF_KIND)
    assert services.ITEM_COLUMNS == ITEM_COLUMNS


def test_csv_columns_are_todays() -> None:
    assert exports.CSV_COLUMNS == CSV_COLUMNS


def test_defaults_are_plain_json_values() -> None:
    # They go into documents and op logs as they are: no enum members.
    for values in [ITEM_BLANK, *ITEM_DEFAULTS.values()]:
        for value in values.values():
            assert value is None or type(value) in (str, int)
    assert all(type(v) in (str, int) for d in ops.ITEM_DEFAULTS.values() for v in d.values())
    assert all(v is None or type(v) is str or type(v) is int for v in revisions.ITEM_BLANK.values())


def test_declaration_names_exactly_the_item_columns() -> None:
    placement = {"id", "map", "lane", "stage", "kind", "position"}
    columns = {field.name for field in Item._meta.concrete_fields}
    assert {attribute.name for attribute in ATTRIBUTES} == columns - placement


def test_op_limits_are_the_columns() -> None:
    # Text longer than its column must be refused by the op, never reach the database (a 500).
    for attribute in ATTRIBUTES:
        limit = getattr(attribute.column, "max_length", None)
        if attribute.type not in (TEXT, KEY) or limit is None:
            continue
        ItemAttributes.model_validate({attribute.name: "a" * limit})
        with pytest.raises(ValidationError):
            ItemAttributes.model_validate({attribute.name: "a" * (limit + 1)})
    assert ops.ItemCreate.model_fields["text"].metadata[0].max_length == limit_of("text") == 2000


def test_a_blank_or_default_fits_its_column() -> None:
    for attribute in ATTRIBUTES:
        column: Any = attribute.column
        values = [attribute.blank, *attribute.defaults.values()]
        for value in values:
            if value is None:
                assert column.null, attribute.name
            elif isinstance(value, str):
                assert len(value) <= column.max_length, attribute.name
        assert attribute.nullable == column.null


def test_pydantic_model_is_the_ops_model() -> None:
    assert ops.ItemAttributes is ItemAttributes
