"""The engines that turn the print template's HTML into a PDF, and a PDF into a PNG.

Chromium (Debian's, driven by Playwright) is the fast, faithful engine; it is launched once
per process and kept warm, each job gets a fresh browser context, and a browser that died is
relaunched. WeasyPrint renders the same HTML where no Chromium is installed. The PNG is always
rasterised from the PDF with pdfium, so both formats come from one layout (DESIGN.md).

Neither engine may fetch anything but the app's own static and media files: Chromium's every
request goes through a route handler that serves those from disk and aborts the rest, and
WeasyPrint gets a URL fetcher that does the same.
"""

from __future__ import annotations

import logging
import math
import mimetypes
import os
import queue
import shutil
import struct
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

logger = logging.getLogger(__name__)

# The document is served from a name that cannot resolve, so nothing can leak to a real host.
ORIGIN = "http://journeymap.export.invalid"
DOCUMENT_URL = f"{ORIGIN}/print/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    # Fewer helper processes: the GPU and network services run inside the browser process
    # and one renderer serves every page (about 80 MB less per warm worker, measured).
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
    "--renderer-process-limit=1",
]
MM_PER_INCH = 25.4
CSS_PX_PER_MM = 96 / MM_PER_INCH
# A PNG bigger than this many pixels would take gigabytes to build; refuse it instead.
MAX_PNG_PIXELS = 160_000_000
PNG_BAND_ROWS = 1024


class RenderError(Exception):
    """A rendering failure; `message` is meant for the user who asked for the export."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PageSpec:
    """Paper size in millimetres; `poster` means one page as tall as the content."""

    width_mm: float
    height_mm: float
    poster: bool = False
    # Top plus bottom page margin (the bottom one holds the footer): added to a poster's height.
    margins_mm: float = 28.0


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(configured):
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


def local_file(url: str) -> Path | None:
    """The file on disk a URL of the print document names, if it is one of ours."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None
    path = unquote(parts.path)
    try:
        if path.startswith(settings.STATIC_URL):
            relative = path.removeprefix(settings.STATIC_URL)
            found = finders.find(relative)
            if isinstance(found, str):
                return Path(found)
            candidate = Path(safe_join(str(settings.STATIC_ROOT), relative))
            return candidate if candidate.is_file() else None
        if path.startswith(settings.MEDIA_URL):
            relative = path.removeprefix(settings.MEDIA_URL)
            candidate = Path(safe_join(str(settings.MEDIA_ROOT), relative))
            return candidate if candidate.is_file() else None
    except Exception:  # traversal attempts (SuspiciousFileOperation) and the like
        return None
    return None


def content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix == ".woff2":
        return "font/woff2"
    return guessed or "application/octet-stream"


# --------------------------------------------------------------------------- Chromium


