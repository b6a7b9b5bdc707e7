from __future__ import annotations

import datetime as dt
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from maps.documents import map_create
from maps.models import Change, Version
from maps.services import apply_ops
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


def change(journey_map, actor, *ops):
    return apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=list(ops))


@pytest.fixture
def stages(journey_map, owner):
    ids = {"awareness": str(uuid.uuid4()), "consideration": str(uuid.uuid4())}
    lane = str(uuid.uuid4())
    change(
        journey_map,
        owner,
        {"type": "stage.create", "id": ids["awareness"], "name": "Awareness", "position": "a0"},
        {
            "type": "stage.create",
            "id": ids["consideration"],
            "name": "Consideration",
            "position": "a1",
        },
        {
            "type": "lane.create",
            "id": lane,
            "kind": "actions",
            "title": "Hành động",
            "position": "a0",
        },
    )
    return ids | {"lane": lane}


def test_the_timeline_reads_as_sentences_grouped_by_person(
    client_for, journey_map, owner, member, stages
):
    change(
        journey_map,
        owner,
        {"type": "stage.update", "id": stages["awareness"], "fields": {"name": "Nhận thức"}},
    )
    for text in ("Đọc đánh giá", "So sánh giá", "Hỏi bạn bè"):
        change(
            journey_map,
            member,
            {
                "type": "item.create",
                "id": str(uuid.uuid4()),
                "lane": stages["lane"],
                "stage": stages["consideration"],
                "position": "a0",
                "text": text,
            },
        )
    # The set-up change happened earlier: a minute apart means a separate entry.
    Change.objects.filter(map=journey_map, revision=1).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    url = f"/api/maps/{journey_map.pk}/history/"

    english = client_for(owner).get(url, {"lang": "en"}).json()["results"]
    vietnamese = client_for(owner).get(url, {"lang": "vi"}).json()["results"]

    assert english[0]["text"] == "Minh added 3 cards to Consideration"
    assert (english[0]["from_revision"], english[0]["to_revision"]) == (3, 5)
    assert english[1]["text"] == "Lan renamed stage Awareness → Nhận thức"
    assert english[2]["text"] == (
        "Lan added stage Awareness, added stage Consideration, added lane Hành động"
    )
    assert vietnamese[0]["text"] == "Minh thêm 3 thẻ vào Consideration"
    assert vietnamese[1]["text"] == "Lan đổi tên giai đoạn Awareness → Nhận thức"


def test_a_past_revision_is_served_read_only_by_the_map_endpoint(
    client_for, journey_map, owner, stages
):
    change(journey_map, owner, {"type": "stage.delete", "id": stages["awareness"]})
    url = f"/api/maps/{journey_map.pk}/"
    past = client_for(owner).get(url, {"revision": 1}).json()
    assert [s["name"] for s in past["stages"]] == ["Awareness", "Consideration"]
    assert (past["revision"], past["current_revision"]) == (1, 2)
    assert [s["name"] for s in client_for(owner).get(url).json()["stages"]] == ["Consideration"]
    for bad in ("3", "-1", "abc", ""):
        response = client_for(owner).get(url, {"revision": bad})
        assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_naming_a_version_names_the_current_revision(client_for, journey_map, member, stages):
    url = f"/api/maps/{journey_map.pk}/versions/"
    created = client_for(member).post(url, {"name": "Trước buổi họp"}, format="json")
    assert created.status_code == 201
    assert created.json()["revision"] == 1
    listed = client_for(member).get(url).json()
    assert [(v["name"], v["revision"]) for v in listed] == [("Trước buổi họp", 1)]
    assert client_for(member).post(url, {"name": ""}, format="json").status_code == 400


def test_restore_is_one_change_that_every_socket_receives(
    client_for, journey_map, owner, member, stages, django_capture_on_commit_callbacks
):
    change(
        journey_map,
        member,
        {"type": "stage.delete", "id": stages["awareness"]},
        {"type": "stage.update", "id": stages["consideration"], "fields": {"name": "Mua"}},
    )
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(journey_map.group_name, channel)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            f"/api/maps/{journey_map.pk}/restore/", {"revision": 1}, format="json"
        )

    assert response.json() == {"revision": 3}
    message = async_to_sync(layer.receive)(channel)
    assert message["revision"] == 3
    names = client_for(owner).get(f"/api/maps/{journey_map.pk}/").json()["stages"]
    assert [s["name"] for s in names] == ["Awareness", "Consideration"]
    diff = (
        client_for(owner).get(f"/api/maps/{journey_map.pk}/compare/", {"from": 1, "to": 3}).json()
    )
    assert all(
        diff[k] == {"added": [], "removed": [], "changed": []}
        for k in ("stages", "lanes", "items", "links")
    )
    timeline = client_for(owner).get(f"/api/maps/{journey_map.pk}/history/", {"lang": "en"}).json()
    assert timeline["results"][0]["text"] == "Lan restored revision 1"


