"""The editor page: every role on the map gets it, with editing only for editors and owners;
outsiders and strangers never learn the map exists."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page_for(user: Any, journey_map: Any) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/maps/{journey_map.pk}/")


def config_of(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('id="jm-editor-config"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [("owner", True), ("editor", True), ("commenter", False), ("viewer", False)],
)
def test_every_role_on_the_map_gets_the_editor(
    role_users: dict[str, Any], journey_map: Any, role: str, can_edit: bool
) -> None:
    response = page_for(role_users[role], journey_map)
    assert response.status_code == 200
    config = config_of(response)
    assert config["map"] == str(journey_map.pk)
    assert config["role"] == role
    assert config["canEdit"] is can_edit
    assert "js/editor/main.js" in response.content.decode()


def test_viewer_gets_read_only_mode(role_users: dict[str, Any], journey_map: Any) -> None:
    html = page_for(role_users["viewer"], journey_map).content.decode()
    assert "jm-read-only" in html
    assert "jm-read-only" not in page_for(role_users["owner"], journey_map).content.decode()


def test_editor_hands_out_the_csrf_cookie_its_script_sends(owner: Any, journey_map: Any) -> None:
    response = page_for(owner, journey_map)
    assert response.cookies["csrftoken"].value


def test_outsider_gets_404(role_users: dict[str, Any], journey_map: Any) -> None:
    assert page_for(role_users["outsider"], journey_map).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(journey_map: Any) -> None:
    response = page_for(None, journey_map)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_unknown_map_is_404(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    assert client.get("/maps/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_config_carries_the_channel_catalog_with_icons(owner: Any, journey_map: Any) -> None:
    config = config_of(page_for(owner, journey_map))
    channels = {channel["key"]: channel for channel in config["channels"]}
    assert channels["website"]["vi"] == "Trang web"
    assert all(channel["icon"] in config["icons"] for channel in config["channels"])
    assert {kind["key"] for kind in config["laneKinds"]} >= {"emotions", "touchpoints", "metrics"}
    assert config["changes"] == f"/api/maps/{journey_map.pk}/changes/"


def test_map_title_is_escaped_text(owner: Any, journey_map: Any) -> None:
    from maps.services import apply_ops

    title = "<script>alert(1)</script> Hành trình"
    apply_ops(
        map_id=journey_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[{"type": "map.update", "fields": {"title": title}}],
    )
    html = page_for(owner, journey_map).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hành trình" in html


def test_javascript_catalog_is_served(client: Client) -> None:
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    assert b"gettext" in response.content
