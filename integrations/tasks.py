"""Celery tasks of webhooks. They take ids and call integrations.services.

An attempt's HTTP timeout (WEBHOOK_TIMEOUT) sits well inside the task's time limits. Retries
after a 5xx, timeout or connection error are new tasks queued with the backoff countdown by
integrations.scheduling (so embedded mode waits too); Celery's own retry only covers the
database going away.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from integrations import scheduling, services

RETRY_ON = (OperationalError, InterfaceError)


@shared_task(
    name="integrations.webhook_deliver",
    acks_late=True,
    soft_time_limit=settings.WEBHOOK_TIMEOUT * 2 + 10,
    time_limit=settings.WEBHOOK_TIMEOUT * 2 + 30,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    max_retries=3,
)
def webhook_deliver(delivery_id: str) -> str:
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        scheduling.later(webhook_deliver, [delivery_id], outcome.retry_in)
        return "retrying"
    return "delivered" if outcome.succeeded else "failed"


@shared_task(
    name="integrations.map_changes_flush",
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=RETRY_ON,
    retry_backoff=5,
    max_retries=3,
)
def map_changes_flush(batch_id: int) -> str:
    delivery = services.map_changes_flush(batch_id=batch_id)
    return "sent" if delivery is not None else "skipped"


@shared_task(name="integrations.action_items_due", soft_time_limit=300, time_limit=360)
def action_items_due() -> int:
    """Scheduled by Celery beat (settings.CELERY_BEAT_SCHEDULE), hourly."""
    return services.action_items_due_publish()


def flush_later(batches: list[Any]) -> None:
    for batch in batches:
        scheduling.later(map_changes_flush, [batch.pk], settings.WEBHOOK_MAP_CHANGED_SECONDS)
