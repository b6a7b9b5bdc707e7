"""Export downloads re-check the map role on every request (issue 24): whoever loses access
is refused the job and its file at once, even with the download URL in hand, and the file
itself is reachable under no /media/ address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from exports.models import ExportJob
from workspaces.models import MapAccess, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def job(journey_map: Any, owner: Any) -> ExportJob:
    job = ExportJob.objects.create(
        map=journey_map, format="csv", requested_by=owner, status="done", progress=100
    )
    job.file.save("map.csv", ContentFile(b"stage,text\nNhan thuc,Tim kiem\n"), save=True)
    return job


def urls(job: ExportJob) -> tuple[str, str]:
    return f"/api/exports/{job.pk}/", f"/api/exports/{job.pk}/file/"


def test_a_removed_member_cannot_download_an_export(
    job: ExportJob, member: Any, workspace: Any, client_for: Any
) -> None:
    client = client_for(member)
    detail, download = urls(job)
    assert client.get(download).status_code == 200

    Membership.objects.filter(workspace=workspace, user=member).delete()

    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404


def test_a_viewer_taken_off_the_map_cannot_download_an_export_they_made(
    job: ExportJob, journey_map: Any, owner: Any, make_user: Any, client_for: Any
) -> None:
    viewer = make_user("viewer")
    MapAccess.objects.create(map=journey_map, user=viewer, role="viewer")
    job.requested_by = viewer
    job.save(update_fields=["requested_by"])
    client = client_for(viewer)
    detail, download = urls(job)
    assert client.get(download).status_code == 200

    removed = client_for(owner).delete(f"/api/maps/{journey_map.pk}/members/{viewer.pk}/")
    assert removed.status_code == 204

    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404


def test_an_export_download_is_never_kept_by_a_cache(
    job: ExportJob, member: Any, client_for: Any
) -> None:
    response = client_for(member).get(urls(job)[1])

    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_export_file_has_no_media_address_even_for_the_owner(
    job: ExportJob, owner: Any
) -> None:
    browser = Client()
    browser.force_login(owner)

    assert job.file.url.startswith("/media/exports/")
    assert browser.get(job.file.url).status_code == 404
