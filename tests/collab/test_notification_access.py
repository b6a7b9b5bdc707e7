"""Notifications are read through the recipient's current access (issue 24): someone taken off
a map no longer sees what was said on it, in the list, in the unread count, or by marking it
read; given access back, they see it again."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from collab.models import Notification
from maps.services import apply_ops
from workspaces.models import MapAccess, Membership

pytestmark = pytest.mark.django_db


def mention(journey_map: Any, actor: Any, text: str, capture: Any) -> None:
    stage = str(uuid.uuid4())
    with capture(execute=True):
        apply_ops(
            map_id=journey_map.pk,
            actor=actor,
            change_id=uuid.uuid4(),
            ops=[
                {"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"},
                {"type": "comment.create", "id": str(uuid.uuid4()), "text": text, "stage": stage},
            ],
        )


@pytest.fixture
def mentioned(
    journey_map: Any, role_users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    """The viewer (a map grant) and the member (the workspace) mentioned once on the map."""
    mention(
        journey_map,
        role_users["owner"],
        "@viewer @member giá ship bí mật",
        django_capture_on_commit_callbacks,
    )
    assert Notification.objects.count() == 2
    return role_users


def seen(client: Any) -> tuple[list[str], int]:
    body = client.get("/api/notifications/").json()
    return [note["comment"]["text"] for note in body["results"]], body["unread"]


def test_a_viewer_taken_off_the_map_no_longer_sees_its_notifications(
    journey_map: Any, mentioned: dict[str, Any], client_for: Any
) -> None:
    client = client_for(mentioned["viewer"])
    assert seen(client) == (["@viewer @member giá ship bí mật"], 1)

    removed = client_for(mentioned["owner"]).delete(
        f"/api/maps/{journey_map.pk}/members/{mentioned['viewer'].pk}/"
    )
    assert removed.status_code == 204

    assert seen(client) == ([], 0)
    assert client.get("/api/notifications/?unread=1").json()["results"] == []


def test_a_removed_member_no_longer_sees_notifications_of_the_workspaces_maps(
    workspace: Any, mentioned: dict[str, Any], client_for: Any
) -> None:
    client = client_for(mentioned["editor"])
    assert seen(client)[1] == 1

    Membership.objects.filter(workspace=workspace, user=mentioned["editor"]).delete()

    assert seen(client) == ([], 0)


def test_marking_all_read_touches_only_what_the_caller_still_sees(
    journey_map: Any, mentioned: dict[str, Any], client_for: Any
) -> None:
    viewer = mentioned["viewer"]
    MapAccess.objects.filter(map=journey_map, user=viewer).delete()

    marked = client_for(viewer).post("/api/notifications/read/", {}, format="json").json()

    assert marked == {"marked": 0}
    assert Notification.objects.get(recipient=viewer).read is False


def test_access_given_back_shows_the_notifications_again(
    journey_map: Any, mentioned: dict[str, Any], client_for: Any
) -> None:
    viewer = mentioned["viewer"]
    MapAccess.objects.filter(map=journey_map, user=viewer).delete()
    assert seen(client_for(viewer)) == ([], 0)

    MapAccess.objects.create(map=journey_map, user=viewer, role="viewer")

    assert seen(client_for(viewer))[1] == 1


def test_the_unread_count_of_the_page_header_follows_access(
    journey_map: Any, mentioned: dict[str, Any], client_for: Any
) -> None:
    # The header's badge (static/js/sharing/common.js) reads this exact URL.
    client = client_for(mentioned["viewer"])
    assert client.get("/api/notifications/?unread=1").json()["unread"] == 1

    MapAccess.objects.filter(map=journey_map, user=mentioned["viewer"]).delete()

    assert client.get("/api/notifications/?unread=1").json()["unread"] == 0


def test_an_outsider_sees_no_one_elses_notifications(
    mentioned: dict[str, Any], client_for: Any
) -> None:
    assert seen(client_for(mentioned["outsider"])) == ([], 0)
    assert client_for(None).get("/api/notifications/").status_code == 401
