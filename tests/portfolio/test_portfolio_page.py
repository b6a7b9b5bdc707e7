"""The portfolio page: who gets in, and the data it carries in the caller's language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.portfolio.portfolio_world import build_portfolio
from workspaces.models import MapAccess, ShareLink

pytestmark = pytest.mark.django_db


def page(user: Any, workspace: Any, language: str = "vi") -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client.get(f"/workspaces/{workspace.pk}/portfolio/")


def config_of(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="jm-portfolio-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found is not None
    return json.loads(found.group(1))


def test_a_member_gets_the_page_in_vietnamese_with_every_opportunity(workspace, owner, member):
    build_portfolio(workspace, owner)

    response = page(member, workspace)

    assert response.status_code == 200
    assert "Danh mục cơ hội" in response.content.decode()
    config = config_of(response)
    assert len(config["portfolio"]["opportunities"]) == 7
    assert config["statuses"]["planned"] == "Đã lên kế hoạch"
    assert config["api"] == f"/api/workspaces/{workspace.pk}/portfolio/"


def test_the_page_speaks_english_too(workspace, owner):
    response = page(owner, workspace, "en")

    assert "Opportunity portfolio" in response.content.decode()
    assert config_of(response)["statuses"]["dropped"] == "Dropped"


def test_a_viewer_of_one_map_sees_only_its_opportunities(workspace, owner, make_user):
    world = build_portfolio(workspace, owner)
    viewer = make_user("viewer")
    MapAccess.objects.create(map=world["store"]["map"], user=viewer, role="viewer")

    data = config_of(page(viewer, workspace))["portfolio"]

    assert [m["title"] for m in data["maps"]] == [world["store"]["map"].title]
    assert {o["map"] for o in data["opportunities"]} == {str(world["store"]["map"].pk)}


def test_an_outsider_gets_404(workspace, outsider):
    assert page(outsider, workspace).status_code == 404


def test_a_share_link_visitor_is_sent_to_sign_in(workspace, owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    client = Client()
    assert client.get(f"/share/{link.token}/").status_code == 200

    response = client.get(f"/workspaces/{workspace.pk}/portfolio/")
    api = client.get(f"/api/workspaces/{workspace.pk}/portfolio/")

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert api.status_code in {401, 403, 404}


def test_the_current_workspace_portfolio_redirects_to_it(workspace, owner):
    client = Client()
    client.force_login(owner)

    response = client.get("/portfolio/")

    assert response.status_code == 302
    assert response["Location"] == f"/workspaces/{workspace.pk}/portfolio/"
