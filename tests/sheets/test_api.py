"""The import API: preview and create, who may use them, and the answers for bad files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maps.models import JourneyMap
from tests.sheets.helpers import GRID, xlsx

pytestmark = pytest.mark.django_db


def upload(data: bytes = b"", name: str = "map.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or xlsx(GRID), content_type="application/octet-stream")


def preview_url(workspace) -> str:
    return f"/api/workspaces/{workspace.pk}/imports/preview/"


def create_url(workspace) -> str:
    return f"/api/workspaces/{workspace.pk}/imports/"


def test_a_member_previews_a_file_without_creating_anything(client_for, member, workspace):
    before = JourneyMap.objects.count()

    response = client_for(member).post(
        preview_url(workspace), {"file": upload()}, format="multipart"
    )

    assert response.status_code == 200
    assert [lane["kind"] for lane in response.json()["lanes"]][:3] == [
        "actions",
        "touchpoints",
        "emotions",
    ]
    assert JourneyMap.objects.count() == before


def test_a_member_creates_the_map_with_corrected_kinds(client_for, member, workspace):
    kinds = ["actions", "touchpoints", "emotions", "obstacles", "opportunities"]

    response = client_for(member).post(
        create_url(workspace),
        {"file": upload(), "kinds": kinds, "title": "Hành trình Hoa"},
        format="multipart",
    )

    assert response.status_code == 201
    journey_map = JourneyMap.objects.get(pk=response.json()["id"])
    assert journey_map.title == "Hành trình Hoa"
    assert list(journey_map.lanes.order_by("position").values_list("kind", flat=True)) == kinds
    assert response.json()["url"] == f"/maps/{journey_map.pk}/"
    assert journey_map.role_of(member) == "owner"


@pytest.mark.parametrize("who", ["outsider", "viewer", "commenter"])
@pytest.mark.parametrize("endpoint", [preview_url, create_url])
def test_someone_outside_the_workspace_gets_404_and_nothing_is_created(
    client_for, role_users, workspace, who, endpoint
):
    # The map viewer and commenter may read one map of the workspace but are not members.
    user = role_users[who]
    before = JourneyMap.objects.count()

    response = client_for(user).post(endpoint(workspace), {"file": upload()}, format="multipart")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert JourneyMap.objects.count() == before


@pytest.mark.parametrize("endpoint", [preview_url, create_url])
def test_an_anonymous_caller_is_refused(client_for, workspace, endpoint):
    response = client_for(None).post(endpoint(workspace), {"file": upload()}, format="multipart")

    assert response.status_code == 401


@pytest.mark.parametrize(("who", "status"), [("owner", 201), ("member", 201)])
def test_every_member_of_the_workspace_may_import(client_for, workspace, request, who, status):
    user = request.getfixturevalue(who)

    response = client_for(user).post(create_url(workspace), {"file": upload()}, format="multipart")

    assert response.status_code == status


@pytest.mark.parametrize("endpoint", [preview_url, create_url])
def test_a_file_that_is_not_a_spreadsheet_is_a_400_with_a_code(
    client_for, member, workspace, endpoint
):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

    response = client_for(member).post(
        endpoint(workspace), {"file": upload(png, "photo.xlsx")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_spreadsheet"


def test_a_file_over_the_limit_is_a_413(client_for, member, workspace, settings):
    settings.MAX_UPLOAD_BYTES = 4096

    response = client_for(member).post(
        preview_url(workspace), {"file": upload(b"a,b\n" * 2000, "big.csv")}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_file_with_an_error_is_a_400_naming_the_cell_and_creates_nothing(
    client_for, member, workspace
):
    data = xlsx([["", "A"], ["Hành động", "x" * 5001]])
    before = JourneyMap.objects.count()

    response = client_for(member).post(
        create_url(workspace), {"file": upload(data)}, format="multipart"
    )

    assert response.status_code == 400
    assert "B2" in response.json()["message"]
    assert JourneyMap.objects.count() == before


def test_an_unknown_lane_kind_is_a_400(client_for, member, workspace):
    response = client_for(member).post(
        create_url(workspace), {"file": upload(), "kinds": ["dragons"]}, format="multipart"
    )

    assert response.status_code == 400
