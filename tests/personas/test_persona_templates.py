"""Persona templates: B2B and B2C starting points, bilingual, created into a workspace."""

from __future__ import annotations

from typing import Any

import pytest

from personas.models import Persona
from personas.persona_templates import PERSONA_TEMPLATES, persona_template_fields

pytestmark = pytest.mark.django_db


def test_there_are_b2b_and_b2c_templates_with_every_text_in_both_languages() -> None:
    assert {data["segment"] for data in PERSONA_TEMPLATES.values()} == {"b2b", "b2c"}
    for key, data in PERSONA_TEMPLATES.items():
        texts = [value for value in data.values() if isinstance(value, dict)]
        assert len(texts) >= 8, key
        for value in texts:
            assert set(value) == {"vi", "en"} and value["vi"] and value["en"], key


def test_every_template_field_is_a_persona_field() -> None:
    fields = {field.name for field in Persona._meta.get_fields()}
    for key in PERSONA_TEMPLATES:
        assert set(persona_template_fields(key, "vi")) <= fields


def test_the_list_gives_key_segment_and_both_names(client_for: Any, owner: Any) -> None:
    body = client_for(owner).get("/api/persona-templates/").json()
    entry = next(e for e in body if e["key"] == "b2b_it_manager")
    assert entry["segment"] == "b2b"
    assert entry["name_vi"] == "Anh Minh, trưởng phòng CNTT"
    assert entry["name_en"] == "Minh, IT manager"


def test_a_member_creates_a_persona_from_a_template_in_english(
    client_for: Any, member: Any, workspace: Any
) -> None:
    response = client_for(member).post(
        "/api/persona-templates/b2c_office_worker/",
        {"workspace": str(workspace.pk), "language": "en"},
        format="json",
    )
    assert response.status_code == 201
    persona = Persona.objects.get(pk=response.json()["id"])
    assert persona.workspace == workspace
    assert persona.name == "Lan, office worker"
    assert persona.channels == ["social", "search", "website", "store"]


def test_the_persona_can_be_attached_to_several_maps_of_the_workspace(
    client_for: Any, owner: Any, workspace: Any, journey_map: Any, template_map: Any, new_id: Any
) -> None:
    client = client_for(owner)
    created = client.post(
        "/api/persona-templates/b2b_procurement/", {"workspace": str(workspace.pk)}, format="json"
    ).json()
    assert created["name"] == "Chị Hương, chuyên viên mua hàng"
    for target in (journey_map, template_map):
        change = {"id": new_id(), "ops": [{"type": "persona.attach", "persona": created["id"]}]}
        response = client.post(f"/api/maps/{target.pk}/changes/", change, format="json")
        assert response.status_code == 200
    assert Persona.objects.get(pk=created["id"]).maps.count() == 2


def test_an_outsider_cannot_create_a_persona_in_someone_elses_workspace(
    client_for: Any, outsider: Any, workspace: Any
) -> None:
    response = client_for(outsider).post(
        "/api/persona-templates/b2c_student/", {"workspace": str(workspace.pk)}, format="json"
    )
    assert response.status_code == 404
    assert not Persona.objects.filter(workspace=workspace).exists()


def test_unknown_templates_and_languages_are_refused(
    client_for: Any, owner: Any, workspace: Any
) -> None:
    client = client_for(owner)
    body = {"workspace": str(workspace.pk)}
    assert client.post("/api/persona-templates/nope/", body, format="json").status_code == 404
    bad_language = body | {"language": "fr"}
    response = client.post("/api/persona-templates/b2c_student/", bad_language, format="json")
    assert response.status_code == 400
    assert client.post("/api/persona-templates/b2c_student/", {}, format="json").status_code == 400
    assert client_for(None).get("/api/persona-templates/").status_code == 401
