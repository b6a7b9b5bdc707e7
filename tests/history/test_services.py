from __future__ import annotations

import random

import pytest

from history.services import document_compare, map_restore, restore_ops
from maps.revisions import document_at
from maps.services import map_document
from tests.history.helpers import random_history

pytestmark = pytest.mark.django_db


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
