"""GET /api/share/{token}/ with ETag and If-None-Match: the share view's poll costs a 304."""

from __future__ import annotations

import uuid

from maps.services import apply_ops
from workspaces.sharing import share_link_create, share_link_revoke


def _stage_create(journey_map, actor) -> None:
    op = {"type": "stage.create", "id": str(uuid.uuid4()), "name": "Mua", "position": "a0"}
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[op])


def test_a_shared_document_answers_304_while_it_is_current(client_for, owner, journey_map):
    link = share_link_create(journey_map=journey_map, actor=owner, role="viewer")
    visitor = client_for(None)
    first = visitor.get(f"/api/share/{link.token}/")

    again = visitor.get(f"/api/share/{link.token}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert "workspace" not in first.json()
    assert again.status_code == 304
    assert again.content == b""


def test_an_edit_makes_the_shared_etag_stale(client_for, owner, journey_map):
    link = share_link_create(journey_map=journey_map, actor=owner, role="viewer")
    visitor = client_for(None)
    etag = visitor.get(f"/api/share/{link.token}/")["ETag"]

    _stage_create(journey_map, owner)
    response = visitor.get(f"/api/share/{link.token}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert [stage["name"] for stage in response.json()["stages"]] == ["Mua"]


def test_two_links_to_one_map_have_different_etags(client_for, owner, journey_map):
    viewer = share_link_create(journey_map=journey_map, actor=owner, role="viewer")
    exporter = share_link_create(
        journey_map=journey_map, actor=owner, role="viewer", allow_export=True
    )
    visitor = client_for(None)

    etag = visitor.get(f"/api/share/{viewer.token}/")["ETag"]
    response = visitor.get(f"/api/share/{exporter.token}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["allow_export"] is True


def test_a_revoked_link_gets_404_not_304(client_for, owner, journey_map):
    link = share_link_create(journey_map=journey_map, actor=owner, role="viewer")
    visitor = client_for(None)
    etag = visitor.get(f"/api/share/{link.token}/")["ETag"]

    share_link_revoke(link=link)
    response = visitor.get(f"/api/share/{link.token}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 404
    assert "ETag" not in response
