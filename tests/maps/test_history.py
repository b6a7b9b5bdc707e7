from __future__ import annotations

import random

import pytest

from maps import history
from maps.history import document_at, document_compare, map_restore, restore_ops
from maps.models import Version
from maps.services import map_document
from personas.models import Persona
from tests.maps.history_helpers import comparable, random_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(workspace, owner):
    return [
        str(Persona.objects.create(workspace=workspace, name=name, created_by=owner).pk)
        for name in ("Chị Hoa", "Anh Nam")
    ]


@pytest.fixture
def actors(owner, member):
    return {"owner": owner, "editor": member}


@pytest.mark.parametrize("every", [7, 10_000])
def test_the_document_at_every_revision_equals_what_the_map_was(
    every, monkeypatch, journey_map, actors, personas
):
    monkeypatch.setattr(history, "SNAPSHOT_EVERY", every)
    seen = random_history(
        journey_map=journey_map, actors=actors, personas=personas, changes=140, seed=every
    )
    journey_map.refresh_from_db()
    assert Version.objects.filter(map=journey_map).count() == 1 + (
        139 // every if every < 140 else 0
    )
    for revision, expected in seen.items():
        rebuilt = document_at(journey_map=journey_map, revision=revision)
        assert comparable(rebuilt) == comparable(expected), f"revision {revision}"


def test_a_rebuild_replays_fewer_changes_than_the_snapshot_interval(
    monkeypatch, journey_map, actors, personas
):
    monkeypatch.setattr(history, "SNAPSHOT_EVERY", 10)
    random_history(journey_map=journey_map, actors=actors, personas=personas, changes=45, seed=3)
    journey_map.refresh_from_db()
    replayed: list[int] = []
    original = history.replay

    def counting_replay(state, changes, users):
        replayed.append(len(changes))
        original(state, changes, users)

    monkeypatch.setattr(history, "replay", counting_replay)
    for revision in range(journey_map.revision):
        document_at(journey_map=journey_map, revision=revision)
    assert max(replayed) < 10


def test_restore_then_compare_shows_no_difference_from_the_restored_revision(
    journey_map, actors, personas, owner
):
    seen = random_history(
        journey_map=journey_map, actors=actors, personas=personas, changes=90, seed=11
    )
    r = random.Random(5)
    for revision in sorted(r.sample(sorted(seen), 6)):
        journey_map.refresh_from_db()
        before = journey_map.revision
        new_revision = map_restore(
            journey_map=journey_map, actor=owner, revision=revision, role="owner"
        )
        journey_map.refresh_from_db()
        assert new_revision in {before, before + 1}
        diff = document_compare(
            document_at(journey_map=journey_map, revision=revision),
            map_document(journey_map=journey_map),
        )
        assert diff["map"] == []
        assert diff["personas"] == {"added": [], "removed": []}
        for key in ("stages", "lanes", "items", "links"):
            assert diff[key] == {"added": [], "removed": [], "changed": []}, (revision, key)


def test_restoring_the_current_revision_changes_nothing(journey_map, actors, personas, owner):
    random_history(journey_map=journey_map, actors=actors, personas=personas, changes=10, seed=1)
    journey_map.refresh_from_db()
    current = map_document(journey_map=journey_map)
    assert restore_ops(current=current, target=current) == []
    assert (
        map_restore(
            journey_map=journey_map, actor=owner, revision=journey_map.revision, role="owner"
        )
        == journey_map.revision
    )


def test_compare_names_added_removed_and_changed_stages(journey_map, member, new_id):
    from maps.services import apply_ops

    keep, gone = new_id(), new_id()
    ops = [
        {"type": "stage.create", "id": keep, "name": "Awareness", "position": "a0"},
        {"type": "stage.create", "id": gone, "name": "Cân nhắc", "position": "a1"},
    ]
    apply_ops(map_id=journey_map.pk, actor=member, change_id=new_id(), ops=ops)
    added = new_id()
    apply_ops(
        map_id=journey_map.pk,
        actor=member,
        change_id=new_id(),
        ops=[
            {"type": "stage.update", "id": keep, "fields": {"name": "Nhận thức"}},
            {"type": "stage.delete", "id": gone},
            {"type": "stage.create", "id": added, "name": "Mua hàng", "position": "a2"},
        ],
    )
    journey_map.refresh_from_db()

    diff = document_compare(
        document_at(journey_map=journey_map, revision=1),
        document_at(journey_map=journey_map, revision=2),
    )

    assert [s["id"] for s in diff["stages"]["added"]] == [added]
    assert [s["id"] for s in diff["stages"]["removed"]] == [gone]
    assert diff["stages"]["changed"][0]["fields"] == ["name"]
    assert diff["stages"]["changed"][0]["after"]["name"] == "Nhận thức"


def test_a_revision_outside_the_log_is_refused(journey_map):
    with pytest.raises(history.HistoryError):
        document_at(journey_map=journey_map, revision=1)
    with pytest.raises(history.HistoryError):
        document_at(journey_map=journey_map, revision=-1)
