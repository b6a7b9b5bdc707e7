"""`GET /api/workspaces/{id}/landscape/`: the maps a caller may read, how they nest, and
their happiness, health and metrics, in a fixed number of queries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maps.documents import map_create
from method.health import map_health
from portfolio.landscape import workspace_landscape
from tests.portfolio.landscape_world import build_landscape, change, emotions, template_map
from workspaces.models import MapAccess
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(workspace: Any, owner: Any) -> dict[str, Any]:
    return build_landscape(workspace, owner)


def landscape(client: Any, workspace: Any) -> Any:
    return client.get(f"/api/workspaces/{workspace.pk}/landscape/")


def by_title(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["title"]: m for m in body["maps"]}


def test_a_member_sees_every_map_as_a_tree(client_for, workspace, member, world):
    body = landscape(client_for(member), workspace).json()

    maps = by_title(body)
    assert len(maps) == 5
    roots = {maps_id["title"] for maps_id in body["maps"] if maps_id["id"] in body["roots"]}
    assert roots == {world["macro"].title, world["loose"].title}
    macro = maps[world["macro"].title]
    assert [(c["map"], c["stage_name"]) for c in macro["children"]] == [
        (str(world["research"].pk), "Cân nhắc"),
        (str(world["checkout"].pk), "Giữ chân"),
    ]
    assert maps[world["payment"].title]["parents"] == [str(world["checkout"].pk)]


def test_happiness_is_the_share_of_each_personas_points_above_neutral(
    client_for, workspace, owner, world
):
    macro = by_title(landscape(client_for(owner), workspace).json())[world["macro"].title]

    shares = {h["name"]: (h["happy"], h["points"], h["share"]) for h in macro["happiness"]}
    assert shares["Chị Hoa"] == (3, 5, 0.6)
    assert shares["Anh Nam"] == (3, 5, 0.6)


def test_a_to_be_point_does_not_count_and_a_persona_without_points_has_no_share(
    client_for, workspace, owner, world
):
    emotions(world["loose"], owner, world["hoa"], [])
    loose_lane = world["loose"].lanes.get(kind="emotions")
    stage = world["loose"].stages.order_by("position").first()
    op = {
        "type": "item.create",
        "id": str(uuid.uuid4()),
        "lane": str(loose_lane.pk),
        "stage": str(stage.pk),
        "position": "z9",
        "score": 2,
        "variant": "to_be",
        "persona": str(world["hoa"].pk),
    }
    change(world["loose"], owner, [op])

    loose = by_title(landscape(client_for(owner), workspace).json())[world["loose"].title]

    hoa = next(h for h in loose["happiness"] if h["name"] == "Chị Hoa")
    assert (hoa["points"], hoa["share"]) == (0, None)


def test_each_map_carries_its_health_score_and_metrics_against_target(
    client_for, workspace, owner, world
):
    empty_stage = {
        "type": "stage.create",
        "id": str(uuid.uuid4()),
        "name": "Trống",
        "position": "z",
    }
    change(world["loose"], owner, [empty_stage])

    maps = by_title(landscape(client_for(owner), workspace).json())

    macro = maps[world["macro"].title]
    assert macro["health"]["findings"] == len(map_health(journey_map=world["macro"]))
    assert 0 <= macro["health"]["score"] <= 100
    assert macro["health"]["score"] > maps[world["loose"].title]["health"]["score"]
    metrics = [(m["name"], m["value"], m["target"], m["ratio"]) for m in macro["metrics"]]
    assert ("Tỷ lệ chuyển đổi", 2.4, 4.0, 0.6) in metrics
    assert ("CSAT", 4.6, 4.5, 1.022) in metrics
    assert all(m["target"] is not None for m in macro["metrics"])
    assert macro["owner"]["name"] == "Lan Nguyễn"
    assert {"Chị Hoa", "Anh Nam"} <= {p["name"] for p in macro["personas"]}
    assert macro["channels"] and macro["status"] == "approved"


def test_a_user_with_a_grant_on_one_map_sees_only_that_map(client_for, workspace, world, make_user):
    guest = make_user("guest")
    MapAccess.objects.create(map=world["checkout"], user=guest, role="viewer")

    body = landscape(client_for(guest), workspace).json()

    assert [m["title"] for m in body["maps"]] == [world["checkout"].title]
    assert body["roots"] == [str(world["checkout"].pk)]
    assert body["maps"][0]["children"] == []  # the sub-journey is not readable to them


def test_an_outsider_gets_404(client_for, workspace, outsider, world):
    assert landscape(client_for(outsider), workspace).status_code == 404


def test_anonymous_gets_401(api, workspace, world):
    assert landscape(api, workspace).status_code == 401


def test_a_missing_workspace_is_404(client_for, owner):
    response = client_for(owner).get(
        "/api/workspaces/00000000-0000-0000-0000-000000000000/landscape/"
    )
    assert response.status_code == 404


def test_maps_of_other_workspaces_stay_out(client_for, workspace, owner, world):
    elsewhere = workspace_create(name="Nhóm khác", creator=owner)
    map_create(workspace=elsewhere, actor=owner, title="Bản đồ khác")

    titles = {m["title"] for m in landscape(client_for(owner), workspace).json()["maps"]}

    assert "Bản đồ khác" not in titles


def test_the_landscape_reads_a_fixed_number_of_queries(
    django_assert_max_num_queries, workspace, owner, member, world
):
    workspace_landscape(workspace=workspace, user=member)  # warm caches (content types)
    with django_assert_max_num_queries(6) as few:
        workspace_landscape(workspace=workspace, user=member)
    for index in range(6):
        extra = template_map(workspace, owner, f"Bản đồ thêm {index}")
        emotions(extra, owner, world["hoa"], [1, -1, 2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = workspace_landscape(workspace=workspace, user=member)
    assert len(body["maps"]) == 11
