"""Webhooks: managing them, turning events into signed deliveries, sending and retrying.

Every delivery body is built from one map (or workspace) whose workspace is the webhook's:
`_map_of` refuses any other, so no body carries data of a map its workspace does not own.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integrations import net, signing
from integrations.models import (
    ActionItemNotice,
    Attempt,
    BodyFormat,
    Delivery,
    Event,
    MapChangeBatch,
    Webhook,
    new_secret,
)
from maps.models import ActionStatus, Comment, Item, ItemKind, JourneyMap
from workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from exports.models import ExportJob

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600
Clock = Callable[[], dt.datetime]


class WebhookError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ---- managing webhooks -------------------------------------------------------------------


def _events_clean(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        raise WebhookError("invalid", f"Unknown events: {', '.join(unknown)}.")
    if not events:
        raise WebhookError("invalid", "Choose at least one event.")
    return [event for event in Event.values if event in events]


def url_check(*, url: str) -> str:
    """The URL if it may be called now (the same check runs again before every attempt)."""
    try:
        net.target_resolve(url)
    except net.TargetRefused as refused:
        raise WebhookError("url_refused", str(refused)) from None
    return url


def webhook_create(
    *,
    workspace: Workspace,
    actor: User,
    url: str,
    events: list[str],
    body_format: str = BodyFormat.JSON,
    name: str = "",
) -> Webhook:
    return Webhook.objects.create(
        workspace=workspace,
        created_by=actor,
        url=url_check(url=url),
        events=_events_clean(events),
        body_format=body_format,
        name=name,
    )


def webhook_update(*, webhook: Webhook, fields: dict[str, Any]) -> Webhook:
    """Change name, url, events, body_format or active; switching on clears the failure."""
    if "url" in fields:
        fields["url"] = url_check(url=fields["url"])
    if "events" in fields:
        fields["events"] = _events_clean(fields["events"])
    if fields.get("active") and not webhook.active:
        fields.update(disabled_reason="", failing_since=None)
    for name, value in fields.items():
        setattr(webhook, name, value)
    webhook.save()
    return webhook


def webhook_secret_rotate(*, webhook: Webhook) -> str:
    """A new secret, valid from now on; the caller shows it once."""
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook.secret


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


def deliveries_recent(*, webhook: Webhook, limit: int = 50) -> list[Delivery]:
    rows = webhook.deliveries.prefetch_related("attempt_log").order_by("-created_at")
    return list(rows[:limit])


# ---- events into deliveries ----------------------------------------------------------------


def _map_of(*, webhook: Webhook, map_id: uuid.UUID) -> JourneyMap | None:
    """The map if the webhook's workspace owns it; None otherwise (its data is never sent)."""
    return JourneyMap.objects.filter(pk=map_id, workspace_id=webhook.workspace_id).first()


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _map_view(journey_map: JourneyMap) -> dict[str, Any]:
    return {
        "id": str(journey_map.pk),
        "title": journey_map.title,
        "url": _site(f"/maps/{journey_map.pk}/"),
    }


