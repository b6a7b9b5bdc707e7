import json
import uuid

import pytest

pytestmark = pytest.mark.django_db


def test_an_oversized_change_is_refused_with_413_and_nothing_applied(
    client_for, journey_map, member, settings
):
    settings.MAX_REQUEST_BYTES = 10_000
    ops = [
        {"type": "stage.create", "id": str(uuid.uuid4()), "name": "x" * 100, "position": "a0"}
    ] * 200
    body = json.dumps({"id": str(uuid.uuid4()), "ops": ops})

    response = client_for(member).post(
        f"/api/maps/{journey_map.id}/changes/", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    journey_map.refresh_from_db()
    assert journey_map.revision == 0


def test_a_non_numeric_content_length_is_a_bad_message(client_for, journey_map, member):
    response = client_for(member).post(
        f"/api/maps/{journey_map.id}/changes/",
        "{}",
        content_type="application/json",
        CONTENT_LENGTH="lots",
    )

    assert response.status_code == 400


def test_unknown_api_paths_answer_json_404(client_for, member):
    response = client_for(member).get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
