"""The browser's op engine (static/js/editor/state.js) applies item ops with the item schema the
server derives (maps/item_schema.py, browser_schema()), handed to the editor and the share page
as the json_script "jm-item-schema"; state.js itself names no attribute (issue 25: a card's
impact was refused in the browser, a cleared effort became "" there but null on the server)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from maps import item_schema
from maps.item_schema import browser_schema
from maps.models import LaneKind, item_kind_for_lane
from workspaces.sharing import share_link_create

STATE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "editor" / "state.js"


def handed_schema(html: str) -> Any:
    start = html.index('id="jm-item-schema"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_schema_is_the_derived_one() -> None:
    schema = browser_schema()
    attributes = item_schema.ITEM_COMMON[len(item_schema.ITEM_PLACEMENT) :]
    # Each kind's attributes, in the map document's key order.
    assert schema["fields_of_kind"] == {
        kind: [*attributes, *names] for kind, names in item_schema.ITEM_FIELDS_OF_KIND.items()
    }
    assert {kind: set(names) for kind, names in schema["fields_of_kind"].items()} == {
        str(kind): names for kind, names in item_schema.ATTRIBUTES_OF_KIND.items()
    }
    assert set(schema["nullable"]) == item_schema.NULLABLE_ATTRIBUTES
    assert len(schema["nullable"]) == len(item_schema.NULLABLE_ATTRIBUTES)
    assert set(schema["null_refused"]) == item_schema.NULL_REFUSED
    assert schema["defaults"] == item_schema.ITEM_DEFAULTS
    assert schema["blank"] == item_schema.ITEM_BLANK
    assert list(schema["blank"]) == list(item_schema.ITEM_BLANK)
    assert schema["kind_of_lane"] == {kind: item_kind_for_lane(kind) for kind in LaneKind.values}
    # The drift of issue 25, now impossible: a card takes the opportunity attributes, and null
    # clears every score.
    assert {"impact", "effort", "reach", "confidence", "status", "owner", "due"} <= set(
        schema["fields_of_kind"]["card"]
    )
    assert {"effort", "reach", "confidence"} <= set(schema["nullable"])
    assert json.loads(json.dumps(schema)) == schema  # plain JSON, as json_script writes it


@pytest.mark.django_db
def test_the_editor_page_hands_the_schema_over(owner: Any, template_map: Any) -> None:
    client = Client()
    client.force_login(owner)
    html = client.get(f"/maps/{template_map.pk}/").content.decode()
    assert handed_schema(html) == browser_schema()
    # The document's items carry exactly the schema's attributes of their kind, in its order.
    document = client.get(f"/api/maps/{template_map.pk}/").json()
    assert document["items"]
    fields_of_kind = browser_schema()["fields_of_kind"]
    for item in document["items"]:
        assert list(item) == [*item_schema.ITEM_PLACEMENT, *fields_of_kind[item["kind"]]]


@pytest.mark.django_db
def test_the_share_page_hands_the_schema_over(owner: Any, journey_map: Any) -> None:
    link = share_link_create(journey_map=journey_map, actor=owner, role="viewer")
    html = Client().get(f"/share/{link.token}/").content.decode()
    assert handed_schema(html) == browser_schema()


def test_state_js_names_no_item_attribute() -> None:
    source = STATE_JS.read_text(encoding="utf-8")
    strings = set(re.findall(r'"([a-z_]+)"', source))
    placement = set(item_schema.ITEM_PLACEMENT)
    named = (strings & {a.name for a in item_schema.ATTRIBUTES}) - placement
    # A stage's phase and color are blanked by name (stage.update); those are a stage's own.
    assert named <= {"phase", "color"}, named
    assert not strings & {kind for kind in LaneKind.values if item_kind_for_lane(kind) != "card"}