class ChromiumRenderer:
    """A warm Chromium owned by one thread: Playwright's sync objects belong to the thread that
    made them, while render calls may come from a Celery worker, a test, or a web thread."""

    def __init__(self, executable: str, *, timeout_s: float = 60.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._context_obj: Any = None
        self._context_browser: Any = None
        self.blocked: list[str] = []

    # -- the owning thread
    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="chromium-renderer", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._shutdown_browser()
                return
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as error:  # handed to the caller
                future.set_exception(error)

    def _call(self, work: Callable[[], Any]) -> Any:
        self._ensure_thread()
        future: Future[Any] = Future()
        self._jobs.put((work, future))
        try:
            return future.result(timeout=self.timeout_s)
        except TimeoutError:
            raise RenderError("Rendering took too long; try fewer lanes or stages.") from None

    # -- the browser (only ever touched on the owning thread)
    def _browser_ready(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self._shutdown_browser()
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self.executable, args=CHROMIUM_ARGS, headless=True
        )
        return self._browser

    def _shutdown_browser(self) -> None:
        for closer in (
            lambda: self._browser and self._browser.close(),
            lambda: self._playwright and self._playwright.stop(),
        ):
            try:
                closer()
            except Exception:  # already dead is fine
                logger.debug("closing the renderer", exc_info=True)
        self._browser = None
        self._playwright = None
        self._context_obj = None

    def _route(self, html: str) -> Callable[[Any], None]:
        def handle(route: Any) -> None:
            url = route.request.url
            if url == DOCUMENT_URL:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
                return
            path = local_file(url)
            if path is None:
                self.blocked.append(url)
                route.abort("blockedbyclient")
                return
            route.fulfill(status=200, content_type=content_type(path), body=path.read_bytes())

        return handle

    def _render(self, html: str, page_spec: PageSpec) -> bytes:
        from playwright.sync_api import Error as PlaywrightError

        for attempt in (1, 2):
            browser = self._browser_ready()
            try:
                return self._render_once(browser, html, page_spec)
            except PlaywrightError as error:
                if browser.is_connected() or attempt == 2:
                    raise RenderError(f"The PDF engine failed: {error.message[:200]}") from None
                logger.warning("Chromium died during an export; relaunching it")
        raise RenderError("The PDF engine failed.")  # pragma: no cover - loop returns or raises

    def _context(self, browser: Any) -> Any:
        # One context for the process, created with the browser: making one per job cost
        # 0.3-0.8 s. Jobs still never share a page, and the context keeps nothing between
        # them (no cookies are ever set, JavaScript is off, service workers are blocked).
        if self._context_obj is None or self._context_browser is not browser:
            self._context_obj = browser.new_context(
                java_script_enabled=False, service_workers="block", accept_downloads=False
            )
            self._context_browser = browser
        return self._context_obj

    def _render_once(self, browser: Any, html: str, page_spec: PageSpec) -> bytes:
        page = self._context(browser).new_page()
        page.set_viewport_size({"width": round(page_spec.width_mm * CSS_PX_PER_MM), "height": 800})
        try:
            page.route("**/*", self._route(html))
            page.goto(DOCUMENT_URL, wait_until="load", timeout=self.timeout_s * 1000)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            if not page_spec.poster:
                pdf: bytes = page.pdf(print_background=True, prefer_css_page_size=True)
                return pdf
            # One page as tall as the content: measure it, then print at that size.
            height_px = page.evaluate(
                "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
            )
            height_mm = max(height_px / CSS_PX_PER_MM + page_spec.margins_mm + 1, 100)
            pdf = page.pdf(
                print_background=True,
                width=f"{page_spec.width_mm:.2f}mm",
                height=f"{height_mm:.2f}mm",
            )
            return pdf
        finally:
            page.close()

    # -- public
    def render_pdf(self, html: str, page_spec: PageSpec) -> bytes:
        return self._call(lambda: self._render(html, page_spec))

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)
        self._thread = None


_chromium: ChromiumRenderer | None = None
_chromium_lock = threading.Lock()


def chromium_renderer() -> ChromiumRenderer | None:
    """The process's warm Chromium renderer, or None when no Chromium is installed."""
    global _chromium  # one warm browser per process is the point
    path = chromium_path()
    if path is None:
        return None
    with _chromium_lock:
        if _chromium is None:
            _chromium = ChromiumRenderer(path, timeout_s=float(settings.EXPORT_TIME_LIMIT))
        return _chromium


def chromium_close() -> None:
    global _chromium
    with _chromium_lock:
        if _chromium is not None:
            _chromium.close()
        _chromium = None


# --------------------------------------------------------------------------- WeasyPrint


def weasyprint_fetcher(blocked: list[str] | None = None) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = local_file(url)
            if path is None:
                if blocked is not None:
                    blocked.append(url)
                raise ValueError(f"blocked: {url[:80]}")
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type(path)}
            )

    return LocalOnlyFetcher()


# WeasyPrint mixes up glyphs when one family is split into unicode-range subsets (the editor's
# webfont is, static/fonts/), printing Vietnamese as garbage; it prints with the installed
# Noto Sans instead, which covers Vietnamese in one file. A user stylesheet needs !important
# to win over the template's own rules.
WEASYPRINT_FONT_CSS = (
    'body, body * { font-family: "Noto Sans", "DejaVu Sans", sans-serif !important; }'
)


def weasyprint_pdf(html: str, page_spec: PageSpec, *, blocked: list[str] | None = None) -> bytes:
    from weasyprint import CSS, HTML

    # WeasyPrint narrates every step at INFO; only its warnings are worth a log line.
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)

    document = HTML(string=html, base_url=DOCUMENT_URL, url_fetcher=weasyprint_fetcher(blocked))
    fonts = CSS(string=WEASYPRINT_FONT_CSS)
    if not page_spec.poster:
        return document.write_pdf(stylesheets=[fonts])
    # Lay out once on a very tall page, measure the content, then lay out at that height.
    tall = CSS(string=f"@page {{ size: {page_spec.width_mm:.2f}mm 5000mm; }}")
    rendered = document.render(stylesheets=[tall, fonts])
    root = rendered.pages[0]._page_box.children[0]  # no public measure API
    content_px = root.margin_height()
    height_mm = max(content_px / CSS_PX_PER_MM + page_spec.margins_mm + 1, 100)
    exact = CSS(string=f"@page {{ size: {page_spec.width_mm:.2f}mm {height_mm:.2f}mm; }}")
    return document.write_pdf(stylesheets=[exact, fonts])