def _slack_escape(text: str) -> str:
    # Slack reads &, < and > as markup (links, mentions); user text must stay text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_text(event: str, data: dict[str, Any]) -> str:
    """One line a person reads in chat, in the site's language; user text escaped."""
    values = {k: _slack_escape(str(v)) for k, v in _flat(data).items()}
    lines = {
        Event.MAP_CHANGED: _("“%(map)s” changed (revisions %(from)s–%(to)s)"),
        Event.COMMENT_CREATED: _("%(author)s commented on “%(map)s”: %(text)s"),
        Event.MENTION: _("%(author)s mentioned %(mentioned)s in “%(map)s”: %(text)s"),
        Event.ACTION_ITEM_DUE: _("Action item due %(due)s in “%(map)s”: %(item)s"),
        Event.EXPORT_FINISHED: _("Export of “%(map)s” finished: %(status)s"),
        Event.MEMBER_ADDED: _("%(member)s joined the workspace as %(role)s"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        line = str(lines[Event(event)]) % values
    url = data.get("map", {}).get("url", "")
    return f"{line}\n<{url}>" if url.startswith("http") else line


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """The fields the chat lines name, whatever the event."""
    return {
        "map": data.get("map", {}).get("title", ""),
        "from": data.get("from_revision", ""),
        "to": data.get("to_revision", ""),
        "author": data.get("comment", {}).get("author", ""),
        "text": data.get("comment", {}).get("text", ""),
        "mentioned": ", ".join("@" + name for name in data.get("mentioned", [])),
        "due": data.get("item", {}).get("due", ""),
        "item": data.get("item", {}).get("text", ""),
        "status": data.get("export", {}).get("status", ""),
        "member": data.get("member", {}).get("username", ""),
        "role": data.get("role", ""),
    }


def body_render(*, webhook: Webhook, event: str, data: dict[str, Any]) -> str:
    envelope = {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "workspace": {"id": str(webhook.workspace_id), "name": webhook.workspace.name},
        "data": data,
    }
    if webhook.body_format == BodyFormat.SLACK:
        payload: dict[str, Any] = {"text": _slack_text(event, data), "journeymap": envelope}
    else:
        payload = envelope
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# Every change of every map asks whether its workspace has a webhook for it, and most have
# none: the answer is cached (Redis in services mode), dropped when a webhook is saved or
# deleted, and kept at most this long in case a drop raced a read.
SUBSCRIPTIONS_TTL = 30
# ...and kept in this process for a second more in front of that cache, since a Redis read
# (Django's RedisCache builds a client per call) was a sixth of a live change's time. A
# webhook saved in another process is heard here within that second; one saved here at once.
LOCAL_TTL = 1.0
_local_events: dict[str, tuple[float, frozenset[str]]] = {}


def _events_key(workspace_id: uuid.UUID) -> str:
    return f"webhooks:events:{workspace_id}"


def workspace_events(*, workspace_id: uuid.UUID) -> frozenset[str]:
    """The events some active webhook of the workspace subscribes to."""
    key = _events_key(workspace_id)
    now = time.monotonic()
    local = _local_events.get(key)
    if local is not None and local[0] > now:
        return local[1]
    cached = cache.get(key)
    if cached is not None:
        events = frozenset(cached)
    else:
        hooks = Webhook.objects.filter(workspace_id=workspace_id, active=True)
        events = frozenset(
            e for subscribed in hooks.values_list("events", flat=True) for e in subscribed
        )
        cache.set(key, sorted(events), SUBSCRIPTIONS_TTL)
    if len(_local_events) > 10_000:  # a process that saw many workspaces: start again
        _local_events.clear()
    _local_events[key] = (now + LOCAL_TTL, events)
    return events


def workspace_events_forget(*, workspace_id: uuid.UUID) -> None:
    """Drop the cached answer now and again after the commit, so no reader that started
    before the commit keeps the old one."""
    key = _events_key(workspace_id)

    def forget() -> None:
        _local_events.pop(key, None)
        cache.delete(key)

    forget()
    transaction.on_commit(forget)


def _subscribed(*, workspace_id: uuid.UUID, event: str) -> list[Webhook]:
    hooks = Webhook.objects.filter(workspace_id=workspace_id, active=True)
    return [hook for hook in hooks.select_related("workspace") if event in hook.events]


def delivery_create(*, webhook: Webhook, event: str, data: dict[str, Any]) -> Delivery:
    """Record the delivery and queue its first attempt once the row is committed."""
    delivery = Delivery.objects.create(
        webhook=webhook, event=event, body=body_render(webhook=webhook, event=event, data=data)
    )
    delivery_id = str(delivery.pk)
    transaction.on_commit(lambda: _queue(delivery_id, 0))
    return delivery


def _queue(delivery_id: str, countdown: float) -> None:
    from integrations import scheduling
    from integrations.tasks import webhook_deliver

    scheduling.later(webhook_deliver, [delivery_id], countdown)


MapData = Callable[[JourneyMap], dict[str, Any] | None]


def map_event_publish(*, map_id: uuid.UUID, event: str, data: MapData) -> list[Delivery]:
    """One delivery per subscribed webhook of the map's own workspace."""
    journey_map = JourneyMap.objects.filter(pk=map_id).first()
    if journey_map is None:
        return []
    deliveries = []
    for webhook in _subscribed(workspace_id=journey_map.workspace_id, event=event):
        owned = _map_of(webhook=webhook, map_id=map_id)
        body = data(owned) if owned is not None else None
        if body is not None:
            deliveries.append(delivery_create(webhook=webhook, event=event, data=body))
    return deliveries


def _comment_view(comment: Comment) -> dict[str, Any]:
    author = comment.author
    return {
        "id": str(comment.pk),
        "text": comment.text,
        "author": (author.get_full_name() or author.username) if author else "",
        "reply_to": str(comment.parent_id) if comment.parent_id else None,
    }


def comments_publish(*, map_id: uuid.UUID, comment_ids: list[Any], created: set[Any]) -> None:
    """comment.created for new comments, comment.mention for any that mention someone who
    can see the map (an edit adding a mention counts too)."""
    for comment in Comment.objects.filter(pk__in=comment_ids, map_id=map_id):
        if comment.pk in created or str(comment.pk) in created:
            map_event_publish(
                map_id=map_id,
                event=Event.COMMENT_CREATED,
                data=functools.partial(_comment_data, comment=comment),
            )
        if comment.mentions:
            map_event_publish(
                map_id=map_id,
                event=Event.MENTION,
                data=functools.partial(_mention_data, comment=comment),
            )


def _comment_data(journey_map: JourneyMap, *, comment: Comment) -> dict[str, Any]:
    return {"map": _map_view(journey_map), "comment": _comment_view(comment)}


def _mention_data(journey_map: JourneyMap, *, comment: Comment) -> dict[str, Any] | None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=comment.mentions, is_active=True)
    seen = sorted(u.username for u in users if journey_map.role_of(u) is not None)
    if not seen:
        return None
    return {"map": _map_view(journey_map), "comment": _comment_view(comment), "mentioned": seen}


def export_publish(*, job: ExportJob) -> None:
    def data(journey_map: JourneyMap) -> dict[str, Any]:
        file_url = f"/api/exports/{job.pk}/file/" if job.status == "done" else None
        return {
            "map": _map_view(journey_map),
            "export": {
                "id": str(job.pk),
                "format": job.format,
                "status": job.status,
                "file_url": _site(file_url) if file_url else None,
            },
        }

    map_event_publish(map_id=job.map_id, event=Event.EXPORT_FINISHED, data=data)


def member_publish(*, workspace_id: uuid.UUID, user: User, role: str) -> None:
    data = {
        "member": {"username": user.username, "name": user.get_full_name()},
        "role": role,
    }
    for webhook in _subscribed(workspace_id=workspace_id, event=Event.MEMBER_ADDED):
        delivery_create(webhook=webhook, event=Event.MEMBER_ADDED, data=data)


# ---- map changed, debounced ----------------------------------------------------------------


def map_changes_note(*, map_id: uuid.UUID, now: dt.datetime | None = None) -> list[MapChangeBatch]:
    """Add the map's latest revision to each subscribed webhook's open batch, opening one
    (due in WEBHOOK_MAP_CHANGED_SECONDS) when there is none; returns the batches opened,
    whose flush the caller queues."""
    now = now or timezone.now()
    journey_map = JourneyMap.objects.filter(pk=map_id).only("workspace_id", "revision").first()
    if journey_map is None:
        return []
    opened = []
    for webhook in _subscribed(workspace_id=journey_map.workspace_id, event=Event.MAP_CHANGED):
        with transaction.atomic():
            batch = _batch_extend(webhook=webhook, journey_map=journey_map, now=now)
        if batch is not None:
            opened.append(batch)
    return opened


def _batch_extend(
    *, webhook: Webhook, journey_map: JourneyMap, now: dt.datetime
) -> MapChangeBatch | None:
    batches = MapChangeBatch.objects.select_for_update().filter(webhook=webhook, map=journey_map)
    open_batch = batches.filter(sent=False).first()
    revision = journey_map.revision
    if open_batch is not None:
        open_batch.to_revision = max(open_batch.to_revision, revision)
        open_batch.changes += 1
        open_batch.save(update_fields=["to_revision", "changes"])
        return None
    last = batches.filter(sent=True).order_by("-to_revision").first()
    start = last.to_revision + 1 if last is not None and last.to_revision < revision else revision
    return MapChangeBatch.objects.create(
        webhook=webhook,
        map=journey_map,
        from_revision=start,
        to_revision=revision,
        due_at=now + dt.timedelta(seconds=settings.WEBHOOK_MAP_CHANGED_SECONDS),
    )


def map_changes_flush(*, batch_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Send a batch whose time has come as one map.changed delivery (None: not yet, or sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = MapChangeBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.sent or batch.due_at > now:
            return None
        batch.sent = True
        batch.save(update_fields=["sent"])
        webhook = Webhook.objects.select_related("workspace").get(pk=batch.webhook_id)
        journey_map = _map_of(webhook=webhook, map_id=batch.map_id)
        if journey_map is None or not webhook.active:
            return None
        data = {
            "map": _map_view(journey_map),
            "from_revision": batch.from_revision,
            "to_revision": batch.to_revision,
            "changes": batch.changes,
        }
        return delivery_create(webhook=webhook, event=Event.MAP_CHANGED, data=data)


# ---- action items due ----------------------------------------------------------------------


def action_items_due_publish(*, today: dt.date | None = None) -> int:
    """Announce, once per due date, open action items due today (then once more when
    overdue) to webhooks of their map's workspace; returns how many items were announced."""
    today = today or timezone.localdate()
    items = Item.objects.filter(kind=ItemKind.ACTION, due__lte=today).exclude(
        status=ActionStatus.DONE
    )
    workspaces = set(Webhook.objects.filter(active=True).values_list("workspace_id", flat=True))
    count = 0
    for item in items.filter(map__workspace_id__in=workspaces).select_related("map"):
        assert item.due is not None
        overdue = item.due < today
        _, new = ActionItemNotice.objects.get_or_create(item=item, due=item.due, overdue=overdue)
        if new:
            map_event_publish(
                map_id=item.map_id,
                event=Event.ACTION_ITEM_DUE,
                data=functools.partial(_item_data, item=item, overdue=overdue),
            )
            count += 1
    return count


def _item_data(journey_map: JourneyMap, *, item: Item, overdue: bool) -> dict[str, Any]:
    return {
        "map": _map_view(journey_map),
        "item": {
            "id": str(item.pk),
            "text": item.text,
            "owner": item.owner,
            "due": item.due.isoformat() if item.due else None,
            "status": item.status,
        },
        "overdue": overdue,
    }


# ---- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """An attempt's result: `retry_in` seconds until the next one, or None when done."""

    succeeded: bool
    retry_in: float | None


def retry_delay(*, attempt: int) -> float:
    """Exponential backoff after attempt number `attempt` (1-based): base, 2×base, 4×base…"""
    return float(min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_S))


def retryable(*, status: int | None) -> bool:
    """Timeouts and connection errors (no status) and 5xx are tried again; 3xx/4xx are the
    receiver's final word (a redirect is never followed)."""
    return status is None or status >= 500


def _headers(*, delivery: Delivery, body: bytes, now: float) -> dict[str, str]:
    timestamp = int(now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Journeymap-Webhooks/1",
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.pk),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(
            secret=delivery.webhook.secret, timestamp=timestamp, body=body
        ),
    }


def _send(delivery: Delivery) -> tuple[int | None, str, int]:
    """(status or None, error, duration in ms) of one POST of the delivery's body."""
    body = delivery.body.encode()
    started = time.monotonic()
    try:
        answer = net.post(
            url=delivery.webhook.url,
            body=body,
            headers=_headers(delivery=delivery, body=body, now=time.time()),
            timeout=settings.WEBHOOK_TIMEOUT,
        )
    except net.TargetRefused as refused:
        return 0, str(refused)[:300], int((time.monotonic() - started) * 1000)
    except OSError as error:  # timeouts, refused connections, TLS and protocol errors
        return None, (str(error) or type(error).__name__)[:300], _ms(started)
    return answer.status, "", answer.duration_ms


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def delivery_attempt(*, delivery_id: uuid.UUID | str, clock: Clock = timezone.now) -> Outcome:
    """One attempt at a delivery, recorded; says whether and when to try again."""
    delivery = Delivery.objects.select_related("webhook__workspace", "webhook__created_by")
    found = delivery.filter(pk=delivery_id).first()
    if found is None or found.status in {Delivery.Status.SUCCEEDED, Delivery.Status.FAILED}:
        return Outcome(succeeded=found is not None, retry_in=None)
    if not found.webhook.active:
        _finish(found, Delivery.Status.FAILED, found.response_code, clock())
        return Outcome(succeeded=False, retry_in=None)
    started_at = clock()
    status, error, duration = _send(found)
    number = found.attempts + 1
    ok = status is not None and 200 <= status < 300
    Attempt.objects.create(
        delivery=found,
        number=number,
        started_at=started_at,
        duration_ms=duration,
        response_code=status or None,
        error=error or ("" if ok else f"HTTP {status}"),
        succeeded=ok,
    )
    return _after_attempt(found, number=number, status=status, ok=ok, now=clock())


def _after_attempt(
    delivery: Delivery, *, number: int, status: int | None, ok: bool, now: dt.datetime
) -> Outcome:
    delivery.attempts = number
    delivery.response_code = status or None
    if ok:
        _finish(delivery, Delivery.Status.SUCCEEDED, status, now)
        # Only a failing webhook's row is written: concurrent successes to one webhook would
        # otherwise queue on its row lock, one write each.
        Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=False).update(
            failing_since=None
        )
        return Outcome(succeeded=True, retry_in=None)
    failing = _note_failure(delivery.webhook, now=now)
    if failing and retryable(status=status) and number < settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = Delivery.Status.RETRYING
        delivery.save(update_fields=["attempts", "response_code", "status"])
        return Outcome(succeeded=False, retry_in=retry_delay(attempt=number))
    _finish(delivery, Delivery.Status.FAILED, status, now)
    return Outcome(succeeded=False, retry_in=None)


