"""The export endpoints: who may export and download, option validation, job life over REST."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from maps import export_engines
from maps.models import ExportJob

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def _close_browser() -> Iterator[None]:
    yield
    export_engines.chromium_close()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ENGINE = "weasyprint"


def export(client: Any, journey_map: Any, capture: Any, **body: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/api/maps/{journey_map.pk}/exports/", body, format="json")


def test_a_viewer_exports_a_csv_and_downloads_it(
    template_map: Any, make_user: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from workspaces.models import MapAccess

    viewer = make_user("viewer")
    MapAccess.objects.create(map=template_map, user=viewer, role="viewer")
    client = client_for(viewer)
    response = export(client, template_map, django_capture_on_commit_callbacks, format="csv")
    assert response.status_code == 202
    job_id = response.json()["id"]
    body = client.get(f"/api/exports/{job_id}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["error"] is None
    assert body["file"] == f"/api/exports/{job_id}/file/"
    download = client.get(body["file"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Nhận thức" in content


def test_a_pdf_export_through_the_api_is_a_pdf_of_the_map(
    template_map: Any, owner: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(owner)
    response = export(
        client,
        template_map,
        django_capture_on_commit_callbacks,
        format="pdf",
        paper="A4",
        orientation="portrait",
    )
    assert response.status_code == 202, response.json()
    body = client.get(f"/api/exports/{response.json()['id']}/").json()
    assert body["status"] == "done", body
    pdf = b"".join(client.get(body["file"]).streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Nhận thức" in text


def test_outsiders_get_404_for_the_exports_the_job_and_its_file(
    template_map: Any,
    owner: Any,
    outsider: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = export(
        client_for(owner), template_map, django_capture_on_commit_callbacks, format="csv"
    )
    job_id = response.json()["id"]
    stranger = client_for(outsider)
    assert stranger.get(f"/api/exports/{job_id}/").status_code == 404
    assert stranger.get(f"/api/exports/{job_id}/file/").status_code == 404
    assert stranger.get(f"/api/maps/{template_map.pk}/exports/").status_code == 404
    refused = stranger.post(
        f"/api/maps/{template_map.pk}/exports/", {"format": "csv"}, format="json"
    )
    assert refused.status_code == 404
    anonymous = client_for(None)
    assert anonymous.get(f"/api/exports/{job_id}/file/").status_code in {401, 403}
    assert ExportJob.objects.count() == 1


def test_the_export_file_is_not_under_a_public_media_url(
    template_map: Any, owner: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = export(
        client_for(owner), template_map, django_capture_on_commit_callbacks, format="csv"
    )
    body = client_for(owner).get(f"/api/exports/{response.json()['id']}/").json()
    assert body["file"].startswith("/api/exports/")
    assert "/media/" not in body["file"]


def test_an_unknown_job_is_404(owner: Any, client_for: Any) -> None:
    client = client_for(owner)
    assert client.get(f"/api/exports/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/api/exports/{uuid.uuid4()}/file/").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"format": "docx"},
        {"format": "pdf", "paper": "A5"},
        {"format": "pdf", "orientation": "sideways"},
        {"format": "png", "scale": 4},
        {"format": "png", "scale": "2"},
        {"format": "pdf", "persona_header": "yes"},
        {"format": "pdf", "comments": 1},
        {"format": "pdf", "language": "fr"},
        {"format": "pdf", "lanes": ["not-a-uuid"]},
        {"format": "pdf", "lanes": [str(uuid.uuid4())]},
        {"format": "pdf", "personas": [str(uuid.uuid4())]},
        {"format": "pdf", "watermark": True},
    ],
)
def test_bad_options_are_refused_with_400_and_create_nothing(
    template_map: Any, owner: Any, client_for: Any, body: dict[str, Any]
) -> None:
    response = client_for(owner).post(f"/api/maps/{template_map.pk}/exports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["message"]
    assert not ExportJob.objects.exists()


def test_a_non_object_body_is_refused(template_map: Any, owner: Any, client_for: Any) -> None:
    response = client_for(owner).post(
        f"/api/maps/{template_map.pk}/exports/", ["pdf"], format="json"
    )
    assert response.status_code == 400


def test_the_map_lists_its_recent_exports(
    template_map: Any,
    owner: Any,
    member: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for _ in range(2):
        export(client_for(owner), template_map, django_capture_on_commit_callbacks, format="csv")
    listing = client_for(member).get(f"/api/maps/{template_map.pk}/exports/").json()
    assert [row["format"] for row in listing["results"]] == ["csv", "csv"]
    assert all(row["status"] == "done" for row in listing["results"])
    assert listing["results"][0]["requested_by"] == "owner"


def test_a_user_with_many_exports_in_progress_is_asked_to_wait(
    template_map: Any, owner: Any, client_for: Any
) -> None:
    client = client_for(owner)
    # Without running the on-commit callbacks the jobs stay queued.
    for _ in range(5):
        assert (
            client.post(
                f"/api/maps/{template_map.pk}/exports/", {"format": "csv"}, format="json"
            ).status_code
            == 202
        )
    response = client.post(
        f"/api/maps/{template_map.pk}/exports/", {"format": "csv"}, format="json"
    )
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_a_queued_job_has_no_file_yet(template_map: Any, owner: Any, client_for: Any) -> None:
    client = client_for(owner)
    job = client.post(
        f"/api/maps/{template_map.pk}/exports/", {"format": "pdf"}, format="json"
    ).json()
    assert job["status"] == "queued" and job["file"] is None
    assert client.get(f"/api/exports/{job['id']}/file/").status_code == 404


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_completes_an_export(
    template_map: Any, owner: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    """A worker process, started like `make worker`, picks the job from Redis and renders it."""
    from django.db import connection

    from journeymap.celery import app

    db_name = connection.settings_dict["NAME"]
    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{db_name}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EXPORT_ENGINE": "weasyprint",
        "PYTHONPATH": str(ROOT),
    }
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "journeymap",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        response = client_for(owner).post(
            f"/api/maps/{template_map.pk}/exports/",
            {"format": "pdf", "paper": "A4"},
            format="json",
        )
        assert response.status_code == 202
        job_id = response.json()["id"]
        deadline = time.monotonic() + 90
        status = ""
        while time.monotonic() < deadline:
            status = ExportJob.objects.get(pk=job_id).status
            if status in {"done", "failed"}:
                break
            time.sleep(0.3)
        job = ExportJob.objects.get(pk=job_id)
        assert job.status == "done", (job.status, job.error)
        assert (tmp_path / "media" / job.file.name).read_bytes().startswith(b"%PDF")
    finally:
        app.conf.task_always_eager = eager
        app.conf.task_default_queue = "celery"
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