def test_restore_refuses_a_revision_that_does_not_exist(client_for, journey_map, owner, stages):
    response = client_for(owner).post(
        f"/api/maps/{journey_map.pk}/restore/", {"revision": 9}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_compare_lists_what_changed_between_two_revisions(client_for, journey_map, owner, stages):
    change(
        journey_map,
        owner,
        {"type": "stage.update", "id": stages["awareness"], "fields": {"name": "Nhận thức"}},
    )
    diff = client_for(owner).get(f"/api/maps/{journey_map.pk}/compare/", {"from": 1}).json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [c["id"] for c in diff["stages"]["changed"]] == [stages["awareness"]]
    assert client_for(owner).get(f"/api/maps/{journey_map.pk}/compare/").status_code == 400


def test_a_future_state_map_lines_up_with_its_current_state(
    client_for, journey_map, owner, workspace, stages
):
    future = map_create(workspace=workspace, actor=owner, title="Tương lai")
    change(
        future,
        owner,
        {
            "type": "stage.create",
            "id": str(uuid.uuid4()),
            "name": "Consideration",
            "position": "a0",
        },
    )
    url = f"/api/maps/{future.pk}/current-state/"
    assert (
        client_for(owner).put(url, {"map": str(journey_map.pk)}, format="json").status_code == 200
    )
    body = client_for(owner).get(f"/api/maps/{future.pk}/side-by-side/").json()
    pairs = [
        (
            (r["current"] or {}).get("stage", {}).get("name"),
            (r["future"] or {}).get("stage", {}).get("name"),
        )
        for r in body["rows"]
    ]
    assert pairs == [("Awareness", None), ("Consideration", "Consideration")]
    assert client_for(owner).put(url, {"map": str(future.pk)}, format="json").status_code == 400
    back = f"/api/maps/{journey_map.pk}/current-state/"
    assert client_for(owner).put(back, {"map": str(future.pk)}, format="json").status_code == 400
    elsewhere = map_create(
        workspace=workspace_create(name="Khác", creator=owner), actor=owner, title="Khác"
    )
    assert client_for(owner).put(url, {"map": str(elsewhere.pk)}, format="json").status_code == 400


def test_the_activity_feed_shows_changes_and_comments_to_members_only(
    client_for, journey_map, owner, member, outsider, workspace, stages
):
    change(
        journey_map,
        member,
        {
            "type": "comment.create",
            "id": str(uuid.uuid4()),
            "stage": stages["awareness"],
            "text": "Thiếu dữ liệu",
        },
    )
    url = f"/api/workspaces/{workspace.pk}/activity/"
    feed = client_for(owner).get(url, {"lang": "en"}).json()["results"]
    texts = [e["text"] for e in feed]
    assert "Minh commented on “Hành trình thử nghiệm”: “Thiếu dữ liệu”" in texts
    assert {e["kind"] for e in feed} == {"change", "comment"}
    assert client_for(outsider).get(url).status_code == 404


def test_snapshots_are_taken_every_hundred_revisions(journey_map, owner):
    stage = str(uuid.uuid4())
    change(journey_map, owner, {"type": "stage.create", "id": stage, "name": "A", "position": "a0"})
    for index in range(100):
        change(
            journey_map,
            owner,
            {"type": "stage.update", "id": stage, "fields": {"name": f"A{index}"}},
        )
    assert sorted(Version.objects.filter(map=journey_map).values_list("revision", flat=True)) == [
        0,
        100,
    ]


def test_a_large_change_reads_as_counts(client_for, template_map, owner):
    entries = client_for(owner).get(f"/api/maps/{template_map.pk}/history/", {"lang": "en"}).json()
    text = entries["results"][-1]["text"]
    assert text.startswith("Lan ")
    assert "added 5 stages" in text
    assert len(text) < 200
