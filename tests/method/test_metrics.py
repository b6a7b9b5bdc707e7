"""Metric catalog and calculators: worked examples, bad input, and the API around them."""

from __future__ import annotations

from typing import Any

import pytest

from method.metrics import CATALOG, STAGES, MetricInputError, metric_calculate


def calc(metric: str, **inputs: Any) -> float:
    return metric_calculate(metric=metric, inputs=inputs).value


def test_nps_of_60_promoters_25_passives_15_detractors_is_45() -> None:
    assert calc("nps", promoters=60, passives=25, detractors=15) == 45


def test_nps_from_counts_of_each_answer_groups_9_10_7_8_and_0_6() -> None:
    # scores 0..10: 5 people said 0, 10 said 6, 25 said 8, 20 said 9, 40 said 10
    answers = [5, 0, 0, 0, 0, 0, 10, 0, 25, 20, 40]
    result = metric_calculate(metric="nps", inputs={"answers": answers})
    assert result.value == 45
    assert "60 promoters" in result.explained("en")
    assert "15 người phản đối" in result.explained("vi")


def test_nps_accepts_a_score_to_count_mapping() -> None:
    assert calc("nps", answers={"10": 3, "7": 1, "2": 1}) == 40


def test_nps_of_only_detractors_is_minus_100() -> None:
    assert calc("nps", promoters=0, passives=0, detractors=7) == -100


def test_csat_is_the_share_of_satisfied_answers() -> None:
    assert calc("csat", satisfied=172, responses=200) == 86


def test_conversion_rate_is_conversions_over_visitors() -> None:
    assert calc("conversion_rate", conversions=45, visitors=1500) == 3


def test_cac_divides_marketing_spend_by_customers_won() -> None:
    assert calc("cac", spend=50_000_000, customers=250) == 200_000


def test_churn_and_retention_of_the_same_period() -> None:
    assert calc("churn", customers_start=400, customers_lost=18) == 4.5
    assert calc("retention", customers_start=400, customers_end=430, customers_new=48) == 95.5


def test_clv_multiplies_order_value_frequency_years_and_margin() -> None:
    value = calc("clv", average_order_value=500_000, purchases_per_year=4, years=3, margin=30)
    assert value == 1_800_000


@pytest.mark.parametrize(
    ("metric", "inputs", "words"),
    [
        ("nps", {"promoters": -1, "passives": 0, "detractors": 2}, "negative"),
        ("nps", {"promoters": 0, "passives": 0, "detractors": 0}, "zero"),
        ("nps", {"answers": [1, 2, 3]}, "11 counts"),
        ("nps", {"answers": {"11": 4}}, "not in 0–10"),
        ("nps", {"answers": {"²": 4}}, "not in 0–10"),
        ("nps", {"promoters": 1.5, "passives": 0, "detractors": 0}, "whole number"),
        ("csat", {"satisfied": 5, "responses": 0}, "zero"),
        ("csat", {"satisfied": 9, "responses": 5}, "larger"),
        ("conversion_rate", {"conversions": 3}, "missing"),
        ("cac", {"spend": 100, "customers": 0}, "zero"),
        ("cac", {"spend": "a lot", "customers": 3}, "number"),
        ("churn", {"customers_start": 10, "customers_lost": 11}, "larger"),
        (
            "clv",
            {"average_order_value": 1, "purchases_per_year": 1, "years": 1, "margin": 120},
            "percentage",
        ),
        ("unknown", {}, "No calculator"),
        ("nps", {"promoters": 10**400, "passives": 0, "detractors": 0}, "too large"),
        ("csat", {"satisfied": float("inf"), "responses": 3}, "must be a"),
        ("csat", {"satisfied": float("nan"), "responses": 3}, "must be a"),
        ("cac", {"spend": float("inf"), "customers": 3}, "number"),
        ("csat", {"satisfied": True, "responses": 3}, "must be a number"),
    ],
)
def test_bad_input_is_refused_with_a_message_in_both_languages(
    metric: str, inputs: dict[str, Any], words: str
) -> None:
    with pytest.raises(MetricInputError) as error:
        metric_calculate(metric=metric, inputs=inputs)
    assert words in error.value.message("en")
    assert error.value.message("vi") and error.value.message("vi") != error.value.message("en")


