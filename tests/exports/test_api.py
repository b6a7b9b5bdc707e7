"""The export endpoints: who may export and download, option validation, job life over REST."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exports import engines as export_engines
from exports.models import ExportJob

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


def test_an_xlsx_export_downloads_as_a_workbook_of_the_map(
    template_map: Any, owner: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from openpyxl import load_workbook

    client = client_for(owner)
    response = export(client, template_map, django_capture_on_commit_callbacks, format="xlsx")
    assert response.status_code == 202
    body = client.get(f"/api/exports/{response.json()['id']}/").json()
    assert body["status"] == "done" and body["filename"].endswith(".xlsx")
    download = client.get(body["file"])
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    grid = book.worksheets[0]
    assert [c.value for c in grid[2]][1:3] == ["Nhận thức", "Cân nhắc"]


def test_an_export_shows_the_evidence_the_cards_insights_give(
    template_map: Any, owner: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import csv
    import io

    from insights.models import Insight, InsightLink
    from maps.models import Item

    cards = Item.objects.filter(map=template_map, lane__kind="obstacles").exclude(text="")
    card = cards.exclude(evidence="data").order_by("pk").first()
    assert card is not None
    hand_set = dict(cards.exclude(pk=card.pk).values_list("text", "evidence"))
    survey = Insight.objects.create(workspace=template_map.workspace, kind="survey", text="62%")
    InsightLink.objects.create(insight=survey, item=card)
    client = client_for(owner)
    job = export(client, template_map, django_capture_on_commit_callbacks, format="csv").json()
    download = client.get(f"/api/exports/{job['id']}/file/")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    levels = {row["text"]: row["evidence"] for row in rows}
    assert levels[card.text] == "data"
    assert {text: levels[text] for text in hand_set} == hand_set


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


def start_worker(tmp_path: Path, queue: str, *extra: str) -> subprocess.Popen[bytes]:
    """A Celery worker process on this test's database and Redis, as `make worker` starts one."""
    from django.db import connection

    db_name = connection.settings_dict["NAME"]
    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{db_name}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EXPORT_ENGINE": "weasyprint",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "journeymap",
            "worker",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@contextmanager
def real_queue(queue: str) -> Iterator[None]:
    from journeymap.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
        app.conf.task_default_queue = "celery"


def wait_for(job_id: str, statuses: set[str], seconds: float = 120) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.1)
    return ExportJob.objects.get(pk=job_id)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_completes_an_export(
    template_map: Any, owner: Any, client_for: Any, tmp_path: Any
) -> None:
    """A worker process, started like `make worker`, picks the job from Redis and renders it."""
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, queue, "--pool=solo")
    try:
        with real_queue(queue):
            response = client_for(owner).post(
                f"/api/maps/{template_map.pk}/exports/",
                {"format": "pdf", "paper": "A4"},
                format="json",
            )
        assert response.status_code == 202
        job = wait_for(response.json()["id"], {"done", "failed"})
        assert job.status == "done", (job.status, job.error)
        assert (tmp_path / "media" / job.file.name).read_bytes().startswith(b"%PDF")
    finally:
        stop_worker(worker)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_dies_mid_render_is_delivered_again_and_finishes(
    journey_map: Any, owner: Any, client_for: Any, tmp_path: Any
) -> None:
    """acks_late + reject_on_worker_lost: killing the pool process that renders the job puts
    the job back on the queue; the next process claims the `running` job and completes it."""
    from tests.exports.helpers import build_map

    build_map(
        journey_map=journey_map,
        actor=owner,
        stages=12,
        cards_per_cell=8,
        lanes=("actions", "obstacles", "opportunities", "thoughts"),
    )
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, queue, "--pool=prefork", "--concurrency=1")
    try:
        with real_queue(queue):
            response = client_for(owner).post(
                f"/api/maps/{journey_map.pk}/exports/",
                {"format": "pdf", "paper": "poster"},
                format="json",
            )
        job_id = response.json()["id"]
        first_run = wait_for(job_id, {"running", "done", "failed"})
        assert first_run.status == "running"
        children = [pid for pid in _children(worker.pid)]
        assert children, "the prefork pool has no process"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        job = wait_for(job_id, {"done", "failed"}, seconds=180)
        assert job.status == "done", (job.status, job.error)
        assert job.started_at is not None and first_run.started_at is not None
        assert job.started_at > first_run.started_at, "the job was not run a second time"
        assert (tmp_path / "media" / job.file.name).read_bytes().startswith(b"%PDF")
    finally:
        stop_worker(worker)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append(int(entry))
    return found