def _finish(delivery: Delivery, status: str, code: int | None, now: dt.datetime) -> None:
    delivery.status = status
    delivery.response_code = code or None
    delivery.finished_at = now
    delivery.save(update_fields=["attempts", "response_code", "status", "finished_at"])


def _note_failure(webhook: Webhook, *, now: dt.datetime) -> bool:
    """Start or continue the webhook's failing streak; after a day of it, disable the webhook
    and tell its creator. Returns whether the webhook is still active."""
    Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(failing_since=now)
    webhook.refresh_from_db(fields=["failing_since", "active"])
    limit = dt.timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    if not webhook.active or webhook.failing_since is None:
        return webhook.active
    if now - webhook.failing_since < limit:
        return True
    disabled = Webhook.objects.filter(pk=webhook.pk, active=True).update(
        active=False, disabled_reason="failing"
    )
    if disabled:
        _tell_creator(webhook)
    return False


def _tell_creator(webhook: Webhook) -> None:
    """A plain-text e-mail (never HTML) in the site's language to whoever made the webhook."""
    creator = webhook.created_by
    if creator is None or not creator.email:
        return
    page = _site(f"/workspaces/{webhook.workspace_id}/webhooks/")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A webhook of “%(workspace)s” was switched off") % {
            "workspace": webhook.workspace.name
        }
        body = _(
            "Every delivery to %(url)s has failed for %(hours)s hours, so the webhook was "
            "switched off. Check the receiver, then switch it on again: %(page)s"
        ) % {"url": webhook.url, "hours": settings.WEBHOOK_DISABLE_AFTER_HOURS, "page": page}
    try:
        send_mail(" ".join(subject.split())[:200], body, None, [creator.email])
    except Exception:
        logger.exception("telling user %s about webhook %s failed", creator.pk, webhook.pk)


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery's body again as a new delivery (the log keeps both); the body keeps
    its event id, so a receiver that deduplicates sees the same event."""
    again = Delivery.objects.create(
        webhook=delivery.webhook, event=delivery.event, body=delivery.body
    )
    again_id = str(again.pk)
    transaction.on_commit(lambda: _queue(again_id, 0))
    return again


def delivery_queue_retry(*, delivery_id: uuid.UUID | str, countdown: float) -> None:
    _queue(str(delivery_id), countdown)
