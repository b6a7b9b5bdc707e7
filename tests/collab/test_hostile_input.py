"""Hostile input to the sharing and history endpoints: a clear 4xx, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HUGE = 10**20


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/maps/{map}/?revision={huge}", None),
        ("get", "/api/maps/{map}/?revision=%00", None),
        ("get", "/api/maps/{map}/compare/?from=abc&to=1", None),
        ("get", "/api/maps/{map}/compare/?from=0&to={huge}", None),
        ("get", "/api/maps/{map}/history/?before=-5", None),
        ("post", "/api/maps/{map}/restore/", {"revision": "x"}),
        ("post", "/api/maps/{map}/restore/", {"revision": HUGE}),
        ("post", "/api/maps/{map}/restore/", ["not", "an", "object"]),
        ("post", "/api/maps/{map}/versions/", {"name": "a\x00b"}),
        ("post", "/api/maps/{map}/versions/", {"name": "x" * 500}),
        ("post", "/api/maps/{map}/versions/", {"name": "a\x07b"}),
        ("post", "/api/maps/{map}/share-links/", {"role": "viewer", "expires": "tomorrow"}),
        ("post", "/api/maps/{map}/share-links/", {"role": ["viewer"]}),
        ("patch", "/api/maps/{map}/members/{huge}/", {"role": "viewer"}),
        ("delete", "/api/maps/{map}/members/{huge}/", None),
        ("delete", "/api/maps/{map}/share-links/00000000-0000-0000-0000-000000000000/", None),
        ("put", "/api/maps/{map}/current-state/", {"map": "not-a-uuid"}),
        ("put", "/api/maps/{map}/current-state/", {"map": "00000000-0000-0000-0000-000000000000"}),
        ("post", "/api/notifications/read/", {"ids": [HUGE, "x"]}),
        ("post", "/api/notifications/read/", {"ids": [HUGE]}),
        ("post", "/api/notifications/read/", {"ids": [2**63]}),
        ("post", "/api/notifications/read/", {"ids": "all"}),
        ("get", "/api/share/{long}/", None),
        ("post", "/api/share/{long}/changes/", {"id": "x"}),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    method, path, body, client_for, owner, journey_map
):
    url = path.format(map=journey_map.pk, huge=HUGE, long="A" * 5000)
    before = journey_map.revision
    response = getattr(client_for(owner), method)(url, body, format="json")
    assert 400 <= response.status_code < 500, response.content[:300]
    assert "code" in response.json()
    journey_map.refresh_from_db()
    assert journey_map.revision == before


@pytest.mark.services
@pytest.mark.parametrize("user_id", [HUGE, 2**31, 2**63])
def test_out_of_range_ids_are_not_found_on_postgresql(user_id, client_for, owner, journey_map):
    response = client_for(owner).patch(
        f"/api/maps/{journey_map.pk}/members/{user_id}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 404


def test_a_version_name_is_stored_as_nfc(client_for, owner, journey_map):
    decomposed = "Nha\u0300 ma\u0301y"  # "Nhà máy" typed with combining accents
    response = client_for(owner).post(
        f"/api/maps/{journey_map.pk}/versions/", {"name": decomposed}, format="json"
    )
    assert response.json()["name"] == "Nhà máy"
