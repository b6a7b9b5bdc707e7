"""Sub-journeys: a stage links to another map of its workspace (the `subjourney` field of
stage.create/stage.update), checked inside apply_ops; the trail back up; export and import."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maps.documents import PortableDocument, document_export, document_import, map_create
from maps.models import Change, JourneyMap, Stage
from maps.ops import OpError
from maps.revisions import document_at
from maps.services import ChangeRequest, apply_ops, apply_ops_batch, map_delete, map_document
from workspaces.models import MapAccess
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


def add_stage(journey_map: Any, actor: Any, name: str = "Nhận thức", **extra: Any) -> str:
    stage = str(uuid.uuid4())
    op = {"type": "stage.create", "id": stage, "name": name, "position": "a0", **extra}
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[op])
    return stage


def link(journey_map: Any, actor: Any, stage: str, target: Any) -> Any:
    fields = {"subjourney": str(target.pk) if target is not None else None}
    op = {"type": "stage.update", "id": stage, "fields": fields}
    return apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=[op])


@pytest.fixture
def sub_map(workspace: Any, owner: Any) -> Any:
    return map_create(workspace=workspace, actor=owner, title="Thanh toán chi tiết")


def send(client: Any, journey_map: Any, stage: str, target: Any) -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "ops": [{"type": "stage.update", "id": stage, "fields": {"subjourney": str(target)}}],
    }
    return client.post(f"/api/maps/{journey_map.pk}/changes/", body, format="json")


def test_an_editor_links_a_stage_to_a_sub_journey_over_rest(
    client_for, journey_map, sub_map, owner, member
):
    stage = add_stage(journey_map, owner)

    response = send(client_for(member), journey_map, stage, sub_map.pk)

    assert response.status_code == 200
    document = client_for(member).get(f"/api/maps/{journey_map.pk}/").json()
    assert document["stages"][0]["subjourney"] == str(sub_map.pk)


def test_null_unlinks_the_stage(journey_map, sub_map, owner):
    stage = add_stage(journey_map, owner)
    link(journey_map, owner, stage, sub_map)

    link(journey_map, owner, stage, None)

    assert Stage.objects.get(pk=stage).subjourney_id is None


def test_a_link_that_would_make_a_cycle_is_refused_and_changes_nothing(
    client_for, journey_map, sub_map, owner
):
    top_stage = add_stage(journey_map, owner)
    link(journey_map, owner, top_stage, sub_map)
    sub_stage = add_stage(sub_map, owner)
    revision = JourneyMap.objects.get(pk=sub_map.pk).revision

    response = send(client_for(owner), sub_map, sub_stage, journey_map.pk)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_op"
    assert "cycle" in response.json()["message"]
    assert Stage.objects.get(pk=sub_stage).subjourney_id is None
    assert JourneyMap.objects.get(pk=sub_map.pk).revision == revision


def test_a_longer_cycle_is_refused_too(journey_map, sub_map, workspace, owner):
    third = map_create(workspace=workspace, actor=owner, title="Giao hàng")
    link(journey_map, owner, add_stage(journey_map, owner), sub_map)
    link(sub_map, owner, add_stage(sub_map, owner), third)

    with pytest.raises(OpError, match="cycle"):
        link(third, owner, add_stage(third, owner), journey_map)


def test_a_map_cannot_be_its_own_sub_journey(journey_map, owner):
    stage = add_stage(journey_map, owner)

    with pytest.raises(OpError, match="its own sub-journey"):
        link(journey_map, owner, stage, journey_map)


def test_a_map_of_another_workspace_is_refused(journey_map, owner):
    elsewhere = workspace_create(name="Nhóm khác", creator=owner)
    other = map_create(workspace=elsewhere, actor=owner, title="Bản đồ khác")
    stage = add_stage(journey_map, owner)

    with pytest.raises(OpError, match="same workspace") as refused:
        link(journey_map, owner, stage, other)
    assert refused.value.code == "invalid_op"


def test_a_map_the_actor_cannot_read_is_not_found(journey_map, sub_map, owner, make_user):
    # Not a member of the workspace: an editor of this one map only.
    guest = make_user("guest")
    MapAccess.objects.create(map=journey_map, user=guest, role="editor")
    stage = add_stage(journey_map, owner)

    with pytest.raises(OpError) as refused:
        link(journey_map, guest, stage, sub_map)
    assert refused.value.code == "not_found"
    assert Stage.objects.get(pk=stage).subjourney_id is None


def test_a_missing_map_is_not_found_over_rest(client_for, journey_map, owner):
    stage = add_stage(journey_map, owner)

    response = send(client_for(owner), journey_map, stage, uuid.uuid4())

    assert response.status_code == 409
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ["viewer", "commenter"])
def test_a_viewer_or_commenter_cannot_link(
    client_for, journey_map, sub_map, owner, role_users, role
):
    stage = add_stage(journey_map, owner)

    response = send(client_for(role_users[role]), journey_map, stage, sub_map.pk)

    assert response.status_code == 403
    assert Stage.objects.get(pk=stage).subjourney_id is None


def test_an_outsider_cannot_link(client_for, journey_map, sub_map, owner, outsider):
    stage = add_stage(journey_map, owner)

    response = send(client_for(outsider), journey_map, stage, sub_map.pk)

    assert response.status_code == 404


def test_a_stage_may_be_created_already_linked(journey_map, sub_map, owner):
    stage = add_stage(journey_map, owner, subjourney=str(sub_map.pk))

    assert Stage.objects.get(pk=stage).subjourney_id == sub_map.pk


def test_deleting_the_sub_journey_leaves_the_stage_unlinked(journey_map, sub_map, owner):
    stage = add_stage(journey_map, owner)
    link(journey_map, owner, stage, sub_map)

    sub_map.delete()

    assert map_document(journey_map=journey_map)["stages"][0]["subjourney"] is None


def test_deleting_a_sub_journey_unlinks_its_stages_in_a_logged_change(
    journey_map, sub_map, owner, member
):
    first, second = add_stage(journey_map, owner), add_stage(journey_map, owner, "Mua")
    link(journey_map, owner, first, sub_map)
    link(journey_map, owner, second, sub_map)
    journey_map.refresh_from_db()
    before, sub_id = journey_map.revision, sub_map.pk

    map_delete(journey_map=sub_map, actor=member)

    journey_map.refresh_from_db()
    assert journey_map.revision == before + 1
    logged = Change.objects.get(map=journey_map, revision=before + 1)
    assert logged.actor_id == member.pk
    assert sorted(op["id"] for op in logged.ops) == sorted([first, second])
    assert all(op["fields"] == {"subjourney": None} for op in logged.ops)
    document = map_document(journey_map=journey_map)
    assert [stage["subjourney"] for stage in document["stages"]] == [None, None]
    replayed = document_at(journey_map=journey_map, revision=journey_map.revision - 1)
    assert [stage["subjourney"] for stage in replayed["stages"]] == [str(sub_id)] * 2
    assert not JourneyMap.objects.filter(pk=sub_id).exists()


def test_a_parent_read_before_its_sub_journey_was_deleted_is_not_answered_304(
    client_for, journey_map, sub_map, owner
):
    stage = add_stage(journey_map, owner)
    link(journey_map, owner, stage, sub_map)
    client = client_for(owner)
    first = client.get(f"/api/maps/{journey_map.pk}/")

    assert client.delete(f"/api/maps/{sub_map.pk}/").status_code == 204
    again = client.get(f"/api/maps/{journey_map.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["stages"][0]["subjourney"] is None


def test_a_viewer_of_the_parent_who_owns_the_sub_journey_may_still_delete_it(
    client_for, journey_map, owner, make_user
):
    from workspaces.models import MapRole

    lan = make_user("lan_so_huu")
    MapAccess.objects.create(map=journey_map, user=lan, role=MapRole.VIEWER)
    own = map_create(workspace=journey_map.workspace, actor=owner, title="Của Lan")
    MapAccess.objects.create(map=own, user=lan, role=MapRole.OWNER)
    stage = add_stage(journey_map, owner)
    link(journey_map, owner, stage, own)

    assert client_for(lan).delete(f"/api/maps/{own.pk}/").status_code == 204
    assert Stage.objects.get(pk=stage).subjourney_id is None


def test_the_replayed_document_carries_the_link(journey_map, sub_map, owner):
    stage = add_stage(journey_map, owner)
    link(journey_map, owner, stage, sub_map)
    journey_map.refresh_from_db()

    replayed = document_at(journey_map=journey_map, revision=journey_map.revision)

    assert replayed["stages"] == map_document(journey_map=journey_map)["stages"]


def test_the_hierarchy_gives_the_trail_up_and_the_maps_a_stage_may_name(
    client_for, journey_map, sub_map, workspace, owner, member
):
    detail = map_create(workspace=workspace, actor=owner, title="Quét mã QR")
    link(journey_map, owner, add_stage(journey_map, owner, name="Mua"), sub_map)
    link(sub_map, owner, add_stage(sub_map, owner, name="Thanh toán"), detail)

    body = client_for(member).get(f"/api/maps/{detail.pk}/hierarchy/").json()

    assert [(s["title"], s["stage"]) for s in body["trail"]] == [
        (journey_map.title, "Mua"),
        (sub_map.title, "Thanh toán"),
    ]
    above = {m["title"]: m["above"] for m in body["linkable"]}
    assert above == {journey_map.title: True, sub_map.title: True}


def test_the_trail_stops_at_a_map_the_user_cannot_read(
    client_for, journey_map, sub_map, owner, make_user
):
    link(journey_map, owner, add_stage(journey_map, owner), sub_map)
    guest = make_user("guest")
    MapAccess.objects.create(map=sub_map, user=guest, role="viewer")

    body = client_for(guest).get(f"/api/maps/{sub_map.pk}/hierarchy/").json()

    assert body == {"trail": [], "linkable": []}


def test_the_export_carries_the_link_and_an_import_keeps_it_in_the_same_workspace(
    journey_map, sub_map, workspace, owner
):
    link(journey_map, owner, add_stage(journey_map, owner), sub_map)
    exported = document_export(journey_map=journey_map)
    warnings: list[str] = []

    imported = document_import(
        workspace=workspace,
        actor=owner,
        document=PortableDocument.model_validate(exported),
        warnings=warnings,
    )

    assert exported["stages"][0]["subjourney"] == str(sub_map.pk)
    assert Stage.objects.get(map=imported).subjourney_id == sub_map.pk
    assert warnings == []


def test_an_import_drops_a_link_to_a_map_it_cannot_keep_with_a_warning(
    client_for, journey_map, sub_map, owner
):
    link(journey_map, owner, add_stage(journey_map, owner, name="Mua"), sub_map)
    exported = document_export(journey_map=journey_map)
    elsewhere = workspace_create(name="Nhóm khác", creator=owner)

    response = client_for(owner).post(
        "/api/maps/import/",
        {"workspace": str(elsewhere.pk), "document": exported},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201
    assert response.json()["stages"][0]["subjourney"] is None
    assert response.json()["warnings"] == [
        "Stage “Mua”: its sub-journey is not a map of this workspace you can open; "
        "the link was dropped."
    ]


def test_an_import_drops_a_link_that_is_not_a_map_id(workspace, owner):
    document = PortableDocument.model_validate(
        {
            "format": "journeymap",
            "version": 1,
            "map": {"title": "Nhập"},
            "stages": [{"id": "s1", "name": "Mua", "subjourney": "bản đồ khác"}],
        }
    )
    warnings: list[str] = []

    imported = document_import(
        workspace=workspace, actor=owner, document=document, warnings=warnings
    )

    assert Stage.objects.get(map=imported).subjourney_id is None
    assert len(warnings) == 1


def test_socket_batches_check_the_link_as_a_single_change_would(journey_map, sub_map, owner):
    """A batch of field writes is prepared before the map's lock; a sub-journey must not take
    that path unchecked (maps/ops.py `writes_only`)."""
    top_stage = add_stage(journey_map, owner)
    link(journey_map, owner, top_stage, sub_map)
    sub_stage = add_stage(sub_map, owner)
    requests = [
        ChangeRequest(
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "stage.update", "id": sub_stage, "fields": {"name": "Đổi tên"}}],
        ),
        ChangeRequest(
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[
                {
                    "type": "stage.update",
                    "id": sub_stage,
                    "fields": {"subjourney": str(journey_map.pk)},
                }
            ],
        ),
    ]

    results = apply_ops_batch(map_id=sub_map.pk, requests=requests)

    assert not isinstance(results[0], OpError)
    assert isinstance(results[1], OpError) and "cycle" in results[1].message
    assert Stage.objects.get(pk=sub_stage).subjourney_id is None
