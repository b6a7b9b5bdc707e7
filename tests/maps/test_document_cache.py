"""The per-process map document cache: built once per version, bounded, thread-safe."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from maps.document_cache import DocumentCache, DocumentVersion, documents


def _version(map_id: str = "m1", revision: int = 1, **extra: Any) -> DocumentVersion:
    return DocumentVersion(
        map_id=map_id, revision=revision, current_state="", personas="0:", **extra
    )


def _document(size: int = 10, revision: int = 1) -> dict[str, Any]:
    return {"revision": revision, "title": "x" * size}


def test_twenty_threads_reading_one_version_build_it_once():
    cache = DocumentCache(max_entries=10, max_bytes=10**6)
    builds = []

    def build() -> dict[str, Any]:
        builds.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive while it builds
        return _document()

    bodies: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(cache.get(_version(), build).body))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(builds) == 1
    assert cache.builds == 1
    assert len(bodies) == 20
    assert set(bodies) == {b'{"revision":1,"title":"xxxxxxxxxx"}'}


def test_a_new_revision_is_built_again_and_the_old_one_dropped():
    cache = DocumentCache(max_entries=10, max_bytes=10**6)
    cache.get(_version(revision=1), lambda: _document(revision=1))

    newer = cache.get(_version(revision=2), lambda: _document(revision=2))
    again = cache.get(_version(revision=1), lambda: _document(revision=1))

    assert newer.document()["revision"] == 2
    assert again.document()["revision"] == 1
    assert cache.builds == 3  # revision 1 was dropped when 2 came, so built again


def test_the_least_recently_used_document_goes_first_past_the_entry_bound():
    cache = DocumentCache(max_entries=2, max_bytes=10**6)
    cache.get(_version("a"), _document)
    cache.get(_version("b"), _document)
    cache.get(_version("a"), _document)  # a is now the most recent
    cache.get(_version("c"), _document)  # b goes

    cache.get(_version("a"), _document)
    assert cache.builds == 3
    cache.get(_version("b"), _document)
    assert cache.builds == 4


def test_the_byte_bound_holds_and_a_document_larger_than_it_is_served_not_kept():
    cache = DocumentCache(max_entries=100, max_bytes=200)
    cache.get(_version("a"), lambda: _document(90))
    cache.get(_version("b"), lambda: _document(90))  # over 200 bytes together: a goes
    huge = cache.get(_version("c"), lambda: _document(500))

    assert len(huge.body) > 200
    cache.get(_version("b"), lambda: _document(90))
    assert cache.builds == 3
    cache.get(_version("c"), lambda: _document(500))
    cache.get(_version("a"), lambda: _document(90))
    assert cache.builds == 5


def test_a_failed_build_is_not_kept_and_the_next_reader_builds_it():
    cache = DocumentCache(max_entries=10, max_bytes=10**6)

    def broken() -> dict[str, Any]:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get(_version(), broken)
    found = cache.get(_version(), _document)

    assert found.document() == _document()


def test_a_past_revision_is_a_version_of_its_own():
    cache = DocumentCache(max_entries=10, max_bytes=10**6)
    cache.get(_version(revision=5), lambda: _document(revision=5))

    past = cache.get(_version(revision=5, at=2), lambda: _document(revision=2))

    assert past.document()["revision"] == 2
    assert _version(revision=5).etag("owner") != _version(revision=5, at=2).etag("owner")


def test_the_callers_fields_are_appended_to_the_cached_json():
    cached = DocumentCache(max_entries=1, max_bytes=10**6).get(_version(), _document)

    body = cached.body_with(role="viewer", current_revision=3)

    assert body == b'{"revision":1,"title":"xxxxxxxxxx","role":"viewer","current_revision":3}'


def test_twenty_readers_of_one_revision_over_the_api_build_it_once(client_for, owner, template_map):
    client = client_for(owner)
    built = documents.builds

    responses = [client.get(f"/api/maps/{template_map.pk}/") for _ in range(20)]

    assert {r.status_code for r in responses} == {200}
    assert documents.builds == built + 1
