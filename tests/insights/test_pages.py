"""The insight pages: the workspace's list with its filters, one insight with the cards the
viewer may read, and the create, edit and delete forms, for each kind of visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from insights.models import Insight, InsightLink
from tests.insights import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(workspace: Any, journey_map: Any, owner: Any, role_users: dict[str, Any]) -> dict[str, Any]:
    built = world.build(workspace=workspace, journey_map=journey_map, owner=owner)
    InsightLink.objects.create(insight=built["quote"], item_id=built["cards"][0])
    InsightLink.objects.create(insight=built["quote"], item_id=built["other_cards"][0])
    return {**built, **role_users}


def browser(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_list_shows_the_workspaces_insights_and_filters_them(w: dict[str, Any]) -> None:
    client = browser(w["editor"])
    url = f"/workspaces/{w['map'].workspace_id}/insights/"
    page = client.get(url).content.decode()
    assert "62% bỏ giỏ vì phí ship" in page
    assert "Phỏng vấn khách hàng tháng 10" in page
    only_surveys = client.get(url, {"kind": "survey"}).content.decode()
    assert "62% bỏ giỏ" in only_surveys
    assert "Phỏng vấn khách hàng tháng 10" not in only_surveys
    tagged = client.get(url, {"tag": "giá"}).content.decode()
    assert "62% bỏ giỏ" not in tagged
    searched = client.get(url, {"q": "không biết"}).content.decode()
    assert "Phỏng vấn khách hàng tháng 10" in searched
    assert "62% bỏ giỏ" not in searched


def test_a_viewer_lists_only_the_insights_behind_the_map_and_cannot_add(
    w: dict[str, Any],
) -> None:
    client = browser(w["viewer"])
    page = client.get(f"/workspaces/{w['map'].workspace_id}/insights/").content.decode()
    assert "Phỏng vấn khách hàng tháng 10" in page
    assert "62% bỏ giỏ" not in page
    assert client.get(f"/workspaces/{w['map'].workspace_id}/insights/new/").status_code == 404


def test_the_insight_page_lists_each_readable_card_with_its_path(w: dict[str, Any]) -> None:
    url = f"/insights/{w['quote'].pk}/"
    owner_page = browser(w["owner"]).get(url).content.decode()
    assert "Phí ship bất ngờ" in owner_page
    assert "Không nhớ mật khẩu" in owner_page
    assert f"/maps/{w['map'].pk}/?item={w['cards'][0]}" in owner_page
    viewer_page = browser(w["viewer"]).get(url).content.decode()
    assert "Phí ship bất ngờ" in viewer_page
    assert "Không nhớ mật khẩu" not in viewer_page  # a map the viewer may not read
    assert "Cân nhắc" in viewer_page and "Điểm đau" in viewer_page


@pytest.mark.parametrize("role", ["outsider", None])
def test_outsiders_and_strangers_see_nothing(w: dict[str, Any], role: str | None) -> None:
    client = browser(w[role] if role else None)
    for url in (
        f"/workspaces/{w['map'].workspace_id}/insights/",
        f"/insights/{w['quote'].pk}/",
        f"/insights/{w['quote'].pk}/edit/",
    ):
        response = client.get(url)
        assert response.status_code == (404 if role else 302), url


def test_a_member_creates_an_insight_from_the_form(w: dict[str, Any]) -> None:
    client = browser(w["editor"])
    response = client.post(
        f"/workspaces/{w['map'].workspace_id}/insights/new/",
        {
            "kind": "support",
            "text": "Nhiều yêu cầu hỏi về phí đổi trả",
            "source_title": "Zendesk, tháng 11",
            "source_url": "https://support.example.com/views/42",
            "date": "2026-11-20",
            "participants": "37",
            "tags": "Đổi trả, phí, đổi trả",
        },
    )
    created = Insight.objects.get(text="Nhiều yêu cầu hỏi về phí đổi trả")
    assert response.status_code == 302
    assert response["Location"] == f"/insights/{created.pk}/"
    assert created.tags == ["đổi trả", "phí"]
    assert created.created_by == w["editor"]


def test_the_form_refuses_bad_input_and_creates_nothing(w: dict[str, Any]) -> None:
    client = browser(w["editor"])
    response = client.post(
        f"/workspaces/{w['map'].workspace_id}/insights/new/",
        {"kind": "rumour", "text": "", "source_url": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert Insight.objects.count() == 2


def test_a_member_edits_and_deletes_an_insight(w: dict[str, Any]) -> None:
    client = browser(w["owner"])
    url = f"/insights/{w['quote'].pk}/edit/"
    assert "checkout, giá" in client.get(url).content.decode()
    body = {"kind": "interview", "text": "Phí ship làm tôi bỏ đơn", "tags": "checkout"}
    assert client.post(url, body).status_code == 302
    w["quote"].refresh_from_db()
    assert (w["quote"].text, w["quote"].tags) == ("Phí ship làm tôi bỏ đơn", ["checkout"])
    assert client.post(f"/insights/{w['quote'].pk}/delete/").status_code == 302
    assert not InsightLink.objects.exists()


def test_a_viewer_neither_edits_nor_deletes(w: dict[str, Any]) -> None:
    client = browser(w["viewer"])
    assert client.get(f"/insights/{w['quote'].pk}/edit/").status_code == 404
    assert client.post(f"/insights/{w['quote'].pk}/delete/").status_code == 404
    assert Insight.objects.filter(pk=w["quote"].pk).exists()
