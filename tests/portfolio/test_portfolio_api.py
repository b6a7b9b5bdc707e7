"""The portfolio API: `GET /api/workspaces/{id}/portfolio/` (what each caller sees, its
ETag, its query budget), scoring an opportunity through its map's change path, and solution
links across maps; owner, editor, viewer and outsider for every endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from maps.models import Change, Item
from portfolio.models import SolutionLink
from portfolio.opportunities import priority, workspace_portfolio
from tests.portfolio.portfolio_world import build_portfolio, opportunity_map
from workspaces.models import MapAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(workspace: Any, owner: Any) -> dict[str, Any]:
    return build_portfolio(workspace, owner)


@pytest.fixture
def viewer(make_user: Any, world: dict[str, Any]) -> Any:
    """A viewer of the checkout map only, not a member of the workspace."""
    user = make_user("viewer")
    MapAccess.objects.create(map=world["checkout"]["map"], user=user, role="viewer")
    return user


def url(workspace: Any, rest: str = "") -> str:
    return f"/api/workspaces/{workspace.pk}/portfolio/{rest}"


def portfolio(client: Any, workspace: Any, **headers: Any) -> Any:
    return client.get(url(workspace), **headers)


def score(client: Any, workspace: Any, item: str, fields: dict[str, Any]) -> Any:
    return client.patch(url(workspace, f"opportunities/{item}/"), fields, format="json")


def link(client: Any, workspace: Any, action: str, opportunity: str) -> Any:
    body = {"action": action, "opportunity": opportunity}
    return client.post(url(workspace, "links/"), body, format="json")


# ------------------------------------------------------------------ reading


def test_a_member_sees_every_opportunity_and_action_with_map_stage_and_persona(
    client_for, workspace, member, world
):
    body = portfolio(client_for(member), workspace).json()

    assert [m["title"] for m in body["maps"]] == ["Mua sắm trực tuyến", "Mua tại cửa hàng"]
    assert all(m["can_edit"] for m in body["maps"])
    assert len(body["opportunities"]) == 7 and len(body["actions"]) == 2
    one_touch = next(o for o in body["opportunities"] if o["text"].startswith("Thanh toán một"))
    assert one_touch["map"] == str(world["checkout"]["map"].pk)
    assert one_touch["stage_name"] == "Mua hàng"
    assert (one_touch["impact"], one_touch["effort"], one_touch["reach"]) == (5, 2, 8000)
    assert one_touch["priority"] == 16000.0
    assert (one_touch["status"], one_touch["owner"], one_touch["due"]) == (
        "planned",
        "Nhóm Thanh toán",
        "2027-02-15",
    )
    checkout = next(m for m in body["maps"] if m["id"] == one_touch["map"])
    assert [p["name"] for p in checkout["personas"]] == ["Chị Hoa"]


def test_an_untriaged_unscored_card_is_an_idea_with_no_priority(
    client_for, workspace, owner, world
):
    body = portfolio(client_for(owner), workspace).json()

    loyalty = next(o for o in body["opportunities"] if o["text"].startswith("Chương trình"))
    assert (loyalty["status"], loyalty["priority"], loyalty["impact"]) == ("idea", None, None)


def test_priority_is_rice_with_reach_and_confidence_defaulting():
    assert priority(impact=4, effort=2, reach=None, confidence=None) == 2.0
    assert priority(impact=4, effort=2, reach=1000, confidence=50) == 1000.0
    assert priority(impact=4, effort=None, reach=1000, confidence=50) is None


def test_a_viewer_of_one_map_sees_only_its_items_and_cannot_edit(
    client_for, workspace, viewer, world
):
    body = portfolio(client_for(viewer), workspace).json()

    assert [(m["title"], m["role"], m["can_edit"]) for m in body["maps"]] == [
        ("Mua sắm trực tuyến", "viewer", False)
    ]
    maps = {o["map"] for o in body["opportunities"]} | {a["map"] for a in body["actions"]}
    assert maps == {str(world["checkout"]["map"].pk)}


def test_an_outsider_gets_404_and_anonymous_401(client_for, api, workspace, outsider, world):
    assert portfolio(client_for(outsider), workspace).status_code == 404
    assert portfolio(api, workspace).status_code == 401


def test_the_etag_answers_304_until_an_editor_changes_a_map(
    client_for, workspace, owner, member, world
):
    client = client_for(owner)
    first = portfolio(client, workspace)
    etag = first["ETag"]

    assert portfolio(client, workspace, HTTP_IF_NONE_MATCH=etag).status_code == 304

    item = world["store"]["opportunities"][1]
    assert score(client_for(member), workspace, item, {"impact": 3}).status_code == 200
    again = portfolio(client, workspace, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    changed = next(o for o in again.json()["opportunities"] if o["id"] == item)
    assert changed["impact"] == 3


def test_the_portfolio_reads_a_fixed_number_of_queries(
    django_assert_max_num_queries, workspace, owner, member, world
):
    workspace_portfolio(workspace=workspace, user=member)  # warm caches
    with django_assert_max_num_queries(7) as few:
        workspace_portfolio(workspace=workspace, user=member)
    for index in range(5):
        opportunity_map(
            workspace, owner, f"Bản đồ thêm {index}", [{"text": "Ý tưởng", "impact": 2}]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = workspace_portfolio(workspace=workspace, user=member)
    assert len(body["maps"]) == 7


# ------------------------------------------------------------------ scoring


def test_an_editor_scores_an_opportunity_through_its_maps_change_path(
    client_for, workspace, member, world
):
    journey_map = world["checkout"]["map"]
    item = world["checkout"]["opportunities"][1]
    journey_map.refresh_from_db()
    revision = journey_map.revision
    fields = {"impact": 4, "effort": 1, "confidence": 60, "status": "planned", "due": "2027-05-01"}

    response = score(client_for(member), workspace, item, fields)

    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == revision + 1
    assert body["opportunity"]["priority"] == 2.4
    last = Change.objects.filter(map=journey_map).order_by("-revision")[0]
    assert last.actor == member
    assert last.ops == [{"type": "item.update", "id": item, "fields": fields}]


def test_a_score_reaches_the_open_editors_of_that_map(
    client_for, workspace, member, world, django_capture_on_commit_callbacks
):
    journey_map = world["checkout"]["map"]
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(journey_map.group_name, channel)
    item = world["checkout"]["opportunities"][2]

    with django_capture_on_commit_callbacks(execute=True):
        score(client_for(member), workspace, item, {"impact": 4, "effort": 3})

    event = async_to_sync(layer.receive)(channel)
    assert '"impact":4' in event["text"] and item in event["text"]


def test_the_owner_moves_an_opportunity_through_the_workflow(client_for, workspace, owner, world):
    item = world["store"]["opportunities"][1]

    response = score(client_for(owner), workspace, item, {"status": "planned", "owner": "Lan"})

    assert response.status_code == 200
    assert (response.json()["opportunity"]["status"], Item.objects.get(pk=item).owner) == (
        "planned",
        "Lan",
    )


def test_a_viewer_cannot_score(client_for, workspace, viewer, world):
    item = world["checkout"]["opportunities"][0]

    response = score(client_for(viewer), workspace, item, {"impact": 1})

    assert response.status_code == 403
    assert Item.objects.get(pk=item).impact == 5


def test_a_viewer_cannot_score_a_map_they_cannot_read(client_for, workspace, viewer, world):
    item = world["store"]["opportunities"][0]
    assert score(client_for(viewer), workspace, item, {"impact": 1}).status_code == 404


def test_an_outsider_cannot_score(client_for, workspace, outsider, world):
    item = world["checkout"]["opportunities"][0]
    assert score(client_for(outsider), workspace, item, {"impact": 1}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"impact": 9}, "invalid_op"),
        ({"confidence": 150}, "invalid_op"),
        ({"status": "todo"}, "invalid_op"),
        ({"text": "đổi tên"}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_bad_scores_are_refused_with_protocol_errors(
    client_for, workspace, owner, world, fields, code
):
    item = world["checkout"]["opportunities"][0]

    response = score(client_for(owner), workspace, item, fields)

    assert response.status_code == 400 and response.json()["code"] == code
    assert Item.objects.get(pk=item).impact == 5


def test_an_action_item_is_not_an_opportunity(client_for, workspace, owner, world):
    action = world["checkout"]["actions"][0]
    assert score(client_for(owner), workspace, action, {"impact": 2}).status_code == 404


# ------------------------------------------------------------------ solution links


def test_an_editor_links_an_action_to_an_opportunity_on_another_map(
    client_for, workspace, member, world
):
    action = world["store"]["actions"][0]
    opportunity = world["checkout"]["opportunities"][0]

    response = link(client_for(member), workspace, action, opportunity)

    assert response.status_code == 201
    body = portfolio(client_for(member), workspace).json()
    listed = next(o for o in body["opportunities"] if o["id"] == opportunity)
    assert listed["solutions"] == [action]
    assert body["links"] == [
        {"id": response.json()["id"], "action": action, "opportunity": opportunity}
    ]


def test_a_same_map_fix_counts_as_a_solution(client_for, workspace, owner, world):
    action = world["checkout"]["actions"][0]
    opportunity = world["checkout"]["opportunities"][0]
    client_for(owner).post(
        f"/api/maps/{world['checkout']['map'].pk}/changes/",
        {
            "id": "5b0a3c5e-0000-4000-8000-000000000001",
            "ops": [{"type": "item.update", "id": action, "fields": {"fixes": opportunity}}],
        },
        format="json",
    )

    body = portfolio(client_for(owner), workspace).json()

    assert next(o for o in body["opportunities"] if o["id"] == opportunity)["solutions"] == [action]


def test_linking_twice_is_a_conflict(client_for, workspace, owner, world):
    action, opportunity = world["store"]["actions"][0], world["checkout"]["opportunities"][0]
    link(client_for(owner), workspace, action, opportunity)

    response = link(client_for(owner), workspace, action, opportunity)

    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_a_viewer_cannot_link(client_for, workspace, viewer, world):
    action, opportunity = world["checkout"]["actions"][0], world["checkout"]["opportunities"][0]

    assert link(client_for(viewer), workspace, action, opportunity).status_code == 403
    assert not SolutionLink.objects.exists()


def test_an_editor_of_one_map_cannot_link_to_a_map_they_cannot_read(
    client_for, workspace, make_user, world
):
    editor = make_user("map_editor")
    MapAccess.objects.create(map=world["store"]["map"], user=editor, role="editor")
    action, opportunity = world["store"]["actions"][0], world["checkout"]["opportunities"][0]

    assert link(client_for(editor), workspace, action, opportunity).status_code == 404


def test_an_outsider_cannot_link(client_for, workspace, outsider, world):
    action, opportunity = world["store"]["actions"][0], world["checkout"]["opportunities"][0]
    assert link(client_for(outsider), workspace, action, opportunity).status_code == 404


def test_links_need_an_action_and_an_opportunity(client_for, workspace, owner, world):
    two_opportunities = world["store"]["opportunities"]
    response = link(client_for(owner), workspace, *two_opportunities)
    assert response.status_code == 404
    bad = client_for(owner).post(url(workspace, "links/"), {"action": "x"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_unlinking_needs_edit_rights_on_the_actions_map(
    client_for, workspace, owner, member, viewer, outsider, world
):
    action, opportunity = world["checkout"]["actions"][0], world["store"]["opportunities"][0]
    made = link(client_for(owner), workspace, action, opportunity).json()
    path = url(workspace, f"links/{made['id']}/")

    assert client_for(outsider).delete(path).status_code == 404
    assert client_for(viewer).delete(path).status_code == 404  # cannot read the store map
    MapAccess.objects.create(map=world["store"]["map"], user=viewer, role="viewer")
    assert client_for(viewer).delete(path).status_code == 403
    assert client_for(member).delete(path).status_code == 204
    assert client_for(owner).delete(path).status_code == 404
    assert not SolutionLink.objects.exists()
