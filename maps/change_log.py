"""Pages of a map's change log (GET /api/maps/{id}/changes/) as JSON, cheaply.

The log is append-only (one row per revision, never edited or deleted while the map
exists), so a full page — `limit` changes after `since` with more behind it — never changes:
each process keeps the last few such pages as the JSON it sent, and a reader catching up
from the same revision again costs no query. A page is written straight from the rows: the
ops arrive as their stored JSON text and go out as they are (decoding them and encoding them
again was half of the request's CPU, bench/map_get_cpu.py).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from maps.models import Change

FULL_PAGES_KEPT = 64  # ~130 KB each at 500 changes


@dataclass(frozen=True)
class ChangePage:
    results: bytes  # the JSON list of changes
    last: int | None  # the revision of the last change in it
    full: bool  # more changes follow (the next page starts after `last`)

    def body(self, *, next_url: str | None, revision: int) -> bytes:
        """The response: {"results", "next", "revision"}, as DRF's JSONRenderer would."""
        tail = json.dumps({"next": next_url, "revision": revision}, separators=(",", ":"))
        return b'{"results":' + self.results + b"," + tail[1:].encode()


class _FullPages:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._pages: OrderedDict[tuple[str, int, int], ChangePage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, int]) -> ChangePage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, int, int], page: ChangePage) -> None:
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


full_pages = _FullPages(FULL_PAGES_KEPT)


def change_page_read(*, map_id: uuid.UUID, since: int, limit: int) -> ChangePage:
    """The changes after revision `since`, at most `limit` of them."""
    key = (str(map_id), since, limit)
    found = full_pages.get(key)
    if found is not None:
        return found
    rows = list(
        Change.objects.filter(map_id=map_id, revision__gt=since)
        .order_by("revision")
        .values_list(
            "revision", "change_id", "session", "actor_id", Cast("ops", TextField()), "created_at"
        )[: limit + 1]
    )
    full = len(rows) > limit
    rows = rows[:limit]
    zone = timezone.get_current_timezone()  # once: each lookup is a context-local read
    page = ChangePage(
        results=b"[" + b",".join(_change_json(row, zone) for row in rows) + b"]",
        last=rows[-1][0] if rows else None,
        full=full,
    )
    if full:
        full_pages.put(key, page)
    return page


def _change_json(row: tuple[Any, ...], zone: tzinfo) -> bytes:
    revision, change_id, session, actor_id, ops, at = row
    # As DRF's DateTimeField writes it (the current time zone, "Z" for UTC).
    created = at.astimezone(zone).isoformat()
    if created.endswith("+00:00"):
        created = created[:-6] + "Z"
    head = json.dumps(
        {
            "revision": revision,
            "id": str(change_id),
            "actor": {"session": session, "user": actor_id},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f'{head[:-1]},"ops":{ops},"created":"{created}"}}'.encode()
