"""Helpers shared by the export tests: build maps through apply_ops, read PDFs back."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fractional_indexing import generate_n_keys_between
from pypdf import PdfReader

from maps.services import apply_ops

LANE_KINDS = ("actions", "obstacles", "opportunities")


def build_map(
    *,
    journey_map: Any,
    actor: Any,
    stages: int,
    lanes: tuple[str, ...] = LANE_KINDS,
    cards_per_cell: int = 1,
    text: Callable[[int, int, int], str] = lambda s, lane, c: f"Thẻ {s}-{lane}-{c}",
) -> dict[str, Any]:
    """Stages, lanes and cards created through the one change path; returns what was made."""
    stage_ids = [str(uuid.uuid4()) for _ in range(stages)]
    lane_ids = [str(uuid.uuid4()) for _ in lanes]
    ops: list[dict[str, Any]] = []
    names = [f"Giai đoạn {n + 1} – Cân nhắc" for n in range(stages)]
    for sid, name, pos in zip(
        stage_ids, names, generate_n_keys_between(None, None, stages), strict=True
    ):
        ops.append({"type": "stage.create", "id": sid, "name": name, "position": pos})
    titles = [f"Làn {kind}" for kind in lanes]
    for lid, kind, title, pos in zip(
        lane_ids, lanes, titles, generate_n_keys_between(None, None, len(lanes)), strict=True
    ):
        ops.append(
            {"type": "lane.create", "id": lid, "kind": kind, "title": title, "position": pos}
        )
    texts: list[str] = []
    keys = list(generate_n_keys_between(None, None, cards_per_cell))
    for s_index, sid in enumerate(stage_ids):
        for l_index, lid in enumerate(lane_ids):
            for c_index in range(cards_per_cell):
                body = text(s_index, l_index, c_index)
                texts.append(body)
                ops.append(
                    {
                        "type": "item.create",
                        "id": str(uuid.uuid4()),
                        "lane": lid,
                        "stage": sid,
                        "position": keys[c_index],
                        "text": body,
                    }
                )
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops, max_ops=len(ops))
    journey_map.refresh_from_db()
    return {"stages": names, "lanes": titles, "texts": texts}


def squash(text: str) -> str:
    """Text as a reader sees it: NFC, whitespace (line wraps) collapsed to single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_pages_text(pdf: bytes) -> list[str]:
    return [squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(name, embedded) for every font the PDF's pages use, descendant fonts included."""
    found: dict[str, bool] = {}

    def visit(font: Any) -> None:
        font = font.get_object()
        for child in font.get("/DescendantFonts", []) or []:
            visit(child)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(descriptor.get("/FontName", font.get("/BaseFont")))] = embedded
        elif font.get("/Subtype") == "/Type3":
            found[str(font.get("/Name", "type3"))] = True
        elif "/DescendantFonts" not in font:
            found[str(font.get("/BaseFont"))] = False

    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        fonts = resources.get_object().get("/Font")
        if fonts is None:
            continue
        for font in fonts.get_object().values():
            visit(font)
        # Fonts used inside form XObjects (WeasyPrint draws through them).
        xobjects = resources.get_object().get("/XObject") or {}
        for xobject in xobjects.values():
            inner = xobject.get_object().get("/Resources")
            if inner is not None and inner.get_object().get("/Font") is not None:
                for font in inner.get_object()["/Font"].get_object().values():
                    visit(font)
    return sorted(found.items())


@contextmanager
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on a port the kernel picks, that records every request it gets (it
    must get none): its base URL and the paths asked for."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server names it so
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
