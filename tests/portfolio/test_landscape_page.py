"""The landscape page: who gets in, and the data it carries in the caller's language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.portfolio.landscape_world import build_landscape
from workspaces.models import MapAccess, ShareLink

pytestmark = pytest.mark.django_db


def page(user: Any, workspace: Any, language: str = "vi") -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client.get(f"/workspaces/{workspace.pk}/landscape/")


def config_of(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="jm-landscape-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found is not None
    return json.loads(found.group(1))


def test_a_member_gets_the_page_in_vietnamese_with_every_map(workspace, owner, member):
    world = build_landscape(workspace, owner)

    response = page(member, workspace)

    assert response.status_code == 200
    assert "Toàn cảnh hành trình" in response.content.decode()
    titles = {m["title"] for m in config_of(response)["landscape"]["maps"]}
    assert world["payment"].title in titles and len(titles) == 5
    assert config_of(response)["statuses"]["approved"] == "Đã duyệt"


def test_the_page_speaks_english_too(workspace, owner):
    response = page(owner, workspace, "en")

    assert "Journey landscape" in response.content.decode()
    assert config_of(response)["types"]["future"] == "Future state"


def test_a_viewer_of_one_map_sees_only_it(workspace, owner, make_user):
    world = build_landscape(workspace, owner)
    viewer = make_user("viewer")
    MapAccess.objects.create(map=world["research"], user=viewer, role="viewer")

    maps = config_of(page(viewer, workspace))["landscape"]["maps"]

    assert [m["title"] for m in maps] == [world["research"].title]


def test_an_outsider_gets_404(workspace, outsider):
    assert page(outsider, workspace).status_code == 404


def test_a_share_link_visitor_is_sent_to_sign_in(workspace, owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    client = Client()
    assert client.get(f"/share/{link.token}/").status_code == 200

    response = client.get(f"/workspaces/{workspace.pk}/landscape/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_current_workspace_landscape_redirects_to_it(workspace, owner):
    client = Client()
    client.force_login(owner)

    response = client.get("/landscape/")

    assert response.status_code == 302
    assert response["Location"] == f"/workspaces/{workspace.pk}/landscape/"
