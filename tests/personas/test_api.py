"""Personas over REST: workspace members create, read, edit and delete them."""

from __future__ import annotations

import uuid

import pytest

from personas.models import Persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(workspace):
    return Persona.objects.create(
        workspace=workspace, name="Chị Hoa", age="30-35", goals="Mua nhanh"
    )


def test_a_member_creates_a_persona_with_the_domain_fields(client_for, member, workspace):
    body = {
        "name": "Anh Nam",
        "quote": "Tôi cần giao hàng nhanh",
        "segment": "b2b",
        "job_title": "Trưởng phòng mua hàng",
        "company": "Công ty ABC",
        "decision_maker": True,
        "goals": "Giảm chi phí",
        "pain_points": "Thủ tục rườm rà",
        "channels": ["email", "website"],
        "color": "#10b981",
    }

    response = client_for(member).post(
        f"/api/personas/?workspace={workspace.pk}", body, format="json"
    )

    assert response.status_code == 201
    created = response.json()
    assert created["id"]
    assert {key: created[key] for key in body} == body
    assert Persona.objects.get(pk=created["id"]).created_by == member


def test_the_workspace_may_also_come_in_the_body(client_for, member, workspace):
    response = client_for(member).post(
        "/api/personas/", {"workspace": str(workspace.pk), "name": "Cô Lan"}, format="json"
    )

    assert response.status_code == 201


def test_the_list_holds_the_workspaces_personas(client_for, member, workspace, persona):
    rows = client_for(member).get(f"/api/personas/?workspace={workspace.pk}").json()

    assert [(row["id"], row["name"]) for row in rows] == [(str(persona.pk), "Chị Hoa")]


@pytest.mark.parametrize("query", ["", "?workspace=abc"])
def test_the_list_needs_a_valid_workspace(client_for, member, query):
    response = client_for(member).get(f"/api/personas/{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_patch_changes_the_named_fields(client_for, member, persona):
    response = client_for(member).patch(
        f"/api/personas/{persona.pk}/", {"quote": "Rẻ mà tốt"}, format="json"
    )

    assert response.status_code == 200
    persona.refresh_from_db()
    assert (persona.quote, persona.goals) == ("Rẻ mà tốt", "Mua nhanh")


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"color": "blue"},
        {"color": "#12345g"},
        {"segment": "b2x"},
        {"channels": "email"},
        {"quote": "q" * 301},
    ],
)
def test_bad_persona_fields_are_a_400(client_for, member, persona, body):
    response = client_for(member).patch(f"/api/personas/{persona.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    persona.refresh_from_db()
    assert persona.name == "Chị Hoa"


def test_a_member_deletes_a_persona(client_for, member, persona):
    response = client_for(member).delete(f"/api/personas/{persona.pk}/")

    assert response.status_code == 204
    assert not Persona.objects.filter(pk=persona.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_persona_of_another_workspace_is_404(client_for, outsider, persona, method):
    response = getattr(client_for(outsider), method)(
        f"/api/personas/{persona.pk}/", {}, format="json"
    )

    assert response.status_code == 404
    assert Persona.objects.filter(pk=persona.pk, name="Chị Hoa").exists()


def test_creating_in_a_workspace_i_am_not_in_is_404(client_for, outsider, workspace):
    response = client_for(outsider).post(
        f"/api/personas/?workspace={workspace.pk}", {"name": "Lạ"}, format="json"
    )

    assert response.status_code == 404
    assert not Persona.objects.exists()


def test_an_unknown_persona_is_404(client_for, member):
    assert client_for(member).get(f"/api/personas/{uuid.uuid4()}/").status_code == 404


def test_persona_text_is_stored_in_nfc(client_for, member, persona):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Chị Hoà")

    response = client_for(member).patch(
        f"/api/personas/{persona.pk}/",
        {"name": decomposed, "channels": [decomposed]},
        format="json",
    )

    assert response.status_code == 200
    persona.refresh_from_db()
    assert (persona.name, persona.channels) == ("Chị Hoà", ["Chị Hoà"])


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb"])
def test_persona_text_with_control_characters_is_a_400(client_for, member, persona, text):
    response = client_for(member).patch(
        f"/api/personas/{persona.pk}/", {"goals": text}, format="json"
    )

    assert response.status_code == 400
    persona.refresh_from_db()
    assert persona.goals == "Mua nhanh"
