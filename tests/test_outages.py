from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_a_database_outage_answers_503_json_with_retry_after(client_for, journey_map, member):
    client = client_for(member)
    with mock.patch(
        "maps.api.map_for", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get(f"/api/maps/{journey_map.id}/")

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "5"


def test_healthz_reports_503_when_the_database_is_down(client):
    with mock.patch("journeymap.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("down")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")
