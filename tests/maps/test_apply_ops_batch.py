"""apply_ops_batch: several socket changes of one map in one transaction, each answered as
apply_ops would have answered it alone."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.hooks import snapshots_deferred
from maps.models import Change, Item, JourneyMap, Lane, Stage, Version
from maps.ops import OpError
from maps.revisions import SNAPSHOT_EVERY, document_at, snapshot_take
from maps.services import AppliedChange, ChangeRequest, apply_ops, apply_ops_batch, map_document
from workspaces.models import MapAccess, MapRole

pytestmark = pytest.mark.django_db


def _stages(journey_map: Any, owner: Any, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    ops = [
        {"type": "stage.create", "id": sid, "name": f"Giai đoạn {n}", "position": f"a{n:02d}"}
        for n, sid in enumerate(ids)
    ]
    apply_ops(map_id=journey_map.pk, actor=owner, change_id=uuid.uuid4(), ops=ops)
    return ids


def _rename(actor: Any, stage: str, name: str, **extra: Any) -> ChangeRequest:
    op = {"type": "stage.update", "id": stage, "fields": {"name": name}}
    return ChangeRequest(actor=actor, change_id=uuid.uuid4(), ops=[op], session="s1", **extra)


def _sent(queries: CaptureQueriesContext) -> list[str]:
    """The statements that did the work, by their first word: the one-time PREPARE of a
    statement's shape (maps/prepared.py, in its own savepoint here) left out, and the
    EXECUTE of a prepared WITH read as that WITH."""
    kinds = [query["sql"].split()[0] for query in queries]
    sent: list[str] = []
    for index, kind in enumerate(kinds):
        around_prepare = "PREPARE" in kinds[max(index - 1, 0) : index + 2]
        if kind == "PREPARE" or (kind in ("SAVEPOINT", "RELEASE") and around_prepare):
            continue
        sent.append("WITH" if kind == "EXECUTE" else kind)
    return sent


def _applied(results: list[AppliedChange | OpError]) -> list[AppliedChange]:
    assert all(isinstance(r, AppliedChange) for r in results), results
    return [r for r in results if isinstance(r, AppliedChange)]


def test_a_batch_gives_each_change_the_next_revision_in_order_and_a_log_row(journey_map, owner):
    stages = _stages(journey_map, owner, 3)
    requests = [_rename(owner, sid, f"Tên {n}") for n, sid in enumerate(stages)]

    results = _applied(apply_ops_batch(map_id=journey_map.pk, requests=requests))

    assert [r.revision for r in results] == [2, 3, 4]
    assert [r.change_id for r in results] == [r.change_id for r in requests]
    logged = list(Change.objects.filter(map=journey_map, revision__gt=1).order_by("revision"))
    assert [(c.revision, c.change_id, c.session) for c in logged] == [
        (r.revision, r.change_id, "s1") for r in results
    ]
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == 4
    names = dict(Stage.objects.filter(map=journey_map).values_list("id", "name"))
    assert [names[uuid.UUID(sid)] for sid in stages] == ["Tên 0", "Tên 1", "Tên 2"]


def test_the_map_after_a_batch_is_what_replaying_its_log_gives(journey_map, owner, member):
    stages = _stages(journey_map, owner, 2)
    lane = str(uuid.uuid4())
    item = str(uuid.uuid4())
    requests = [
        ChangeRequest(
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[
                {
                    "type": "lane.create",
                    "id": lane,
                    "kind": "actions",
                    "title": "Hành động",
                    "position": "a0",
                }
            ],
        ),
        ChangeRequest(
            actor=member,
            change_id=uuid.uuid4(),
            ops=[
                {
                    "type": "item.create",
                    "id": item,
                    "lane": lane,
                    "stage": stages[0],
                    "position": "a0",
                    "text": "Gọi tổng đài",
                }
            ],
        ),
        _rename(member, stages[1], "Cân nhắc"),
        ChangeRequest(
            actor=owner,
            change_id=uuid.uuid4(),
            ops=[{"type": "item.update", "id": item, "fields": {"text": "Gọi hotline"}}],
        ),
    ]

    results = _applied(apply_ops_batch(map_id=journey_map.pk, requests=requests))

    journey_map.refresh_from_db()
    assert journey_map.revision == results[-1].revision == 5
    rebuilt = document_at(journey_map=journey_map, revision=journey_map.revision)
    assert rebuilt == map_document(journey_map=journey_map)
    assert Item.objects.get(pk=item).text == "Gọi hotline"
    assert Lane.objects.filter(pk=lane, map=journey_map).exists()


def test_a_failing_change_gets_its_error_and_the_others_of_the_batch_apply(journey_map, owner):
    stages = _stages(journey_map, owner, 2)
    missing = str(uuid.uuid4())
    requests = [
        _rename(owner, stages[0], "Một"),
        _rename(owner, missing, "Không có"),
        _rename(owner, stages[1], "Hai"),
    ]

    first, failed, last = apply_ops_batch(map_id=journey_map.pk, requests=requests)

    assert isinstance(failed, OpError)
    assert (failed.code, failed.op) == ("not_found", 0)
    assert isinstance(first, AppliedChange) and isinstance(last, AppliedChange)
    assert (first.revision, last.revision) == (2, 3)
    assert not Change.objects.filter(change_id=requests[1].change_id).exists()
    names = set(Stage.objects.filter(map=journey_map).values_list("name", flat=True))
    assert names == {"Một", "Hai"}


def test_ops_that_do_not_parse_are_refused_without_touching_the_batch(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    bad = ChangeRequest(actor=owner, change_id=uuid.uuid4(), ops=[{"type": "stage.fly"}])
    empty = ChangeRequest(actor=owner, change_id=uuid.uuid4(), ops=[])

    results = apply_ops_batch(
        map_id=journey_map.pk, requests=[bad, _rename(owner, stages[0], "Ổn"), empty]
    )

    assert isinstance(results[0], OpError) and results[0].code == "invalid_op"
    assert isinstance(results[2], OpError) and results[2].code == "bad_message"
    assert isinstance(results[1], AppliedChange) and results[1].revision == 2


def test_a_resent_change_id_in_a_batch_is_answered_as_the_duplicate_it_is(journey_map, owner):
    stages = _stages(journey_map, owner, 2)
    first = _rename(owner, stages[0], "Lần đầu")
    apply_ops_batch(map_id=journey_map.pk, requests=[first, _rename(owner, stages[1], "B")])

    again = apply_ops_batch(map_id=journey_map.pk, requests=[_rename(owner, stages[1], "C"), first])

    fresh, duplicate = _applied(again)
    assert (fresh.duplicate, fresh.revision) == (False, 4)
    assert (duplicate.duplicate, duplicate.revision) == (True, 2)
    assert Change.objects.filter(change_id=first.change_id).count() == 1


def test_a_viewer_in_a_batch_is_forbidden_and_the_editors_changes_apply(
    journey_map, owner, make_user
):
    viewer = make_user("viewer")
    MapAccess.objects.create(map=journey_map, user=viewer, role=MapRole.VIEWER)
    stages = _stages(journey_map, owner, 1)

    refused, applied = apply_ops_batch(
        map_id=journey_map.pk,
        requests=[_rename(viewer, stages[0], "Không được"), _rename(owner, stages[0], "Được")],
    )

    assert isinstance(refused, OpError) and refused.code == "forbidden"
    assert isinstance(applied, AppliedChange) and applied.revision == 2
    assert Stage.objects.get(pk=stages[0]).name == "Được"


def test_two_writes_to_one_field_in_a_batch_leave_the_later_one(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    description = {"type": "stage.update", "id": stages[0], "fields": {"description": "Mô tả"}}
    requests = [
        _rename(owner, stages[0], "Nháp"),
        ChangeRequest(actor=owner, change_id=uuid.uuid4(), ops=[description]),
        _rename(owner, stages[0], "Bản cuối"),
    ]

    _applied(apply_ops_batch(map_id=journey_map.pk, requests=requests))

    stage = Stage.objects.get(pk=stages[0])
    assert (stage.name, stage.description) == ("Bản cuối", "Mô tả")


@pytest.mark.services
def test_field_writes_take_the_same_few_statements_whatever_the_batch_size(journey_map, owner):
    stages = _stages(journey_map, owner, 12)
    counts = []
    for size in (3, 12):
        requests = [_rename(owner, sid, f"{size}-{n}") for n, sid in enumerate(stages[:size])]
        with CaptureQueriesContext(connection) as queries:
            _applied(apply_ops_batch(map_id=journey_map.pk, requests=requests))
        counts.append(_sent(queries))
    # Inside the test's transaction: a savepoint, then the revision bump (which reads the
    # author's role), every UPDATE and the log insert in one statement (WITH …), the release.
    expected = ["SAVEPOINT", "WITH", "RELEASE"]
    assert counts[0] == counts[1] == expected


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_keystroke_is_one_statement_that_postgresql_commits_by_itself(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    request = _rename(owner, stages[0], "Nhanh")

    with CaptureQueriesContext(connection) as queries:
        [applied] = _applied(apply_ops_batch(map_id=journey_map.pk, requests=[request]))

    # No BEGIN, no COMMIT: the one statement is its own transaction.
    assert _sent(queries) == ["WITH"]
    assert (applied.revision, applied.role) == (2, MapRole.OWNER)
    logged = Change.objects.get(change_id=request.change_id)
    assert (logged.revision, logged.actor_id, logged.session) == (2, owner.pk, "s1")
    assert logged.ops == [{"type": "stage.update", "id": stages[0], "fields": {"name": "Nhanh"}}]
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == 2
    assert Stage.objects.get(pk=stages[0]).name == "Nhanh"


def test_a_keystroke_to_a_missing_row_changes_nothing(journey_map, owner):
    _stages(journey_map, owner, 1)
    logged = Change.objects.count()

    [failed] = apply_ops_batch(
        map_id=journey_map.pk, requests=[_rename(owner, str(uuid.uuid4()), "Không có")]
    )

    assert isinstance(failed, OpError) and failed.code == "not_found"
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == 1
    assert Change.objects.count() == logged


def test_a_resent_keystroke_is_answered_as_the_duplicate_it_is(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    first = _rename(owner, stages[0], "Một lần")
    apply_ops_batch(map_id=journey_map.pk, requests=[first])

    [again] = _applied(apply_ops_batch(map_id=journey_map.pk, requests=[first]))

    assert (again.duplicate, again.revision) == (True, 2)
    assert Change.objects.filter(change_id=first.change_id).count() == 1
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == 2


@pytest.mark.services  # the field-write path reads roles with the lock (elsewhere: the TTL)
def test_a_role_revoked_since_the_socket_read_it_refuses_the_keystroke(
    journey_map, owner, make_user
):
    editor = make_user("bien_tap")
    access = MapAccess.objects.create(map=journey_map, user=editor, role=MapRole.EDITOR)
    stages = _stages(journey_map, owner, 1)
    MapAccess.objects.filter(pk=access.pk).update(role=MapRole.VIEWER)

    # The socket still believes its author is an editor.
    [refused] = apply_ops_batch(
        map_id=journey_map.pk,
        requests=[_rename(editor, stages[0], "Không được", role=MapRole.EDITOR)],
    )

    assert isinstance(refused, OpError) and refused.code == "forbidden"
    assert Stage.objects.get(pk=stages[0]).name == "Giai đoạn 0"
    assert JourneyMap.objects.get(pk=journey_map.pk).revision == 1


def test_a_workspace_member_edits_through_the_membership_alone(journey_map, owner, member):
    stages = _stages(journey_map, owner, 1)

    [applied] = _applied(
        apply_ops_batch(map_id=journey_map.pk, requests=[_rename(member, stages[0], "Thành viên")])
    )

    assert applied.role == MapRole.EDITOR
    assert Stage.objects.get(pk=stages[0]).name == "Thành viên"


@pytest.mark.services
def test_a_keystroke_at_a_snapshot_revision_is_followed_by_a_snapshot(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    JourneyMap.objects.filter(pk=journey_map.pk).update(revision=SNAPSHOT_EVERY)
    Change.objects.filter(map=journey_map).update(revision=SNAPSHOT_EVERY)

    [applied] = _applied(
        apply_ops_batch(map_id=journey_map.pk, requests=[_rename(owner, stages[0], "Sau")])
    )

    assert applied.revision == SNAPSHOT_EVERY + 1
    snapshot = Version.objects.get(map=journey_map, name="", revision__gt=0)
    assert snapshot.revision == SNAPSHOT_EVERY + 1
    assert [s["name"] for s in snapshot.document["stages"]] == ["Sau"]


@pytest.mark.services
def test_snapshots_deferred_are_collected_and_taken_once(journey_map, owner):
    stages = _stages(journey_map, owner, 1)
    JourneyMap.objects.filter(pk=journey_map.pk).update(revision=SNAPSHOT_EVERY)
    Change.objects.filter(map=journey_map).update(revision=SNAPSHOT_EVERY)
    taken = Version.objects.filter(map=journey_map, name="", revision__gt=0)

    with snapshots_deferred() as due:
        _applied(apply_ops_batch(map_id=journey_map.pk, requests=[_rename(owner, stages[0], "A")]))
    assert due == [journey_map.pk] and not taken.exists()

    snapshot_take(map_id=journey_map.pk)
    snapshot_take(map_id=journey_map.pk)  # already taken since the crossing: nothing more
    assert [v.revision for v in taken] == [SNAPSHOT_EVERY + 1]
