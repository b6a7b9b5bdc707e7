"""The insights API with every way of relating to the map: owner (workspace admin), editor
(workspace member), commenter and viewer (map grants only), outsider, nobody signed in."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from insights.models import Insight, InsightLink
from tests.insights import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(workspace: Any, journey_map: Any, owner: Any, role_users: dict[str, Any]) -> dict[str, Any]:
    return {**world.build(workspace=workspace, journey_map=journey_map, owner=owner), **role_users}


def link(w: dict[str, Any], insight: str, card: int = 0) -> InsightLink:
    return InsightLink.objects.create(insight=w[insight], item_id=w["cards"][card])


def ws_url(w: dict[str, Any]) -> str:
    return f"/api/workspaces/{w['map'].workspace_id}/insights/"


# The workspace's list


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_members_list_every_insight_of_the_workspace(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    response = client_for(w[role]).get(ws_url(w))
    assert response.status_code == 200
    assert {i["id"] for i in response.json()} == {str(w["quote"].pk), str(w["survey"].pk)}


@pytest.mark.parametrize("role", ["viewer", "commenter"])
def test_a_map_grant_lists_only_the_insights_behind_that_maps_cards(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    link(w, "quote")
    InsightLink.objects.create(insight=w["survey"], item_id=w["other_cards"][0])
    response = client_for(w[role]).get(ws_url(w))
    assert response.status_code == 200
    assert [i["id"] for i in response.json()] == [str(w["quote"].pk)]


def test_an_outsider_does_not_find_the_workspace(w: dict[str, Any], client_for: Any) -> None:
    assert client_for(w["outsider"]).get(ws_url(w)).status_code == 404
    assert (
        client_for(w["outsider"]).post(ws_url(w), {"kind": "survey", "text": "x"}).status_code
        == 404
    )


def test_nobody_signed_in_gets_nothing(w: dict[str, Any], client_for: Any) -> None:
    anonymous = client_for(None)
    for url in (
        ws_url(w),
        f"/api/insights/{w['quote'].pk}/",
        f"/api/maps/{w['map'].pk}/insights/",
    ):
        assert anonymous.get(url).status_code in {401, 403}


def test_the_list_filters_by_kind_tag_and_words(w: dict[str, Any], client_for: Any) -> None:
    client = client_for(w["editor"])
    assert [i["kind"] for i in client.get(ws_url(w), {"kind": "survey"}).json()] == ["survey"]
    assert [i["id"] for i in client.get(ws_url(w), {"tag": "GIÁ"}).json()] == [str(w["quote"].pk)]
    assert [i["id"] for i in client.get(ws_url(w), {"q": "bỏ giỏ"}).json()] == [str(w["survey"].pk)]
    assert client.get(ws_url(w), {"kind": "nonsense"}).status_code == 200


# Creating


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_members_add_insights_with_tags(w: dict[str, Any], client_for: Any, role: str) -> None:
    body = {
        "kind": "analytics",
        "text": "Tỉ lệ thoát ở bước thanh toán 71%",
        "source_title": "GA4, tháng 11",
        "source_url": "https://analytics.example.com/report/1",
        "date": "2026-11-02",
        "participants": 12000,
        "tags": ["Checkout", " mobile ", "checkout"],
    }
    response = client_for(w[role]).post(ws_url(w), body, format="json")
    assert response.status_code == 201
    assert response.json()["tags"] == ["checkout", "mobile"]
    assert Insight.objects.get(pk=response.json()["id"]).created_by == w[role]


@pytest.mark.parametrize("role", ["viewer", "commenter"])
def test_a_map_grant_does_not_add_to_the_workspace_repository(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    link(w, "quote")
    response = client_for(w[role]).post(ws_url(w), {"kind": "survey", "text": "x"}, format="json")
    assert response.status_code == 403
    assert Insight.objects.count() == 2


def test_a_bad_insight_is_refused_with_a_clear_error(w: dict[str, Any], client_for: Any) -> None:
    client = client_for(w["editor"])
    for body in (
        {"kind": "rumour", "text": "x"},
        {"kind": "survey", "text": ""},
        {"kind": "survey", "text": "x", "source_url": "javascript:alert(1)"},
        {"kind": "survey", "text": "x", "participants": -1},
        {"kind": "survey", "text": "x", "tags": ["t"] * 21},
    ):
        response = client.post(ws_url(w), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"
    assert Insight.objects.count() == 2


def test_the_source_file_follows_the_photo_rules(
    w: dict[str, Any], client_for: Any, settings: Any, tmp_path: Any
) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(w["editor"])
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "#4f46e5").save(data, format="PNG")
    chart = SimpleUploadedFile("chart.png", data.getvalue(), content_type="image/png")
    body = {"kind": "survey", "text": "NPS 31", "source_file": chart}
    response = client.post(ws_url(w), body, format="multipart")
    assert response.status_code == 201
    assert response.json()["source_file"].endswith(".jpg")
    fake = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")
    response = client.post(ws_url(w), {"kind": "survey", "text": "x", "source_file": fake})
    assert response.status_code == 400


# One insight


def test_the_insight_shows_only_the_cards_the_caller_may_read(
    w: dict[str, Any], client_for: Any
) -> None:
    link(w, "quote")
    InsightLink.objects.create(insight=w["quote"], item_id=w["other_cards"][0])
    url = f"/api/insights/{w['quote'].pk}/"
    owner = client_for(w["owner"]).get(url).json()
    assert {c["map"]["title"] for c in owner["used_by"]} == {w["map"].title, w["other"].title}
    viewer = client_for(w["viewer"]).get(url).json()
    assert [c["item"] for c in viewer["used_by"]] == [w["cards"][0]]
    assert viewer["used_by"][0]["stage"] == "Cân nhắc"
    assert viewer["used_by"][0]["lane"] == "Điểm đau"
    assert viewer["cards"] == 2


def test_an_insight_behind_no_readable_card_is_not_found(
    w: dict[str, Any], client_for: Any
) -> None:
    url = f"/api/insights/{w['survey'].pk}/"
    assert client_for(w["viewer"]).get(url).status_code == 404
    assert client_for(w["outsider"]).get(url).status_code == 404
    assert client_for(w["editor"]).get(url).status_code == 200


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_members_edit_and_delete_insights(w: dict[str, Any], client_for: Any, role: str) -> None:
    url = f"/api/insights/{w['quote'].pk}/"
    client = client_for(w[role])
    response = client.patch(url, {"text": "Phí ship làm tôi bỏ đơn", "tags": []}, format="json")
    assert response.status_code == 200
    assert response.json()["tags"] == []
    assert client.delete(url).status_code == 204
    assert not Insight.objects.filter(pk=w["quote"].pk).exists()


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 404)])
def test_others_neither_edit_nor_delete(
    w: dict[str, Any], client_for: Any, role: str, status: int
) -> None:
    link(w, "quote")
    url = f"/api/insights/{w['quote'].pk}/"
    client = client_for(w[role])
    assert client.patch(url, {"text": "x"}, format="json").status_code == status
    assert client.delete(url).status_code == status
    assert Insight.objects.get(pk=w["quote"].pk).text.startswith("“Tôi")


# A map's cards


@pytest.mark.parametrize("role", ["owner", "editor", "commenter", "viewer"])
def test_whoever_reads_the_map_reads_its_cards_insights_and_evidence(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    link(w, "quote", 0)
    link(w, "quote", 1)
    link(w, "survey", 1)
    body = client_for(w[role]).get(f"/api/maps/{w['map'].pk}/insights/").json()
    first, second = body["items"][w["cards"][0]], body["items"][w["cards"][1]]
    assert first["evidence"] == "anecdote"
    assert [i["id"] for i in first["insights"]] == [str(w["quote"].pk)]
    assert second["evidence"] == "data"
    assert len(body["items"]) == 2


def test_an_outsider_does_not_read_a_maps_insights(w: dict[str, Any], client_for: Any) -> None:
    assert client_for(w["outsider"]).get(f"/api/maps/{w['map'].pk}/insights/").status_code == 404


def test_the_maps_insights_take_a_fixed_number_of_queries(
    w: dict[str, Any], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for card in (0, 1):
        link(w, "quote", card)
        link(w, "survey", card)
    client = client_for(w["owner"])
    with django_assert_max_num_queries(3):  # token, map and role, links with their insights
        client.get(f"/api/maps/{w['map'].pk}/insights/")


# Linking


def card_url(w: dict[str, Any], card: int = 0) -> str:
    return f"/api/maps/{w['map'].pk}/items/{w['cards'][card]}/insights/"


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_link_an_insight_and_the_cards_evidence_changes(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    client = client_for(w[role])
    response = client.post(card_url(w), {"insight": str(w["quote"].pk)}, format="json")
    assert response.status_code == 201
    assert response.json()["evidence"] == "anecdote"
    again = client.post(card_url(w), {"insight": str(w["quote"].pk)}, format="json")
    assert again.status_code == 201
    assert InsightLink.objects.count() == 1
    response = client.post(card_url(w), {"insight": str(w["survey"].pk)}, format="json")
    assert response.json()["evidence"] == "data"


def test_an_editor_creates_an_insight_on_the_spot(w: dict[str, Any], client_for: Any) -> None:
    body = {"new": {"kind": "observation", "text": "Khách hỏi lại phí ship 3 lần"}}
    response = client_for(w["editor"]).post(card_url(w, 1), body, format="json")
    assert response.status_code == 201
    assert response.json()["insights"][0]["text"] == "Khách hỏi lại phí ship 3 lần"
    created = Insight.objects.get(text="Khách hỏi lại phí ship 3 lần")
    assert created.workspace_id == w["map"].workspace_id
    assert created.created_by == w["editor"]


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("commenter", 403), ("outsider", 404)]
)
def test_a_viewer_cannot_link_and_an_outsider_finds_nothing(
    w: dict[str, Any], client_for: Any, role: str, status: int
) -> None:
    link(w, "quote", 1)
    client = client_for(w[role])
    response = client.post(card_url(w), {"insight": str(w["quote"].pk)}, format="json")
    assert response.status_code == status
    response = client.post(card_url(w), {"new": {"kind": "survey", "text": "x"}}, format="json")
    assert response.status_code == status
    unlink = f"{card_url(w, 1)}{w['quote'].pk}/"
    assert client.delete(unlink).status_code == status
    assert InsightLink.objects.count() == 1
    assert Insight.objects.count() == 2


def test_linking_needs_one_of_an_insight_or_a_new_one(w: dict[str, Any], client_for: Any) -> None:
    client = client_for(w["editor"])
    for body in ({}, {"insight": str(w["quote"].pk), "new": {"kind": "survey", "text": "x"}}):
        assert client.post(card_url(w), body, format="json").status_code == 400
    assert InsightLink.objects.count() == 0


def test_an_insight_of_another_workspace_is_not_linked(
    w: dict[str, Any], client_for: Any, owner: Any
) -> None:
    from workspaces.services import workspace_create

    elsewhere = workspace_create(name="Khác", creator=owner)
    foreign = Insight.objects.create(workspace=elsewhere, kind="survey", text="x")
    response = client_for(w["owner"]).post(card_url(w), {"insight": str(foreign.pk)}, format="json")
    assert response.status_code == 400
    assert InsightLink.objects.count() == 0


def test_a_card_of_another_map_is_not_found(w: dict[str, Any], client_for: Any) -> None:
    url = f"/api/maps/{w['map'].pk}/items/{w['other_cards'][0]}/insights/"
    response = client_for(w["owner"]).post(url, {"insight": str(w["quote"].pk)}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_unlink_and_the_hand_set_level_comes_back(
    w: dict[str, Any], client_for: Any, role: str
) -> None:
    link(w, "quote")
    client = client_for(w[role])
    assert client.delete(f"{card_url(w)}{w['quote'].pk}/").status_code == 204
    assert client.get(f"/api/maps/{w['map'].pk}/insights/").json() == {"items": {}}
    assert client.delete(f"{card_url(w)}{w['quote'].pk}/").status_code == 404


def test_a_link_change_tells_the_maps_open_editors(
    w: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"map.{w['map'].pk}", channel)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(w["editor"]).post(card_url(w), {"insight": str(w["quote"].pk)}, format="json")
    event = async_to_sync(layer.receive)(channel)
    assert '"type":"insights"' in event["text"]
    assert w["cards"][0] in event["text"]


def test_a_share_link_visitor_sees_none_of_it(w: dict[str, Any], client_for: Any) -> None:
    from workspaces.models import ShareLink

    link(w, "quote")
    share = ShareLink.objects.create(map=w["map"], role="viewer", created_by=w["owner"])
    anonymous = client_for(None)
    document = anonymous.get(f"/api/share/{share.token}/")
    assert document.status_code == 200
    assert "Tôi không biết phí giao hàng" not in document.content.decode()
    assert anonymous.get(f"/api/maps/{w['map'].pk}/insights/").status_code == 401
    assert anonymous.get(f"/api/insights/{w['quote'].pk}/").status_code == 401


def test_editing_a_linked_insight_tells_the_maps_it_backs(
    w: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    link(w, "survey")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"map.{w['map'].pk}", channel)
    with django_capture_on_commit_callbacks(execute=True):
        url = f"/api/insights/{w['survey'].pk}/"
        client_for(w["editor"]).patch(url, {"kind": "interview"}, format="json")
    event = async_to_sync(layer.receive)(channel)
    assert '"type":"insights"' in event["text"]
    evidence = client_for(w["editor"]).get(f"/api/maps/{w['map'].pk}/insights/").json()
    assert evidence["items"][w["cards"][0]]["evidence"] == "anecdote"
