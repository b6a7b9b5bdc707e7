"""Celery tasks of exports: rendering exports and removing old export files.

The export task is acks-late and rejected on worker loss (settings), so a job whose worker
died mid-run is delivered again; it is idempotent per job id (`export_claim` skips a finished
job), and the broker's visibility timeout stays above its hard time limit.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from exports import services

logger = logging.getLogger(__name__)

# Transient failures worth another try: the database went away, the broker hiccupped.
RETRY_ON = (OperationalError, InterfaceError, ConnectionError)
PURGE_EVERY_S = 3600


@shared_task(
    bind=True,
    name="maps.export_render",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 30,
    autoretry_for=RETRY_ON,
    retry_backoff=2,
    retry_jitter=False,
    max_retries=3,
)
def export_render(self: Any, job_id: str) -> str:
    """Render one ExportJob; the outcome lives on the job, not in a result backend."""
    try:
        job = services.export_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        services.export_fail_by_id(
            job_id=job_id,
            message="The export took too long and was stopped. Try fewer lanes or a PDF.",
        )
        return "failed"
    except RETRY_ON:
        if self.request.retries >= self.max_retries:
            services.export_fail_by_id(
                job_id=job_id, message="The export could not be finished; please try again."
            )
            return "failed"
        # Back to queued so the retry can claim it again.
        services.export_requeue(job_id=job_id)
        raise
    except Exception:
        logger.exception("export %s failed", job_id)
        services.export_fail_by_id(
            job_id=job_id, message="Something went wrong while exporting; please try again."
        )
        return "failed"
    _purge_now_and_then()
    return "skipped" if job is None else job.status


@shared_task(name="maps.purge_exports")
def purge_exports() -> int:
    """Remove exports older than EXPORT_RETENTION_DAYS (scheduled by Celery beat)."""
    return services.exports_purge()


def _purge_now_and_then() -> None:
    # Retention also works where no beat runs: at most once an hour, after an export.
    if cache.add("exports:purged-recently", 1, timeout=PURGE_EVERY_S):
        try:
            services.exports_purge()
        except Exception:
            logger.exception("purging old exports failed")
