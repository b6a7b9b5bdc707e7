"""GET /api/maps/{id}/changes/: pages written from the rows, full pages kept per process."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.models import Change
from maps.serializers import ChangeSerializer
from maps.services import apply_ops


def _renames(journey_map, actor, count: int) -> None:
    stage = str(uuid.uuid4())
    create = {"type": "stage.create", "id": stage, "name": "Tìm hiểu", "position": "a0"}
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[create])
    for n in range(count - 1):
        op = {"type": "stage.update", "id": stage, "fields": {"name": f"Giai đoạn “{n}”"}}
        apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[op])


def _url(journey_map, query: str) -> str:
    return f"/api/maps/{journey_map.pk}/changes/{query}"


def test_a_page_is_the_changes_as_the_serializer_documents_them(client_for, owner, journey_map):
    _renames(journey_map, owner, 3)

    body = client_for(owner).get(_url(journey_map, "?since=0")).json()

    rows = Change.objects.filter(map=journey_map).order_by("revision")
    assert body["results"] == ChangeSerializer(rows, many=True).data
    assert body["next"] is None
    assert body["revision"] == 3


def test_a_full_page_is_sent_again_without_a_query_for_it(client_for, owner, journey_map):
    _renames(journey_map, owner, 5)
    client = client_for(owner)
    first = client.get(_url(journey_map, "?since=1&limit=2"))

    with CaptureQueriesContext(connection) as queries:
        again = client.get(_url(journey_map, "?since=1&limit=2"))

    assert [c["revision"] for c in first.json()["results"]] == [2, 3]
    assert first.json()["next"].endswith(f"/api/maps/{journey_map.pk}/changes/?since=3&limit=2")
    assert again.content == first.content
    assert len(queries.captured_queries) == 2  # the token, then the map with the caller's role


def test_the_last_page_grows_with_each_change(client_for, owner, journey_map):
    _renames(journey_map, owner, 2)
    client = client_for(owner)
    client.get(_url(journey_map, "?since=1"))

    _renames(journey_map, owner, 1)
    body = client.get(_url(journey_map, "?since=1")).json()

    assert [c["revision"] for c in body["results"]] == [2, 3]
    assert body["revision"] == 3


def test_an_outsider_does_not_get_a_kept_page(client_for, owner, outsider, journey_map):
    _renames(journey_map, owner, 3)
    client_for(owner).get(_url(journey_map, "?since=0&limit=1"))

    response = client_for(outsider).get(_url(journey_map, "?since=0&limit=1"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_browsable_api_still_renders_a_page(client_for, owner, journey_map):
    _renames(journey_map, owner, 2)

    response = client_for(owner).get(_url(journey_map, "?since=0"), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Giai đoạn".encode() in response.content
