"""The built-in template library: every template validates, instantiates and is bilingual."""

from __future__ import annotations

import json
from typing import Any

import pytest

from maps.documents import map_create
from maps.models import Change, Item, Lane, Link, Stage
from method.library import DATA_DIR, LANGUAGES, all_templates, get_template
from touchpoints.catalog import CHANNELS_BY_KEY

TEMPLATE_KEYS = sorted(all_templates())
REQUIRED = {
    "buyer_journey_5",
    "b2b_journey_5",
    "b2b_journey_7",
    "journey_4",
    "journey_6",
    "data_driven_6",
    "detailed_14",
    "current_state",
    "future_state",
    "day_in_life",
    "service_blueprint",
    "b2b_touchpoint_map",
    "b2b_nonlinear",
    "email_marketing",
    "retail_example",
    "travel_example",
    "banking_example",
}


def _bilingual_leaves(value: Any, where: str = "") -> list[tuple[str, dict[str, str]]]:
    """Every {"vi", "en"} pair in a template file, with where it sits."""
    if isinstance(value, dict):
        if set(value) == set(LANGUAGES):
            return [(where, value)]
        return [
            pair
            for key, inner in value.items()
            for pair in _bilingual_leaves(inner, f"{where}.{key}")
        ]
    if isinstance(value, list):
        return [
            pair
            for i, inner in enumerate(value)
            for pair in _bilingual_leaves(inner, f"{where}[{i}]")
        ]
    return []


def test_the_library_holds_every_template_the_issue_lists() -> None:
    assert set(TEMPLATE_KEYS) >= REQUIRED


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_text_of_a_template_exists_in_vietnamese_and_english(key: str) -> None:
    raw = json.loads((DATA_DIR / f"{key}.json").read_text(encoding="utf-8"))
    pairs = _bilingual_leaves(raw)
    assert pairs, "a template has user-visible text"
    for where, pair in pairs:
        assert pair["vi"].strip() and pair["en"].strip(), where


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_validates_in_both_languages(key: str, language: str) -> None:
    document = all_templates()[key].document(language)
    assert document.map.language == language
    texts = [stage.name for stage in document.stages] + [lane.title for lane in document.lanes]
    assert all(isinstance(text, str) and text for text in texts)


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_example_templates_fill_their_touchpoints_with_catalog_channels(key: str) -> None:
    document = all_templates()[key].document("en")
    touchpoint_lanes = {lane.id for lane in document.lanes if lane.kind == "touchpoints"}
    touchpoints = [item for item in document.items if item.lane in touchpoint_lanes]
    assert touchpoints
    assert all(item.channel in CHANNELS_BY_KEY for item in touchpoints)


@pytest.mark.django_db
@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_a_template_instantiates_into_a_map_with_its_stages_and_lanes(
    key: str, workspace: Any, owner: Any
) -> None:
    spec = all_templates()[key]
    document = spec.document("vi")
    journey_map = map_create(
        workspace=workspace, actor=owner, title="Bản đồ", document=document, template=key
    )
    assert Stage.objects.filter(map=journey_map).count() == len(document.stages)
    assert Lane.objects.filter(map=journey_map).count() == len(document.lanes)
    assert Item.objects.filter(map=journey_map).count() == len(document.items)
    assert journey_map.template == key
    # one change through apply_ops: it shows in history
    assert Change.objects.filter(map=journey_map).count() == (
        1 if document.items or document.stages else 0
    )


@pytest.mark.django_db
def test_links_of_the_non_linear_template_survive_instantiation(workspace: Any, owner: Any) -> None:
    spec = get_template("b2b_nonlinear")
    assert spec is not None
    document = spec.document("en")
    journey_map = map_create(workspace=workspace, actor=owner, title="Loops", document=document)
    links = Link.objects.filter(map=journey_map).select_related("source__stage", "target__stage")
    assert links.count() == len(document.links) >= 2
    looping_back = [
        link for link in links if link.target.stage.position < link.source.stage.position
    ]
    assert looping_back, "a non-linear journey has links that go back to an earlier stage"
    assert {link.label for link in links} >= {"loops back to research"}


@pytest.mark.django_db
def test_creating_a_map_from_a_template_over_the_api_uses_the_maps_language(
    client_for: Any, owner: Any, workspace: Any
) -> None:
    response = client_for(owner).post(
        "/api/maps/",
        {
            "workspace": str(workspace.pk),
            "title": "Blueprint",
            "template": "service_blueprint",
            "language": "en",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    kinds = {lane["kind"] for lane in response.json()["lanes"]}
    assert {"frontstage", "backstage", "support", "policies", "technology"} <= kinds
    names = [stage["name"] for stage in response.json()["stages"]]
    assert names[0] == "Booking"


@pytest.mark.django_db
def test_the_template_list_gives_names_in_both_languages_type_and_stage_count(
    client_for: Any, owner: Any
) -> None:
    response = client_for(owner).get("/api/templates/")
    assert response.status_code == 200
    by_key = {entry["key"]: entry for entry in response.json()}
    assert by_key["detailed_14"]["stage_count"] == 14
    assert by_key["day_in_life"]["type"] == "day_in_life"
    assert by_key["b2b_journey_7"]["name_vi"] == "Hành trình B2B 7 giai đoạn"
    assert by_key["b2b_journey_7"]["name_en"] == "B2B journey, 7 stages"
