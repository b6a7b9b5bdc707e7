"""Sending a delivery (integrations.services.delivery_attempt and the webhook_deliver task)
to a real receiver on loopback: signature, retries with backoff, the delivery log, and a day
of failures switching the webhook off."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from integrations import services, signing
from integrations.models import Delivery, Event, Webhook
from integrations.tasks import webhook_deliver

pytestmark = pytest.mark.django_db


def fixed(moment: dt.datetime) -> dt.datetime:
    return moment


def new_delivery(hook, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return services.delivery_create(
            webhook=hook, event=Event.MEMBER_ADDED, data=data or {"member": {"username": "an"}}
        )


def test_a_delivery_reaches_the_receiver_signed_over_timestamp_and_body(
    hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["delivered"]
    got = receiver.received[0]
    assert got.body == delivery.body.encode()
    assert got.headers["X-Journeymap-Event"] == "member.added"
    assert got.headers["X-Journeymap-Delivery"] == str(delivery.pk)
    timestamp = got.headers["X-Journeymap-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert signing.signature_valid(
        secret=hook.secret,
        timestamp=timestamp,
        body=got.body,
        given=got.headers["X-Journeymap-Signature"],
        now=time.time(),
    )
    assert not signing.signature_valid(
        secret="whsec_wrong",
        timestamp=timestamp,
        body=got.body,
        given=got.headers["X-Journeymap-Signature"],
        now=time.time(),
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    attempt = delivery.attempt_log.get()
    assert attempt.succeeded and attempt.response_code == 200 and attempt.duration_ms >= 0


def test_a_signature_outside_the_replay_window_is_refused_by_the_receiver_check(hook):
    body = b'{"a":1}'
    old = int(time.time()) - signing.REPLAY_WINDOW_S - 1
    given = signing.signature(secret=hook.secret, timestamp=old, body=body)
    assert not signing.signature_valid(
        secret=hook.secret, timestamp=str(old), body=body, given=given, now=time.time()
    )


def test_a_5xx_is_retried_with_exponential_backoff_until_it_succeeds(
    hook, receiver, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.statuses = [500, 503, 502]
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["retrying", "retrying", "retrying", "delivered"]
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 4
    codes = list(delivery.attempt_log.values_list("response_code", flat=True))
    assert codes == [500, 503, 502, 200]
    assert len(receiver.received) == 4


def test_the_backoff_doubles_after_each_attempt_and_is_capped():
    delays = [services.retry_delay(attempt=n) for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == services.MAX_BACKOFF_S


def test_the_countdowns_queued_between_attempts_follow_the_backoff(
    hook, receiver, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 500, 500]
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    seen = []
    while scheduled.calls:
        seen.append(scheduled.calls[0][2])
        scheduled.run_next()
    assert seen == [0, 30, 60]
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_4xx_is_not_retried(
    status, hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    receiver.statuses = [status]
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, status)
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed_nor_retried(
    hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    receiver.statuses = [301]
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["failed"]
    delivery.refresh_from_db()
    assert delivery.response_code == 301 and delivery.attempts == 1


def test_a_receiver_killed_mid_run_is_retried_and_reached_once_it_is_back(
    hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    first = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["delivered"]
    receiver.stop()  # the receiver dies between two events
    second = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_next() == "retrying"
    assert scheduled.run_next() == "retrying"
    attempts = list(second.attempt_log.order_by("number"))
    assert [a.response_code for a in attempts] == [None, None]
    assert all(a.error for a in attempts)
    receiver.start()  # back on the same port
    assert scheduled.run_all() == ["delivered"]
    second.refresh_from_db()
    assert second.status == "succeeded" and second.attempts == 3
    assert [json.loads(r.body)["id"] for r in receiver.received] == [
        json.loads(first.body)["id"],
        json.loads(second.body)["id"],
    ]


def test_a_receiver_slower_than_the_timeout_is_retried(
    hook, receiver, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT = 1
    receiver.delay_s = 1.5
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_next() == "retrying"
    attempt = delivery.attempt_log.get()
    assert attempt.response_code is None and "timed out" in attempt.error
    receiver.delay_s = 0
    assert scheduled.run_all() == ["delivered"]


def test_a_forbidden_target_is_recorded_and_not_retried(
    hook, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False  # the receiver on loopback is now refused
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    assert scheduled.run_all() == ["failed"]
    attempt = delivery.attempt_log.get()
    assert "loopback" in attempt.error and attempt.response_code is None


def test_a_day_of_failures_disables_the_webhook_and_emails_its_creator(
    hook, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500] * 10
    start = timezone.now()
    for hours in (0, 6, 23):
        delivery = new_delivery(hook, django_capture_on_commit_callbacks)
        at = start + dt.timedelta(hours=hours)
        services.delivery_attempt(delivery_id=delivery.pk, clock=functools.partial(fixed, at))
    hook.refresh_from_db()
    assert hook.active and hook.failing_since == start
    assert mail.outbox == []
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    outcome = services.delivery_attempt(
        delivery_id=delivery.pk, clock=lambda: start + dt.timedelta(hours=24, minutes=1)
    )
    assert outcome.retry_in is None
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason == "failing"
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert hook.url in mail.outbox[0].body
    # Switched off: further deliveries are not even attempted.
    later = new_delivery(hook, django_capture_on_commit_callbacks)
    services.delivery_attempt(delivery_id=later.pk)
    later.refresh_from_db()
    assert later.status == "failed" and later.attempts == 0


def test_a_success_ends_the_failing_streak(hook, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500]
    start = timezone.now()
    services.delivery_attempt(
        delivery_id=new_delivery(hook, django_capture_on_commit_callbacks).pk, clock=lambda: start
    )
    services.delivery_attempt(
        delivery_id=new_delivery(hook, django_capture_on_commit_callbacks).pk,
        clock=lambda: start + dt.timedelta(hours=20),
    )
    hook.refresh_from_db()
    assert hook.failing_since is None and hook.active


def test_send_again_makes_a_new_delivery_with_the_same_body(
    hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    receiver.statuses = [404]
    delivery = new_delivery(hook, django_capture_on_commit_callbacks)
    scheduled.run_all()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_redeliver(delivery=Delivery.objects.get(pk=delivery.pk))
    assert scheduled.run_all() == ["delivered"]
    again.refresh_from_db()
    assert again.pk != delivery.pk and again.body == delivery.body
    assert again.status == "succeeded"
    assert receiver.received[0].body == receiver.received[1].body
    assert (
        receiver.received[0].headers["X-Journeymap-Delivery"]
        != receiver.received[1].headers["X-Journeymap-Delivery"]
    )


def test_the_deliver_task_declares_its_time_limits_and_database_retries(settings):
    task: Any = webhook_deliver
    assert task.soft_time_limit > settings.WEBHOOK_TIMEOUT
    assert task.time_limit > task.soft_time_limit
    assert task.max_retries == 3 and task.autoretry_for


def test_a_slack_webhook_sends_text_with_user_markup_escaped(
    workspace, owner, receiver, scheduled, django_capture_on_commit_callbacks
):
    hook = services.webhook_create(
        workspace=workspace,
        actor=owner,
        url=receiver.url,
        events=[Event.MEMBER_ADDED],
        body_format="slack",
    )
    new_delivery(
        hook, django_capture_on_commit_callbacks, member={"username": "<!channel> & co"}, role="x"
    )
    scheduled.run_all()
    body = json.loads(receiver.received[0].body)
    assert "&lt;!channel&gt; &amp; co" in body["text"]
    assert "<!channel>" not in body["text"]
    assert body["journeymap"]["event"] == "member.added"
    assert Webhook.objects.get(pk=hook.pk).active
