"""Map documents built once per version and process, and the validators of conditional GETs.

A map's document changes only through `apply_ops`, which raises its revision, except for two
things edited beside it: the map's current-state link (history/api.py) and its personas' own
fields (personas app). A `DocumentVersion` names all three, so a document cached under one is
never stale, and an `ETag` made from it (plus the caller's role, which the response carries)
changes whenever the response would.

The cache is per process, shared by its request threads: twenty readers of one version build
it once (the others wait for the first), older versions of a map are dropped when a newer one
is stored, and the whole is bounded by entries and bytes (least recently used out first). It
is only reached after the caller's access was checked (maps/access.py); what it holds are
whole documents, never a role or a user's view.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpResponseNotModified
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer

from maps.document_types import MapDocument
from maps.models import JourneyMap


@dataclass(frozen=True)
class DocumentVersion:
    map_id: str
    revision: int  # the map's current revision
    current_state: str
    personas: str  # the personas' count and last edit
    at: int | None = None  # a past revision read with ?revision=, else None

    @classmethod
    def of(cls, journey_map: JourneyMap, *, at: int | None = None) -> DocumentVersion:
        """The version of a map row read by maps.access.map_for_reading (any other map row
        costs one more query, for its personas)."""
        stamp = {
            "count": getattr(journey_map, "personas_count", None),
            "changed": getattr(journey_map, "personas_changed", None),
        }
        if stamp["count"] is None:
            stamp = journey_map.personas.aggregate(count=Count("pk"), changed=Max("updated_at"))
        changed = stamp["changed"].isoformat() if stamp["changed"] else ""
        return cls(
            map_id=str(journey_map.pk),
            revision=journey_map.revision,
            current_state=str(journey_map.current_state_id or ""),
            personas=f"{stamp['count']}:{changed}",
            at=at,
        )

    def etag(self, *shown: str, hidden: tuple[str, ...] = ()) -> str:
        """A strong validator: `"<revision>[@<past revision>].<shown…>.<digest>"`, the digest
        covering the rest and `hidden` (readable where it helps, opaque where it need not)."""
        digest = hashlib.blake2b(
            "|".join((self.map_id, self.current_state, self.personas, *shown, *hidden)).encode(),
            digest_size=6,
        ).hexdigest()
        at = f"@{self.at}" if self.at is not None else ""
        return f'"{self.revision}{at}.{".".join(shown)}.{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison of If-None-Match against our ETag (`*` matches any)."""
    if not if_none_match:
        return False
    bare = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


@dataclass(frozen=True)
class CachedDocument:
    """A built document as JSON (exactly as DRF's JSONRenderer writes it). Callers that want
    a dict to change get a fresh one from `document()`."""

    body: bytes

    def document(self) -> MapDocument:
        return json.loads(self.body)

    def body_with(self, **fields: Any) -> bytes:
        """The JSON with `fields` added at the end (the caller's role), without a re-render."""
        extra = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))[1:]
        return self.body[:-1] + b"," + extra.encode()


# The request header of a conditional GET, for the OpenAPI schema of the views that take it.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="the ETag of the copy held: 304 while it is current",
)


def conditional(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    """A response that may be cached only if revalidated each time, by its ETag."""
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def not_modified(etag: str) -> HttpResponseBase:
    """304: the caller's copy (sent as If-None-Match) is current; nothing is built."""
    return conditional(HttpResponseNotModified(), etag)


class DocumentCache:
    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[DocumentVersion, CachedDocument] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[DocumentVersion, threading.Lock] = {}
        self.builds = 0  # documents built (for tests and benchmarks)

    def get(
        self, version: DocumentVersion, build: Callable[[], Mapping[str, Any]]
    ) -> CachedDocument:
        """The document of `version`, built by `build` only if no thread has it yet."""
        with self._lock:
            found = self._hit(version)
            if found is not None:
                return found
            building = self._building.setdefault(version, threading.Lock())
        with building:  # one builder per version; the others wait for it and then hit
            with self._lock:
                found = self._hit(version)
            if found is not None:
                return found
            try:
                cached = CachedDocument(body=JSONRenderer().render(build()))
                with self._lock:
                    self.builds += 1
                    self._store(version, cached)
            finally:
                with self._lock:
                    self._building.pop(version, None)
            return cached

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _hit(self, version: DocumentVersion) -> CachedDocument | None:
        found = self._entries.get(version)
        if found is not None:
            self._entries.move_to_end(version)
        return found

    def _store(self, version: DocumentVersion, cached: CachedDocument) -> None:
        if len(cached.body) > self.max_bytes:
            return  # larger than the whole cache: served, not kept
        for old in [v for v in self._entries if v.map_id == version.map_id]:
            if old.revision < version.revision:  # superseded: nobody asks for it again
                self._drop(old)
        self._entries[version] = cached
        self._bytes += len(cached.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, version: DocumentVersion) -> None:
        self._bytes -= len(self._entries.pop(version).body)


documents = DocumentCache(
    max_entries=settings.MAP_DOCUMENT_CACHE_ENTRIES,
    max_bytes=settings.MAP_DOCUMENT_CACHE_BYTES,
)


def document_revalidated(
    *,
    journey_map: JourneyMap,
    if_none_match: str | None,
    shown: tuple[str, ...],
    hidden: tuple[str, ...] = (),
    respond: Callable[[MapDocument], HttpResponseBase],
) -> HttpResponseBase:
    """A response made of the map's current document, validated by its ETag (`shown` and
    `hidden` as DocumentVersion.etag takes them, naming what else the response depends on):
    304 when the caller's copy is current, with nothing built; else `respond(document)`, the
    document built once per version for every caller."""
    from maps.services import map_document  # services' read model uses nothing of this module

    version = DocumentVersion.of(journey_map)
    etag = version.etag(*shown, hidden=hidden)
    if etag_matches(if_none_match, etag):
        return not_modified(etag)
    cached = documents.get(version, lambda: map_document(journey_map=journey_map))
    return conditional(respond(cached.document()), etag)
