from __future__ import annotations

import uuid

import pytest
from django.core import mail

from collab.models import Notification
from maps.services import apply_ops
from workspaces.models import MapAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(journey_map, owner):
    stage_id = str(uuid.uuid4())
    apply_ops(
        map_id=journey_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[{"type": "stage.create", "id": stage_id, "name": "Nhận thức", "position": "a0"}],
    )
    return stage_id


def comment(journey_map, actor, text, capture, **target):
    comment_id = str(uuid.uuid4())
    with capture(execute=True):
        apply_ops(
            map_id=journey_map.pk,
            actor=actor,
            change_id=uuid.uuid4(),
            ops=[{"type": "comment.create", "id": comment_id, "text": text, **target}],
        )
    return comment_id


def test_mentions_notify_the_people_who_can_see_the_map_and_only_them(
    journey_map, stage, role_users, django_capture_on_commit_callbacks
):
    owner = role_users["owner"]
    comment(
        journey_map,
        owner,
        "@member @viewer @outsider @nobody @owner xem giúp",
        django_capture_on_commit_callbacks,
        stage=stage,
    )
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"member", "viewer"}
    assert {m.to[0] for m in mail.outbox} == {"member@example.com", "viewer@example.com"}
    assert "Lan Nguyễn" in mail.outbox[0].subject


def test_a_reply_notifies_the_others_in_the_thread_but_not_the_replier(
    journey_map, stage, role_users, django_capture_on_commit_callbacks
):
    owner, member, commenter = role_users["owner"], role_users["editor"], role_users["commenter"]
    root = comment(journey_map, owner, "Bắt đầu", django_capture_on_commit_callbacks, stage=stage)
    comment(journey_map, member, "Đồng ý", django_capture_on_commit_callbacks, parent=root)
    comment(journey_map, commenter, "Tôi cũng vậy", django_capture_on_commit_callbacks, parent=root)
    replies = Notification.objects.filter(kind="reply")
    assert sorted(replies.values_list("recipient__username", "actor__username")) == [
        ("member", "commenter"),
        ("owner", "commenter"),
        ("owner", "member"),
    ]
    assert mail.outbox == []


def test_someone_who_lost_access_is_not_told_about_replies(
    journey_map, stage, role_users, django_capture_on_commit_callbacks
):
    viewer, owner = role_users["viewer"], role_users["owner"]
    MapAccess.objects.filter(user=viewer).update(role="commenter")
    root = comment(journey_map, viewer, "Câu hỏi", django_capture_on_commit_callbacks, stage=stage)
    MapAccess.objects.filter(user=viewer).delete()
    comment(journey_map, owner, "Trả lời", django_capture_on_commit_callbacks, parent=root)
    assert not Notification.objects.exists()


def test_editing_a_comment_notifies_only_newly_mentioned_people(
    journey_map, stage, role_users, django_capture_on_commit_callbacks
):
    owner = role_users["owner"]
    comment_id = comment(
        journey_map, owner, "@member", django_capture_on_commit_callbacks, stage=stage
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply_ops(
            map_id=journey_map.pk,
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "comment.update", "id": comment_id, "text": "@member @commenter"}],
        )
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "commenter",
        "member",
    ]
    assert len(mail.outbox) == 2


def test_a_rejected_change_notifies_nobody(
    journey_map, role_users, django_capture_on_commit_callbacks
):
    from maps.ops import OpError

    with pytest.raises(OpError), django_capture_on_commit_callbacks(execute=True):
        apply_ops(
            map_id=journey_map.pk,
            actor=role_users["owner"],
            change_id=uuid.uuid4(),
            ops=[
                {
                    "type": "comment.create",
                    "id": str(uuid.uuid4()),
                    "text": "@member",
                    "stage": str(uuid.uuid4()),
                }
            ],
        )
    assert not Notification.objects.exists()


def test_people_list_and_mark_only_their_own_notifications(
    journey_map, stage, role_users, client_for, django_capture_on_commit_callbacks
):
    comment(
        journey_map,
        role_users["owner"],
        "@member @viewer",
        django_capture_on_commit_callbacks,
        stage=stage,
    )
    mine = client_for(role_users["editor"]).get("/api/notifications/").json()
    assert mine["unread"] == 1
    assert [n["kind"] for n in mine["results"]] == ["mention"]
    assert mine["results"][0]["actor"]["username"] == "owner"
    other = Notification.objects.get(recipient=role_users["viewer"])
    response = client_for(role_users["editor"]).post(
        "/api/notifications/read/", {"ids": [other.pk, mine["results"][0]["id"]]}, format="json"
    )
    assert response.json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read is False
    assert client_for(role_users["editor"]).get("/api/notifications/").json()["unread"] == 0
    assert client_for(None).get("/api/notifications/").status_code in {401, 403}
