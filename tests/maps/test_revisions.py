"""maps/revisions.py: any past revision of a map, rebuilt from the nearest snapshot and the op
log, equals what the map was at that revision."""

from __future__ import annotations

import pytest

from maps import revisions
from maps.models import Version
from maps.revisions import document_at
from tests.history.helpers import comparable, random_history

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("every", [7, 10_000])
def test_the_document_at_every_revision_equals_what_the_map_was(
    every, monkeypatch, journey_map, actors, personas
):
    monkeypatch.setattr(revisions, "SNAPSHOT_EVERY", every)
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
    monkeypatch.setattr(revisions, "SNAPSHOT_EVERY", 10)
    random_history(journey_map=journey_map, actors=actors, personas=personas, changes=45, seed=3)
    journey_map.refresh_from_db()
    replayed: list[int] = []
    original = revisions.replay

    def counting_replay(state, changes, users):
        replayed.append(len(changes))
        original(state, changes, users)

    monkeypatch.setattr(revisions, "replay", counting_replay)
    for revision in range(journey_map.revision):
        document_at(journey_map=journey_map, revision=revision)
    assert max(replayed) < 10


def test_a_revision_outside_the_log_is_refused(journey_map):
    with pytest.raises(revisions.RevisionError):
        document_at(journey_map=journey_map, revision=1)
    with pytest.raises(revisions.RevisionError):
        document_at(journey_map=journey_map, revision=-1)
