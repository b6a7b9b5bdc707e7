"""GET /api/maps/{id}/ with ETag and If-None-Match: 304 while the caller's copy is current."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.document_cache import documents
from maps.models import JourneyMap
from maps.services import apply_ops, map_document
from personas.models import Persona


def _stage_add(journey_map: Any, actor: Any, name: str = "Khám phá") -> None:
    op = {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": "a0"}
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[op])


def _url(journey_map: Any, query: str = "") -> str:
    return f"/api/maps/{journey_map.pk}/{query}"


def test_the_document_carries_an_etag_and_must_be_revalidated(client_for, owner, journey_map):
    response = client_for(owner).get(_url(journey_map))

    assert response.status_code == 200
    assert response["ETag"].startswith(f'"{journey_map.revision}.owner.')
    assert response["Cache-Control"] == "private, no-cache"
    assert response.json()["role"] == "owner"


def test_a_current_etag_gets_304_without_building_the_document(client_for, owner, journey_map):
    client = client_for(owner)
    etag = client.get(_url(journey_map))["ETag"]
    documents.clear()
    built = documents.builds

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(journey_map), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, no-cache"
    assert documents.builds == built
    assert len(queries.captured_queries) == 2  # the token, then the map with the caller's role


def test_a_weak_or_listed_etag_also_matches(client_for, owner, journey_map):
    client = client_for(owner)
    etag = client.get(_url(journey_map))["ETag"]

    weak = client.get(_url(journey_map), HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    anything = client.get(_url(journey_map), HTTP_IF_NONE_MATCH="*")

    assert weak.status_code == 304
    assert anything.status_code == 304


def test_a_change_makes_the_old_etag_stale(client_for, owner, journey_map):
    client = client_for(owner)
    etag = client.get(_url(journey_map))["ETag"]

    _stage_add(journey_map, owner)
    response = client.get(_url(journey_map), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["revision"] == journey_map.revision + 1
    assert [stage["name"] for stage in response.json()["stages"]] == ["Khám phá"]


def test_the_etag_names_the_callers_role(client_for, role_users, journey_map):
    owner_etag = client_for(role_users["owner"]).get(_url(journey_map))["ETag"]
    viewer = client_for(role_users["viewer"])

    response = viewer.get(_url(journey_map), HTTP_IF_NONE_MATCH=owner_etag)

    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert response["ETag"] != owner_etag
    assert viewer.get(_url(journey_map), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_outsider_gets_neither_304_nor_the_cached_document(
    client_for, owner, outsider, journey_map
):
    etag = client_for(owner).get(_url(journey_map))["ETag"]  # now built and cached

    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_NONE_MATCH": "*"}, {}):
        response = client_for(outsider).get(_url(journey_map), **headers)
        assert response.status_code == 404
        assert "ETag" not in response
        assert response.json()["code"] == "not_found"


def test_someone_signed_out_gets_neither_304_nor_the_document(client_for, owner, journey_map):
    etag = client_for(owner).get(_url(journey_map))["ETag"]

    response = client_for(None).get(_url(journey_map), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 401
    assert "ETag" not in response


def test_a_past_revision_has_its_own_etag_that_follows_the_current_one(
    client_for, owner, journey_map
):
    _stage_add(journey_map, owner)
    client = client_for(owner)
    current = client.get(_url(journey_map))["ETag"]
    past = client.get(_url(journey_map, "?revision=0"))

    assert past.status_code == 200
    assert past.json()["stages"] == []
    assert past["ETag"] != current
    same = client.get(_url(journey_map, "?revision=0"), HTTP_IF_NONE_MATCH=past["ETag"])
    assert same.status_code == 304

    _stage_add(journey_map, owner, "Mua")  # the response's current_revision moves on
    again = client.get(_url(journey_map, "?revision=0"), HTTP_IF_NONE_MATCH=past["ETag"])

    assert again.status_code == 200
    assert again.json()["current_revision"] == 2
    assert again.json()["stages"] == []


def test_an_invalid_revision_is_refused_before_any_etag(client_for, owner, journey_map):
    response = client_for(owner).get(_url(journey_map, "?revision=9"), HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_persona_edited_beside_the_map_makes_the_etag_stale(
    client_for, owner, journey_map, personas
):
    op = {"type": "persona.attach", "persona": personas[0]}
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[op])
    client = client_for(owner)
    etag = client.get(_url(journey_map))["ETag"]

    persona = Persona.objects.get(pk=personas[0])
    persona.name = "Chị Hoa (mới)"
    persona.save()
    response = client.get(_url(journey_map), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["personas"][0]["name"] == "Chị Hoa (mới)"


def test_linking_a_current_state_makes_the_etag_stale(client_for, owner, journey_map, workspace):
    from maps.documents import map_create

    client = client_for(owner)
    etag = client.get(_url(journey_map))["ETag"]
    current = map_create(workspace=workspace, actor=owner, title="Hiện tại")

    JourneyMap.objects.filter(pk=journey_map.pk).update(current_state=current)
    response = client.get(_url(journey_map), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["current_state"] == str(current.pk)


def test_the_cached_json_is_the_document_as_rendered(client_for, owner, template_map):
    client = client_for(owner)
    built = documents.builds
    first = client.get(_url(template_map))
    second = client.get(_url(template_map))

    assert first.content == second.content
    assert documents.builds == built + 1
    assert first.json() == {**map_document(journey_map=template_map), "role": "owner"}
    assert len(first.json()["items"]) > 0


def test_the_browsable_api_still_renders_the_document_under_its_own_etag(
    client_for, owner, journey_map
):
    client = client_for(owner)
    json_etag = client.get(_url(journey_map))["ETag"]

    response = client.get(_url(journey_map), HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=json_etag)

    assert response.status_code == 200
    assert response["ETag"] != json_etag
    assert response["Content-Type"].startswith("text/html")
    assert str(journey_map.pk).encode() in response.content
