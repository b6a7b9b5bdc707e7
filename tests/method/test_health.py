"""The journey health check: each finding fires on a map with the gap, not on one without."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import Insight, InsightLink
from maps.documents import map_create
from maps.services import apply_ops
from method.health import map_health
from method.library import get_template
from personas.models import Persona

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def edit(journey_map: Any, user: Any, *ops: dict[str, Any]) -> None:
    apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=list(ops))


def uid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def healthy(journey_map: Any, owner: Any, workspace: Any) -> dict[str, Any]:
    """A one-stage map with nothing missing; the tests break one thing at a time."""
    persona = Persona.objects.create(workspace=workspace, name="Chị Lan")
    ids = {k: uid() for k in ("stage", "tp", "ob", "op", "em", "me", "lt", "lo", "lp", "le", "lm")}
    edit(
        journey_map,
        owner,
        {
            "type": "map.update",
            "fields": {"objective": "Tăng chuyển đổi", "next_review": "2027-02-01"},
        },
        {"type": "persona.attach", "persona": str(persona.pk)},
        {"type": "stage.create", "id": ids["stage"], "name": "Nhận thức", "position": "a0"},
        {
            "type": "lane.create",
            "id": ids["lt"],
            "kind": "touchpoints",
            "title": "Điểm chạm",
            "position": "a0",
        },
        {
            "type": "lane.create",
            "id": ids["lo"],
            "kind": "obstacles",
            "title": "Rào cản",
            "position": "a1",
        },
        {
            "type": "lane.create",
            "id": ids["lp"],
            "kind": "opportunities",
            "title": "Cơ hội",
            "position": "a2",
        },
        {
            "type": "lane.create",
            "id": ids["le"],
            "kind": "emotions",
            "title": "Cảm xúc",
            "position": "a3",
        },
        {
            "type": "lane.create",
            "id": ids["lm"],
            "kind": "metrics",
            "title": "Chỉ số",
            "position": "a4",
        },
        {
            "type": "item.create",
            "id": ids["tp"],
            "lane": ids["lt"],
            "stage": ids["stage"],
            "position": "a0",
            "text": "Quảng cáo Facebook",
            "channel": "social",
            "owner": "Marketing",
        },
        {
            "type": "item.create",
            "id": ids["ob"],
            "lane": ids["lo"],
            "stage": ids["stage"],
            "position": "a0",
            "text": "Quảng cáo chung chung",
            "evidence": "research",
        },
        {
            "type": "item.create",
            "id": ids["op"],
            "lane": ids["lp"],
            "stage": ids["stage"],
            "position": "a0",
            "text": "Video khách hàng thật",
        },
        {
            "type": "item.create",
            "id": ids["em"],
            "lane": ids["le"],
            "stage": ids["stage"],
            "position": "a0",
            "score": 1,
        },
        {
            "type": "item.create",
            "id": ids["me"],
            "lane": ids["lm"],
            "stage": ids["stage"],
            "position": "a0",
            "name": "NPS",
            "value": 30,
            "target": 45,
        },
    )
    journey_map.refresh_from_db()
    # The pain's evidence: an interview quote in the workspace's insights repository.
    quote = Insight.objects.create(workspace=workspace, kind="interview", text="Giá quá cao")
    link = InsightLink.objects.create(insight=quote, item_id=ids["ob"])
    return {"map": journey_map, "owner": owner, "link": link, **ids}


def codes(journey_map: Any) -> dict[str, str]:
    journey_map.refresh_from_db()
    return {f.code: f.target for f in map_health(journey_map=journey_map, today=TODAY)}


def test_a_map_with_nothing_missing_has_no_findings(healthy: dict[str, Any]) -> None:
    assert codes(healthy["map"]) == {}


def _break_objective(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "map.update", "fields": {"objective": ""}})


def _break_persona(h: dict[str, Any]) -> None:
    persona = h["map"].personas.get()
    edit(h["map"], h["owner"], {"type": "persona.detach", "persona": str(persona.pk)})


def _break_review(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "map.update", "fields": {"next_review": "2026-08-01"}})


def _break_touchpoints(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "item.delete", "id": h["tp"]})


def _break_owner(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "item.update", "id": h["tp"], "fields": {"owner": ""}})


def _break_opportunity(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "item.delete", "id": h["op"]})


def _break_metric(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "item.delete", "id": h["me"]})


def _break_emotion(h: dict[str, Any]) -> None:
    edit(h["map"], h["owner"], {"type": "item.update", "id": h["em"], "fields": {"score": -2}})


def _break_evidence(h: dict[str, Any]) -> None:
    h["link"].delete()
    edit(
        h["map"],
        h["owner"],
        {"type": "item.update", "id": h["ob"], "fields": {"evidence": "assumption"}},
    )


def _break_insight(h: dict[str, Any]) -> None:
    h["link"].delete()  # still marked research-backed by hand, with nothing behind it


GAPS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("objective_missing", _break_objective, "map"),
    ("persona_missing", _break_persona, "map"),
    ("review_overdue", _break_review, "map"),
    ("stage_without_touchpoints", _break_touchpoints, "stage"),
    ("touchpoint_without_owner", _break_owner, "tp"),
    ("obstacle_without_opportunity", _break_opportunity, "ob"),
    ("stage_without_metric", _break_metric, "stage"),
    ("emotional_low_point", _break_emotion, "em"),
    ("unsupported_pain_point", _break_evidence, "ob"),
    ("pain_without_insight", _break_insight, "ob"),
]


@pytest.mark.parametrize(("code", "gap", "target"), GAPS, ids=[g[0] for g in GAPS])
def test_each_finding_fires_on_the_gap_and_names_what_it_concerns(
    healthy: dict[str, Any], code: str, gap: Callable[[dict[str, Any]], None], target: str
) -> None:
    gap(healthy)
    found = codes(healthy["map"])
    assert list(found) == [code]
    expected = str(healthy["map"].pk) if target == "map" else healthy[target]
    assert found[code] == expected


def test_an_action_item_that_fixes_an_obstacle_counts_as_its_answer(
    healthy: dict[str, Any],
) -> None:
    lane, action = uid(), uid()
    edit(
        healthy["map"],
        healthy["owner"],
        {"type": "item.delete", "id": healthy["op"]},
        {
            "type": "lane.create",
            "id": lane,
            "kind": "action_plan",
            "title": "Kế hoạch",
            "position": "a9",
        },
        {
            "type": "item.create",
            "id": action,
            "lane": lane,
            "stage": healthy["stage"],
            "position": "a0",
            "text": "Viết lại quảng cáo",
            "owner": "Marketing",
            "fixes": healthy["ob"],
        },
    )
    assert "obstacle_without_opportunity" not in codes(healthy["map"])


def test_the_low_point_ignores_the_to_be_curve(healthy: dict[str, Any]) -> None:
    edit(
        healthy["map"],
        healthy["owner"],
        {"type": "item.update", "id": healthy["em"], "fields": {"score": -2, "variant": "to_be"}},
    )
    assert "emotional_low_point" not in codes(healthy["map"])


def test_an_insight_behind_a_pain_answers_it_whatever_its_hand_set_level(
    healthy: dict[str, Any],
) -> None:
    edit(
        healthy["map"],
        healthy["owner"],
        {"type": "item.update", "id": healthy["ob"], "fields": {"evidence": "assumption"}},
    )
    assert codes(healthy["map"]) == {}


def test_the_health_check_reads_the_map_in_a_bounded_number_of_queries(
    workspace: Any, owner: Any
) -> None:
    spec = get_template("data_driven_6")
    assert spec is not None
    journey_map = map_create(
        workspace=workspace, actor=owner, title="t", document=spec.document("vi")
    )
    with CaptureQueriesContext(connection) as queries:
        map_health(journey_map=journey_map)
    assert len(queries) <= 4


def test_messages_follow_the_asked_language_and_default_to_the_maps(
    healthy: dict[str, Any], client_for: Any
) -> None:
    _break_owner(healthy)
    client = client_for(healthy["owner"])
    url = f"/api/maps/{healthy['map'].pk}/health/"
    english = client.get(url + "?lang=en").json()["findings"][0]
    assert english == {
        "code": "touchpoint_without_owner",
        "severity": "warning",
        "message": "Touchpoint “Quảng cáo Facebook” has no owning team.",
        "target": healthy["tp"],
    }
    assert client.get(url).json()["findings"][0]["message"].startswith("Điểm chạm “Quảng cáo")
    browser = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["findings"][0]
    assert browser["message"].startswith("Touchpoint")
    assert client.get(url + "?lang=fr").status_code == 400


def test_viewers_read_the_health_check_and_outsiders_get_404(
    role_users: dict[str, Any], journey_map: Any, client_for: Any
) -> None:
    url = f"/api/maps/{journey_map.pk}/health/"
    assert client_for(role_users["viewer"]).get(url).status_code == 200
    assert client_for(role_users["commenter"]).get(url).status_code == 200
    response = client_for(role_users["outsider"]).get(url)
    assert response.status_code == 404
    assert client_for(None).get(url).status_code == 401
