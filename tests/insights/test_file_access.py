"""An insight's source file is served by the app to whoever may read the insight, checked on
every request (issue 24); the API gives its absolute URL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from insights.models import Insight, InsightLink
from personas.photos import persona_photo_clean
from tests.insights import world
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def chart() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "#10b981").save(buffer, format="PNG")
    return SimpleUploadedFile("chart.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def w(workspace: Any, journey_map: Any, owner: Any, role_users: dict[str, Any]) -> dict[str, Any]:
    built = world.build(workspace=workspace, journey_map=journey_map, owner=owner)
    built["survey"].source_file.save("chart.jpg", persona_photo_clean(chart()), save=True)
    return {**built, **role_users}


def signed_in(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(insight: Insight) -> str:
    return insight.source_file.url


def test_a_member_gets_the_source_file_privately(w: dict[str, Any]) -> None:
    response = signed_in(w["editor"]).get(url(w["survey"]))

    assert url(w["survey"]).startswith("/media/insights/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["outsider", "viewer", "commenter", None])
def test_someone_who_may_not_read_the_insight_gets_a_404(w: dict[str, Any], who: str) -> None:
    # Viewer and commenter have a role on a map of the workspace, but no card of it rests on
    # this insight: they may not read it, so not its file either.
    assert signed_in(w[who] if who else None).get(url(w["survey"])).status_code == 404


def test_a_map_reader_gets_the_file_of_an_insight_behind_a_card_they_see(
    w: dict[str, Any],
) -> None:
    InsightLink.objects.create(insight=w["survey"], item_id=w["cards"][0])

    assert signed_in(w["viewer"]).get(url(w["survey"])).status_code == 200


def test_a_removed_member_cannot_download_an_insight_file(
    w: dict[str, Any], workspace: Any
) -> None:
    client = signed_in(w["editor"])
    assert client.get(url(w["survey"])).status_code == 200

    Membership.objects.filter(workspace=workspace, user=w["editor"]).delete()

    assert client.get(url(w["survey"])).status_code == 404


def test_unlinking_the_card_takes_the_file_away_from_a_map_reader(
    w: dict[str, Any], client_for: Any
) -> None:
    InsightLink.objects.create(insight=w["survey"], item_id=w["cards"][0])
    client = signed_in(w["viewer"])
    assert client.get(url(w["survey"])).status_code == 200

    unlink = f"/api/maps/{w['map'].pk}/items/{w['cards'][0]}/insights/{w['survey'].pk}/"
    assert client_for(w["owner"]).delete(unlink).status_code == 204

    assert client.get(url(w["survey"])).status_code == 404


def test_the_api_gives_the_source_file_as_an_absolute_url_that_downloads(
    w: dict[str, Any], client_for: Any
) -> None:
    client = client_for(w["editor"])
    workspace_url = f"/api/workspaces/{w['map'].workspace_id}/insights/"

    detail = client.get(f"/api/insights/{w['survey'].pk}/").json()["source_file"]
    listed = {i["id"]: i["source_file"] for i in client.get(workspace_url).json()}
    created = client.post(
        workspace_url, {"kind": "survey", "text": "NPS 31", "source_file": chart()}
    ).json()["source_file"]

    assert detail == listed[str(w["survey"].pk)] == f"http://testserver{url(w['survey'])}"
    assert created.startswith("http://testserver/media/insights/")
    assert client.get(detail).status_code == 200
    assert client_for(w["outsider"]).get(detail).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/media/insights/..%2F..%2Fdb.sqlite3", "/media/insights/", "/media/insights/x/y.jpg"],
)
def test_no_path_reaches_a_file_no_insight_names(path: str, w: dict[str, Any]) -> None:
    assert signed_in(w["owner"]).get(path).status_code == 404
