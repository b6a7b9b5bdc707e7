"""Workspace templates: an admin saves a map as a template; the workspace creates maps from it."""

from __future__ import annotations

from typing import Any

import pytest

from maps.models import Change, Stage
from method.models import WorkspaceTemplate
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


def save(client: Any, journey_map: Any, **body: Any) -> Any:
    url = f"/api/maps/{journey_map.pk}/save-as-template/"
    return client.post(url, body or {"name": "Hành trình chuẩn của nhóm"}, format="json")


def test_an_admin_saves_a_map_and_the_workspace_lists_it_beside_the_built_ins(
    client_for: Any, owner: Any, template_map: Any, workspace: Any
) -> None:
    client = client_for(owner)
    response = save(client, template_map, name="Hành trình chuẩn", name_en="Our journey")
    assert response.status_code == 201
    saved = response.json()
    assert saved["stage_count"] == 5 and saved["name_en"] == "Our journey"
    keys = [e["key"] for e in client.get(f"/api/templates/?workspace={workspace.pk}").json()]
    assert "buyer_journey_5" in keys and saved["key"] in keys
    assert saved["key"] not in [e["key"] for e in client.get("/api/templates/").json()]


def test_a_member_creates_a_map_from_the_workspace_template_in_one_change(
    client_for: Any, owner: Any, member: Any, template_map: Any, workspace: Any
) -> None:
    key = save(client_for(owner), template_map).json()["key"]
    response = client_for(member).post(
        "/api/maps/",
        {"workspace": str(workspace.pk), "title": "Quý 1", "template": key},
        format="json",
    )
    assert response.status_code == 201
    new_map = response.json()
    assert new_map["stages"][0]["name"] == "Nhận thức"
    assert Stage.objects.filter(map_id=new_map["id"]).count() == 5
    assert Change.objects.filter(map_id=new_map["id"]).count() == 1


def test_a_workspace_member_who_is_not_admin_cannot_save_a_template(
    client_for: Any, member: Any, template_map: Any
) -> None:
    assert save(client_for(member), template_map).status_code == 403
    assert not WorkspaceTemplate.objects.exists()


def test_an_outsider_gets_404_and_cannot_use_or_list_the_template(
    client_for: Any, owner: Any, outsider: Any, template_map: Any, workspace: Any
) -> None:
    key = save(client_for(owner), template_map).json()["key"]
    client = client_for(outsider)
    assert save(client, template_map).status_code == 404
    assert client.get(f"/api/templates/?workspace={workspace.pk}").status_code == 404
    own = workspace_create(name="Khác", creator=outsider)
    body = {"workspace": str(own.pk), "title": "x", "template": key}
    response = client.post("/api/maps/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "x" * 121}, {"name": 5}, {"name": "a\x00b"}],
)
def test_a_template_needs_a_plain_name(
    client_for: Any, owner: Any, template_map: Any, body: dict[str, Any]
) -> None:
    url = f"/api/maps/{template_map.pk}/save-as-template/"
    assert client_for(owner).post(url, body, format="json").status_code == 400
    assert not WorkspaceTemplate.objects.exists()


def test_a_map_an_import_would_refuse_is_refused_as_a_template_too(
    client_for: Any, owner: Any, journey_map: Any, workspace: Any, new_id: Any
) -> None:
    from personas.models import Persona

    personas = [Persona.objects.create(workspace=workspace, name=f"P{n}") for n in range(21)]
    ops = [{"type": "persona.attach", "persona": str(p.pk)} for p in personas]
    client = client_for(owner)
    changed = client.post(
        f"/api/maps/{journey_map.pk}/changes/", {"id": new_id(), "ops": ops}, format="json"
    )
    assert changed.status_code == 200
    response = save(client, journey_map)
    assert response.status_code == 400
    assert response.json()["message"].startswith("personas")
    assert not WorkspaceTemplate.objects.exists()