# --------------------------------------------------------------------------- choice and PNG


def engine_name(preferred: str | None = None) -> str:
    """`chromium` when a Chromium is installed (unless settings say otherwise), else WeasyPrint."""
    choice = preferred or getattr(settings, "EXPORT_ENGINE", "auto")
    if choice == "weasyprint":
        return "weasyprint"
    if chromium_path() is None:
        if choice == "chromium":
            raise RenderError("The PDF engine (Chromium) is not installed on this server.")
        return "weasyprint"
    return "chromium"


def html_to_pdf(html: str, page_spec: PageSpec, *, engine: str | None = None) -> bytes:
    name = engine_name(engine)
    if name == "chromium":
        renderer = chromium_renderer()
        assert renderer is not None
        return renderer.render_pdf(html, page_spec)
    return weasyprint_pdf(html, page_spec)


def pdf_to_png(pdf: bytes, *, scale: int) -> bytes:
    """The PDF's pages as one PNG, stacked top to bottom, at `scale` × 96 dpi.

    Pages are rasterised in bands of PNG_BAND_ROWS rows straight into RGB and streamed to the
    encoder, so memory stays at one band (a 600-card poster at 2× is 45 megapixels: 134 MB
    as one bitmap) while the pixels are exactly those of a whole-page render."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    render_scale = scale * 96 / 72
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [document[index] for index in range(len(document))]
        sizes = [
            (math.ceil(w * render_scale), math.ceil(h * render_scale))
            for w, h in (page.get_size() for page in pages)
        ]
        width = max(w for w, _ in sizes)
        height = sum(h for _, h in sizes)
        if width * height > MAX_PNG_PIXELS:
            raise RenderError(
                "This map is too large for a PNG at this scale; choose a smaller scale or PDF."
            )
        encoder = PngWriter(width, height)
        bands: queue.Queue[Any] = queue.Queue(maxsize=2)

        def rasterise() -> None:
            # pdfium stays on this one thread (it is not thread-safe); it releases the GIL,
            # so the next band renders while the encoder compresses the previous one.
            flags = pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER
            try:
                for page, (page_width, page_height) in zip(pages, sizes, strict=True):
                    for top in range(0, page_height, PNG_BAND_ROWS):
                        rows = min(PNG_BAND_ROWS, page_height - top)
                        bitmap = pdfium.PdfBitmap.new_native(
                            page_width, rows, pdfium_c.FPDFBitmap_BGR, rev_byteorder=True
                        )
                        bitmap.fill_rect((255, 255, 255, 255), 0, 0, page_width, rows)
                        # The whole page shifted up by `top`: pdfium clips it to the band.
                        pdfium_c.FPDF_RenderPageBitmap(
                            bitmap, page, 0, -top, page_width, page_height, 0, flags
                        )
                        bands.put(bitmap)
            except BaseException as error:
                bands.put(error)
            bands.put(None)

        worker = threading.Thread(target=rasterise, name="png-raster", daemon=True)
        worker.start()
        while (band := bands.get()) is not None:
            if isinstance(band, BaseException):
                worker.join()
                raise RenderError("The PNG could not be drawn from the PDF.") from band
            encoder.add_rows(band.buffer, band.width, band.height, band.stride)
        worker.join()
        return encoder.finish()
    finally:
        for page in locals().get("pages", []):
            page.close()
        document.close()


class PngWriter:
    """A minimal streaming PNG encoder for 8-bit RGB rows.

    Rows go to zlib unfiltered at level 3: on map exports (large flat areas, text) that is
    2-3× faster than Pillow's adaptive filtering and the files come out no larger, and no full
    copy of the image is ever held besides pdfium's bitmap."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows_written = 0
        self._zlib = zlib.compressobj(3)
        self._chunks: list[bytes] = []
        self._blank_row = b"\x00" + b"\xff" * (width * 3)

    def add_rows(self, buffer: Any, width: int, height: int, stride: int) -> None:
        view = memoryview(buffer).cast("B")
        row_bytes = width * 3
        padding = b"\xff" * ((self.width - width) * 3)
        parts: list[Any] = []
        for row in range(height):
            start = row * stride
            parts += (b"\x00", view[start : start + row_bytes], padding)
        # One call per band: zlib releases the GIL on large inputs.
        self._chunks.append(self._zlib.compress(b"".join(parts)))
        self.rows_written += height

    def finish(self) -> bytes:
        compress = self._zlib.compress
        for _ in range(self.height - self.rows_written):
            self._chunks.append(compress(self._blank_row))
        self._chunks.append(self._zlib.flush())
        data = b"".join(self._chunks)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
