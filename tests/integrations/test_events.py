"""Which events become deliveries (integrations/receivers.py and the publishing services):
map changes debounced into one delivery with the revision range, comments and mentions,
exports, new members, action items due; and never a map of another workspace."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from exports.models import ExportJob
from integrations import services
from integrations.models import Delivery, Event, MapChangeBatch
from maps.documents import map_create
from maps.models import Item, Lane, Stage
from maps.services import apply_ops
from workspaces.models import Membership
from workspaces.services import membership_set, workspace_create

pytestmark = pytest.mark.django_db


def change(journey_map, actor, capture, *ops):
    with capture(execute=True):
        apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=list(ops))


def new_stage(name="Nhận thức"):
    return {"type": "stage.create", "id": str(uuid.uuid4()), "name": name, "position": "a0"}


def bodies(event=None):
    rows = Delivery.objects.order_by("created_at")
    if event:
        rows = rows.filter(event=event)
    return [json.loads(d.body) for d in rows]


def test_a_burst_of_changes_sends_one_map_changed_delivery_with_the_revision_range(
    hook, journey_map, owner, receiver, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAP_CHANGED_SECONDS = 10
    before = journey_map.revision
    for n in range(12):
        change(journey_map, owner, django_capture_on_commit_callbacks, new_stage(f"S{n}"))
    assert scheduled.countdowns == [10]  # one flush queued for the whole burst
    assert Delivery.objects.count() == 0
    batch = MapChangeBatch.objects.get()
    # Too early: the flush waits for its time (a task run early does nothing).
    assert services.map_changes_flush(batch_id=batch.pk, now=timezone.now()) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.map_changes_flush(batch_id=batch.pk, now=batch.due_at)
    scheduled.run_all()
    assert len(receiver.received) == 1
    data = json.loads(receiver.received[0].body)["data"]
    assert (data["from_revision"], data["to_revision"], data["changes"]) == (
        before + 1,
        before + 12,
        12,
    )
    assert data["map"]["title"] == "Hành trình thử nghiệm"


def test_changes_after_a_sent_batch_open_the_next_range_where_the_last_ended(
    hook, journey_map, owner, scheduled, django_capture_on_commit_callbacks
):
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    first = MapChangeBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.map_changes_flush(batch_id=first.pk, now=first.due_at)
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    second = MapChangeBatch.objects.exclude(pk=first.pk).get()
    assert (second.from_revision, second.to_revision) == (
        first.to_revision + 1,
        first.to_revision + 2,
    )


def test_a_rolled_back_change_sends_nothing(hook, journey_map, owner, scheduled):
    # Without the commit (the test's transaction never commits), the on_commit work never runs.
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=[new_stage()])
    assert MapChangeBatch.objects.count() == 0 and scheduled.calls == []


def test_a_comment_mentioning_someone_sends_comment_created_and_mention(
    hook,
    journey_map,
    owner,
    member,
    outsider,
    receiver,
    scheduled,
    django_capture_on_commit_callbacks,
):
    stage = new_stage()
    change(journey_map, owner, django_capture_on_commit_callbacks, stage)
    comment = {
        "type": "comment.create",
        "id": str(uuid.uuid4()),
        "text": "@member @outsider xem giúp <b>nhé</b>",
        "stage": stage["id"],
    }
    change(journey_map, owner, django_capture_on_commit_callbacks, comment)
    created = bodies(Event.COMMENT_CREATED)
    assert len(created) == 1
    assert created[0]["data"]["comment"]["text"] == comment["text"]
    assert created[0]["data"]["comment"]["author"] == "Lan Nguyễn"
    mention = bodies(Event.MENTION)
    assert len(mention) == 1
    assert mention[0]["data"]["mentioned"] == ["member"]  # the outsider cannot see the map
    scheduled.run_all()
    events = {json.loads(r.body)["event"] for r in receiver.received}
    assert {"comment.created", "comment.mention"} <= events


def test_only_the_events_a_webhook_chose_are_sent(
    workspace, owner, journey_map, receiver, django_capture_on_commit_callbacks
):
    services.webhook_create(
        workspace=workspace, actor=owner, url=receiver.url, events=[Event.MENTION]
    )
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    assert MapChangeBatch.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_a_new_member_sends_member_added_but_a_role_change_does_not(
    hook, workspace, make_user, django_capture_on_commit_callbacks
):
    person = make_user("thu", first_name="Thu")
    with django_capture_on_commit_callbacks(execute=True):
        membership_set(workspace=workspace, user=person, role=Membership.Role.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        membership_set(workspace=workspace, user=person, role=Membership.Role.ADMIN)
    sent = bodies(Event.MEMBER_ADDED)
    assert [b["data"] for b in sent] == [
        {"member": {"username": "thu", "name": "Thu"}, "role": "member"}
    ]


def test_a_finished_export_sends_export_finished_with_its_file(
    hook, journey_map, owner, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(
        map=journey_map, format="csv", requested_by=owner, options={"format": "csv"}
    )
    from exports.services import export_run

    with django_capture_on_commit_callbacks(execute=True):
        export_run(job_id=job.pk)
    (sent,) = bodies(Event.EXPORT_FINISHED)
    assert sent["data"]["export"]["status"] == "done"
    assert sent["data"]["export"]["file_url"].endswith(f"/api/exports/{job.pk}/file/")


def test_action_items_due_and_then_overdue_are_announced_once_each(
    hook, journey_map, django_capture_on_commit_callbacks
):
    stage = Stage.objects.create(map=journey_map, name="Mua", position="a0")
    lane = Lane.objects.create(map=journey_map, kind="action_plan", title="Kế hoạch", position="a0")
    today = dt.date(2026, 12, 3)

    def item(text, due, status="todo"):
        return Item.objects.create(
            map=journey_map,
            lane=lane,
            stage=stage,
            position="a0",
            kind="action",
            text=text,
            due=due,
            status=status,
            owner="Lan",
        )

    item("Gọi lại khách", today)
    item("Đã xong", today, status="done")
    item("Tuần sau", today + dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_items_due_publish(today=today) == 1
        assert services.action_items_due_publish(today=today) == 0
        assert services.action_items_due_publish(today=today + dt.timedelta(days=1)) == 1
    sent = bodies(Event.ACTION_ITEM_DUE)
    assert [(b["data"]["item"]["text"], b["data"]["overdue"]) for b in sent] == [
        ("Gọi lại khách", False),
        ("Gọi lại khách", True),
    ]


def test_a_webhook_never_carries_a_map_of_another_workspace(
    hook, journey_map, owner, make_user, receiver, scheduled, django_capture_on_commit_callbacks
):
    stranger = make_user("stranger")
    other = workspace_create(name="Đối thủ", creator=stranger)
    secret_map = map_create(workspace=other, actor=stranger, title="Kế hoạch bí mật")
    services.webhook_create(
        workspace=other, actor=stranger, url=receiver.url + "/other", events=list(Event.values)
    )
    stage = new_stage()
    change(secret_map, stranger, django_capture_on_commit_callbacks, stage)
    change(
        secret_map,
        stranger,
        django_capture_on_commit_callbacks,
        {"type": "comment.create", "id": str(uuid.uuid4()), "text": "bí mật", "stage": stage["id"]},
    )
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    for batch in MapChangeBatch.objects.all():
        with django_capture_on_commit_callbacks(execute=True):
            services.map_changes_flush(batch_id=batch.pk, now=batch.due_at)
    scheduled.run_all()
    mine = [r.body.decode() for r in receiver.received if r.path == "/hook"]
    theirs = [r.body.decode() for r in receiver.received if r.path == "/hook/other"]
    assert mine and theirs
    assert not any("Kế hoạch bí mật" in b or str(secret_map.pk) in b or "bí mật" in b for b in mine)
    assert not any("Hành trình thử nghiệm" in b or str(journey_map.pk) in b for b in theirs)
    # Defence in depth: asked for a foreign map, the publisher sends nothing.
    assert services._map_of(webhook=hook, map_id=secret_map.pk) is None


def test_a_change_in_a_workspace_without_webhooks_reads_no_webhook_table(
    journey_map, owner, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())  # warm the cache
    with CaptureQueriesContext(connection) as queries:
        change(journey_map, owner, django_capture_on_commit_callbacks, new_stage("Cân nhắc"))
    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "integrations_" in q["sql"]]
    assert MapChangeBatch.objects.count() == 0


def test_a_webhook_created_after_changes_hears_the_next_one(
    journey_map, owner, workspace, receiver, django_capture_on_commit_callbacks
):
    from integrations.services import webhook_create

    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage())
    assert services.workspace_events(workspace_id=workspace.pk) == frozenset()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_create(
            workspace=workspace, actor=owner, url=receiver.url, events=[Event.MAP_CHANGED]
        )
    change(journey_map, owner, django_capture_on_commit_callbacks, new_stage("Cân nhắc"))
    assert MapChangeBatch.objects.count() == 1


def test_a_deleted_webhook_is_forgotten_by_the_subscription_cache(
    hook, journey_map, owner, workspace, django_capture_on_commit_callbacks
):
    assert Event.MAP_CHANGED in services.workspace_events(workspace_id=workspace.pk)
    with django_capture_on_commit_callbacks(execute=True):
        hook.delete()
    assert services.workspace_events(workspace_id=workspace.pk) == frozenset()


def test_live_edits_written_together_feed_map_changed_too(
    hook, journey_map, owner, django_capture_on_commit_callbacks
):
    """The socket's batches of field writes (maps.live_writes.WRITE_AT_ONCE) know the map's
    workspace without reading the map: its webhooks must still hear them."""
    from maps.services import ChangeRequest, apply_ops_batch

    stage = new_stage()
    change(journey_map, owner, django_capture_on_commit_callbacks, stage)
    MapChangeBatch.objects.all().delete()
    requests = [
        ChangeRequest(
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "stage.update", "id": stage["id"], "fields": {"name": f"Tên {n}"}}],
            session="s1",
        )
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        apply_ops_batch(map_id=journey_map.pk, requests=requests)
    batch = MapChangeBatch.objects.get()
    assert batch.changes == 3
