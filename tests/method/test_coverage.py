"""Touchpoint coverage: stage × channel counts, online/offline share, touchpoints per team."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.documents import map_create
from method.coverage import touchpoint_coverage
from method.library import get_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_map(workspace: Any, owner: Any) -> Any:
    spec = get_template("buyer_journey_5")
    assert spec is not None
    return map_create(workspace=workspace, actor=owner, title="t", document=spec.document("en"))


def test_coverage_counts_touchpoints_per_stage_and_channel(buyer_map: Any) -> None:
    coverage = touchpoint_coverage(journey_map=buyer_map, language="en")
    assert coverage["total"] == 9
    by_name = {stage["name"]: stage for stage in coverage["stages"]}
    assert list(by_name) == ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert by_name["Awareness"]["counts"]["social"] == 1
    assert by_name["Awareness"]["counts"]["search"] == 1
    assert by_name["Awareness"]["counts"]["store"] == 0
    assert by_name["Purchase"]["total"] == 2
    assert sum(stage["total"] for stage in coverage["stages"]) == coverage["total"]
    channel_names = {c["key"]: c["name"] for c in coverage["channels"]}
    assert channel_names["store"] == "Physical store"
    assert coverage["uncovered_stages"] == []


def test_coverage_gives_the_online_share_and_the_owning_teams(buyer_map: Any) -> None:
    coverage = touchpoint_coverage(journey_map=buyer_map, language="vi")
    assert coverage["online"]["online"] == 7
    assert coverage["online"]["offline"] == 2
    assert coverage["online"]["online_share"] == 77.8
    owners = {row["owner"]: row["count"] for row in coverage["owners"]}
    assert owners == {"Marketing": 3, "E-commerce": 2, "Customer care": 2, "Retail": 1, "CRM": 1}
    assert coverage["unowned"] == 0
    assert {c["key"]: c["name"] for c in coverage["channels"]}["store"] == "Cửa hàng thực tế"


def test_an_empty_map_has_zero_shares_and_every_stage_uncovered(workspace: Any, owner: Any) -> None:
    spec = get_template("blank")
    assert spec is not None
    blank = map_create(workspace=workspace, actor=owner, title="b", document=spec.document("vi"))
    coverage = touchpoint_coverage(journey_map=blank)
    assert coverage["total"] == 0
    assert coverage["online"]["online_share"] == 0.0
    assert len(coverage["uncovered_stages"]) == len(coverage["stages"]) == 5


def test_coverage_takes_two_queries_whatever_the_map_size(buyer_map: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        touchpoint_coverage(journey_map=buyer_map)
    assert len(queries) == 2


def test_the_coverage_api_serves_viewers_and_hides_the_map_from_outsiders(
    role_users: dict[str, Any], journey_map: Any, client_for: Any
) -> None:
    url = f"/api/maps/{journey_map.pk}/coverage/?lang=en"
    response = client_for(role_users["viewer"]).get(url)
    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert client_for(role_users["outsider"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401
