"""The OpenAPI schema at /api/schema/ builds cleanly and is public, like the docs page."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_errors_or_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))

    assert "/api/maps/{map_id}/changes/" in target.read_text()


@pytest.mark.parametrize("caller", ["anonymous", "outsider", "owner"])
def test_the_schema_is_served_to_every_caller(caller, client_for, outsider, owner):
    user = {"anonymous": None, "outsider": outsider, "owner": owner}[caller]

    response = client_for(user).get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content