def test_every_catalog_entry_has_name_definition_and_formula_in_both_languages() -> None:
    assert len(CATALOG) >= 40
    for metric in CATALOG:
        assert metric.stage in STAGES
        for text in (metric.name, metric.definition, metric.formula):
            assert text["vi"].strip() and text["en"].strip(), metric.key


@pytest.mark.django_db
def test_the_catalog_api_lists_metrics_per_stage_in_the_asked_language(
    client_for: Any, owner: Any
) -> None:
    body = client_for(owner).get("/api/metrics/?lang=vi").json()
    nps = next(entry for entry in body if entry["key"] == "nps")
    assert nps["stage"] == "advocacy" and nps["calculator"] == "nps"
    assert nps["formula"].startswith("NPS = % người ủng hộ")
    assert {entry["stage"] for entry in body} == set(STAGES)


@pytest.mark.django_db
def test_calculate_over_the_api_answers_value_and_explanation(client_for: Any, owner: Any) -> None:
    response = client_for(owner).post(
        "/api/metrics/calculate/?lang=en",
        {"metric": "nps", "promoters": 60, "passives": 25, "detractors": 15},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["value"] == 45
    assert "NPS 45" in response.json()["explanation"]


@pytest.mark.django_db
def test_calculate_over_the_api_refuses_a_zero_total_with_400_in_vietnamese(
    client_for: Any, owner: Any
) -> None:
    response = client_for(owner).post(
        "/api/metrics/calculate/?lang=vi",
        {"metric": "conversion_rate", "conversions": 0, "visitors": 0},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "không thể chia cho 0" in response.json()["message"]


@pytest.mark.django_db
def test_calculate_refuses_a_body_without_a_metric(client_for: Any, owner: Any) -> None:
    response = client_for(owner).post("/api/metrics/calculate/", [1, 2], format="json")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/metrics/", "/api/metrics/calculate/"])
def test_metric_endpoints_need_a_signed_in_user(api: Any, path: str) -> None:
    response = api.post(path, {"metric": "nps"}, format="json") if "calc" in path else api.get(path)
    assert response.status_code == 401


@pytest.mark.django_db
def test_an_outside_system_pushes_this_weeks_nps_into_a_metric_item_as_docs_show(
    client_for: Any, owner: Any, template_map: Any, role_users: dict[str, Any], new_id: Any
) -> None:
    client = client_for(owner)
    document = client.get(f"/api/maps/{template_map.pk}/").json()
    item = next(i for i in document["items"] if i["kind"] == "metric" and "NPS" in i["name"])
    nps = client.post(
        "/api/metrics/calculate/",
        {"metric": "nps", "answers": [3, 1, 2, 4, 3, 5, 7, 20, 25, 40, 50]},
        format="json",
    ).json()["value"]
    fields = {"value": nps, "trend": "up", "evidence": "data", "source": "Survey tool, week 47"}
    change = {"id": new_id(), "ops": [{"type": "item.update", "id": item["id"], "fields": fields}]}
    response = client.post(f"/api/maps/{template_map.pk}/changes/", change, format="json")
    assert response.status_code == 200
    after = client.get(f"/api/maps/{template_map.pk}/").json()
    updated = next(i for i in after["items"] if i["id"] == item["id"])
    assert (updated["value"], updated["trend"]) == (40.62, "up")
    from workspaces.models import MapAccess

    MapAccess.objects.create(map=template_map, user=role_users["viewer"], role="viewer")
    viewer = client_for(role_users["viewer"])
    change = {"id": new_id(), "ops": [{"type": "item.update", "id": item["id"], "fields": fields}]}
    denied = viewer.post(f"/api/maps/{template_map.pk}/changes/", change, format="json")
    assert denied.status_code == 403
