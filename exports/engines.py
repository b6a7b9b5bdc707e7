"""The engines that turn the print template's HTML into a PDF, and a PDF into a PNG.

Chromium (Debian's, driven over the DevTools protocol on a pipe) is the fast, faithful engine;
it is launched once per process and kept warm with one page open, each job writes its HTML
into that page and prints it, and a browser that died is relaunched. WeasyPrint renders the
same HTML where no Chromium is installed. The PNG is always rasterised from the PDF with
pdfium, so both formats come from one layout (docs/exports.md).

Neither engine may fetch anything but the app's own static and media files: Chromium's every
request is paused (Fetch domain) and answered from disk or refused, and WeasyPrint gets a URL
fetcher that does the same.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import fcntl
import io
import json
import logging
import math
import mimetypes
import os
import queue
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
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
PNG_BAND_ROWS = 128


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

# Chromium's own switches for the warm renderer, besides CHROMIUM_ARGS. Playwright's defaults
# that matter for a headless print job are kept (no throttling of a "hidden" tab, sRGB).
# Without the last three features Chromium's new headless mode preloads the omnibox popup's
# WebUI in a renderer process of its own (45-80 MB PSS per worker, measured) that no export
# ever uses.
RENDERER_ARGS = [
    "--headless",
    "--remote-debugging-pipe",
    "--no-startup-window",
    "--no-default-browser-check",
    "--disable-field-trial-config",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-ipc-flooding-protection",
    "--disable-hang-monitor",
    "--disable-back-forward-cache",
    "--disable-client-side-phishing-detection",
    "--disable-popup-blocking",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
    # Smaller caches and heaps in the renderer: 40-50 MB less PSS at the peak of a 600-card
    # print, the PDF unchanged (same bytes, measured).
    "--enable-low-end-device-mode",
    "--disable-features="
    + ",".join(
        (
            "AvoidUnnecessaryBeforeUnloadCheckSync",
            "DestroyProfileOnBrowserClose",
            "HttpsUpgrades",
            "HttpsFirstBalancedModeAutoEnable",
            "LensOverlay",
            "MediaRouter",
            "PaintHolding",
            "ThirdPartyStoragePartitioning",
            "OptimizationHints",
            "NetworkTimeServiceQuerying",
            "AimEnabled",
            "PreconnectToSearch",
            "Translate",
            "WebUIOmniboxPopup",
            "WebUIOmniboxAimPopup",
            "PreloadTopChromeWebUI",
        )
    ),
]
# The document every job's HTML is written into (Page.setDocumentContent): the page keeps
# this URL, so the print template's /static/ and /media/ links resolve against ORIGIN.
BLANK_DOCUMENT = "<!doctype html><title>journeymap export</title>"


class BrowserGone(Exception):
    """The Chromium process (or its pipe) is gone; a new one is launched for the next job."""


class PageCrashed(BrowserGone):
    """The page's renderer process crashed; the browser is relaunched."""


class ProtocolError(Exception):
    """Chromium answered a DevTools command with an error."""


PROFILE_PREFIX = "jm-chromium-"


def remove_stale_profiles() -> None:
    """Remove the profile directories of renderers whose process is gone: a worker killed
    outright (SIGKILL, out of memory) never gets to remove its own."""
    for path in Path(tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}*-*"):
        owner = path.name.removeprefix(PROFILE_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(path, ignore_errors=True)


class DevToolsBrowser:
    """One headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4).

    No driver process sits between Python and the browser (Playwright's Node driver held
    ~120 MB PSS per worker); the browser exits by itself when the pipe closes, so it never
    outlives its worker, however the worker dies. One page is opened once and reused: each
    job writes its HTML into it (`Page.setDocumentContent`), which costs a fraction of a
    navigation or a new page, and every request the document makes is paused
    (`Fetch.requestPaused`) and answered from `local_file` or refused."""

    def __init__(self, executable: str, *, timeout_s: float, blocked: list[str]) -> None:
        self.timeout_s = timeout_s
        self.blocked = blocked
        remove_stale_profiles()
        self.profile = tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4. bash maps ours there
        # (a preexec_fn is unsafe in a threaded process); they are moved above 9 first so no
        # redirection overwrites another, which dash's one-digit redirections cannot name.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        command = [
            "/bin/bash",
            "-c",
            f'exec "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-',
            "chromium",
            executable,
            *CHROMIUM_ARGS,
            *RENDERER_ARGS,
            f"--user-data-dir={self.profile}",
        ]
        try:
            # The command is ours: the configured Chromium and fixed switches, no user input.
            self.process = subprocess.Popen(  # noqa: S603
                command,
                pass_fds=(child_r, child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(child_r)
            os.close(child_w)
        self._out = to_browser_w
        self._in = from_browser_r
        self._buffer = bytearray()
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self._document = BLANK_DOCUMENT
        self.session = ""
        self.frame = ""
        self.width = 0
        self.crashed = False
        self.frozen = False

    # -- the pipe
    def is_connected(self) -> bool:
        return self.process.poll() is None and self._out >= 0 and not self.crashed

    def _write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._out, view) :]
        except OSError as error:
            raise BrowserGone(str(error)) from None

    def _read(self, deadline: float) -> dict[str, Any]:
        while (end := self._buffer.find(b"\0")) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError("Rendering took too long; try fewer lanes or stages.")
            ready, _, _ = select.select([self._in], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self._in, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                raise BrowserGone("the browser closed its pipe")
            self._buffer += chunk
        message: dict[str, Any] = json.loads(self._buffer[:end])
        del self._buffer[: end + 1]
        return message

    def send(self, method: str, params: dict[str, Any] | None = None) -> int:
        """Send a command to the page's session without waiting for the answer."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        self._write(message)
        return self._next_id

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, browser_level: bool = False
    ) -> dict[str, Any]:
        """A command and its answer; events arriving meanwhile are handled or kept."""
        session, self.session = self.session, ("" if browser_level else self.session)
        try:
            command_id = self.send(method, params)
        finally:
            self.session = session
        deadline = time.monotonic() + self.timeout_s
        while True:
            message = self._read(deadline)
            if message.get("id") == command_id:
                if "error" in message:
                    raise ProtocolError(str(message["error"].get("message", message["error"])))
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The next event `method` of the page (one that already arrived counts)."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            for index, event in enumerate(self._events):
                if event["method"] == method:
                    del self._events[: index + 1]
                    return event
            self._event(self._read(deadline))

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:  # the answer to a command sent without waiting
            return
        if message.get("sessionId") != self.session:
            return
        if method == "Fetch.requestPaused":
            self._serve(message["params"])
        elif method == "Inspector.targetCrashed":
            self.crashed = True
            raise PageCrashed("the page's renderer crashed")
        elif method == "Page.loadEventFired":
            self._events.append(message)

    def _serve(self, params: dict[str, Any]) -> None:
        """Answer a request of the document: ours from disk, anything else refused."""
        url = params["request"]["url"]
        request_id = params["requestId"]
        if url == DOCUMENT_URL:
            body, kind = self._document.encode(), "text/html; charset=utf-8"
        else:
            path = local_file(url)
            if path is None:
                self.blocked.append(url)
                self.send(
                    "Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"}
                )
                return
            body, kind = path.read_bytes(), content_type(path)
        self.send(
            "Fetch.fulfillRequest",
            {
                "requestId": request_id,
                "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": kind}],
                "body": base64.b64encode(body).decode(),
            },
        )

    # -- the page
    def open_page(self) -> None:
        """A browser context and one page in it, scripts off, at DOCUMENT_URL."""
        self.session = ""
        context = self.call("Target.createBrowserContext", {"disposeOnDetach": True})
        context_id = context["browserContextId"]
        self.call(
            "Browser.setDownloadBehavior", {"behavior": "deny", "browserContextId": context_id}
        )
        target = self.call(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context_id}
        )
        attached = self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        self.call("Page.enable")
        self.call("Inspector.enable")
        self.call("Emulation.setScriptExecutionDisabled", {"value": True})
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self.frame = self.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        self._events.clear()
        self.call("Page.navigate", {"url": DOCUMENT_URL})
        self.wait_for("Page.loadEventFired")
        self.crashed = False
        self.frozen = False
        self.width = 0

    def load(self, html: str, width_px: int) -> None:
        if self.frozen:
            self.call("Page.setWebLifecycleState", {"state": "active"})
            self.frozen = False
        if width_px != self.width:
            self.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width_px, "height": 800, "deviceScaleFactor": 1, "mobile": False},
            )
            self.width = width_px
        self._events.clear()
        self.call("Page.setDocumentContent", {"frameId": self.frame, "html": html})
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str) -> Any:
        answer = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        return answer.get("result", {}).get("value")

    def print_pdf(self, **params: Any) -> bytes:
        answer = self.call(
            "Page.printToPDF",
            {
                "printBackground": True,
                "scale": 1,
                "marginTop": 0,
                "marginBottom": 0,
                "marginLeft": 0,
                "marginRight": 0,
                # Tagging and an outline make Chromium's print slower and the file larger.
                "generateTaggedPDF": False,
                "generateDocumentOutline": False,
                **params,
            },
        )
        return base64.b64decode(answer["data"])

    def blank(self) -> None:
        """Drop the last job's document and freeze the page until the next job: a frozen
        page's renderer purges its caches (~25 MB less PSS after a 600-card poster, in 5 ms),
        which is memory the PNG rasteriser and the next job can use."""
        self._events.clear()
        self.call("Page.setDocumentContent", {"frameId": self.frame, "html": BLANK_DOCUMENT})
        self.wait_for("Page.loadEventFired")
        self.call("Page.setWebLifecycleState", {"state": "frozen"})
        self.frozen = True
        # Then collect the last document's garbage (its DOM and V8 heap), without waiting:
        # the renderer does it while the PNG is rasterised here, or while the worker is idle,
        # and holds 15-20 MB less PSS after a 600-card poster (40-110 ms of its CPU, measured).
        # The answer is dropped by `_event` like any other unawaited command's.
        self.send("HeapProfiler.collectGarbage")

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.session = ""
                self.send("Browser.close")
                self.process.wait(timeout=5)
            except (BrowserGone, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        for fd in (self._out, self._in):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._out = self._in = -1
        shutil.rmtree(self.profile, ignore_errors=True)


class ChromiumRenderer:
    """A warm Chromium owned by one thread, which serialises the jobs: render calls may come
    from a Celery worker, a test, or a web thread, and the browser serves one job at a time."""

    def __init__(self, executable: str, *, timeout_s: float = 60.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._browser: DevToolsBrowser | None = None
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
            return future.result(timeout=self.timeout_s + 5)
        except TimeoutError:
            raise RenderError("Rendering took too long; try fewer lanes or stages.") from None

    # -- the browser (only ever touched on the owning thread)
    def _browser_ready(self) -> DevToolsBrowser:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self._shutdown_browser()
        browser = DevToolsBrowser(self.executable, timeout_s=self.timeout_s, blocked=self.blocked)
        try:
            browser.open_page()
        except BaseException:
            browser.close()
            raise
        self._browser = browser
        return browser

    def _shutdown_browser(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            except Exception:  # already dead is fine
                logger.debug("closing the renderer", exc_info=True)
        self._browser = None

    def _render(self, html: str, page_spec: PageSpec) -> bytes:
        for attempt in (1, 2):
            try:
                return self._render_once(self._browser_ready(), html, page_spec)
            except BrowserGone as error:
                # Died or crashed mid-job: relaunch and try once more.
                self._shutdown_browser()
                if attempt == 2:
                    raise RenderError("The PDF engine failed; please try again.") from error
                logger.warning("Chromium died during an export (%s); relaunching it", error)
            except ProtocolError as error:
                self._shutdown_browser()
                raise RenderError(f"The PDF engine failed: {str(error)[:200]}") from None
            except RenderError:
                # Timed out: a stuck browser is not reused.
                self._shutdown_browser()
                raise
        raise RenderError("The PDF engine failed.")  # pragma: no cover - loop returns or raises

    def _render_once(self, browser: DevToolsBrowser, html: str, page_spec: PageSpec) -> bytes:
        browser.load(html, round(page_spec.width_mm * CSS_PX_PER_MM))
        if not page_spec.poster:
            # The template's @page decides the paper.
            pdf = browser.print_pdf(preferCSSPageSize=True)
        else:
            # One page as tall as the content: measure it, then print at that size.
            height_px = browser.evaluate(
                "Math.ceil(document.documentElement.getBoundingClientRect().height)"
            )
            height_mm = max(float(height_px) / CSS_PX_PER_MM + page_spec.margins_mm + 1, 100)
            pdf = browser.print_pdf(
                paperWidth=page_spec.width_mm / MM_PER_INCH,
                paperHeight=height_mm / MM_PER_INCH,
                preferCSSPageSize=False,
            )
        browser.blank()
        return pdf

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
    choice = preferred or settings.EXPORT_ENGINE
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
    encoder, so memory stays at a few bands (a 600-card poster at 2× is 45 megapixels: 134 MB
    as one bitmap) while the pixels are exactly those of a whole-page render. pdfium draws
    each band into a buffer laid out as PNG scanlines (a filter byte, then the row's pixels),
    so the encoder compresses it as it is, without copying a row."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    render_scale = scale * 96 / 72
    document = pdfium.PdfDocument(pdf)
    pages: list[Any] = []
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
        stride = width * 3 + 1
        # Three buffers: one being drawn, one queued, one being compressed. Their filter bytes
        # (the first of each scanline) stay 0 ("none"): pdfium only writes the pixels after.
        free: queue.Queue[bytearray] = queue.Queue()
        for _ in range(3):
            free.put(bytearray(stride * PNG_BAND_ROWS))
        bands: queue.Queue[tuple[bytearray, int] | BaseException | None] = queue.Queue()

        def rasterise() -> None:
            # pdfium stays on this one thread (it is not thread-safe); it releases the GIL,
            # so the next band renders while the encoder compresses the previous one.
            flags = pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER
            try:
                for page, (page_width, page_height) in zip(pages, sizes, strict=True):
                    for top in range(0, page_height, PNG_BAND_ROWS):
                        rows = min(PNG_BAND_ROWS, page_height - top)
                        buffer = free.get()
                        address = ctypes.addressof(ctypes.c_char.from_buffer(buffer)) + 1
                        bitmap = pdfium_c.FPDFBitmap_CreateEx(
                            width, rows, pdfium_c.FPDFBitmap_BGR, address, stride
                        )
                        try:
                            # White first (a narrower page leaves the right side white),
                            # then the whole page shifted up by `top`, clipped to the band.
                            pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, width, rows, 0xFFFFFFFF)
                            pdfium_c.FPDF_RenderPageBitmap(
                                bitmap, page, 0, -top, page_width, page_height, 0, flags
                            )
                        finally:
                            pdfium_c.FPDFBitmap_Destroy(bitmap)
                        bands.put((buffer, rows))
            except BaseException as error:
                bands.put(error)
            bands.put(None)

        encoder = PngWriter(width, height)
        worker = threading.Thread(target=rasterise, name="png-raster", daemon=True)
        worker.start()
        while (band := bands.get()) is not None:
            if isinstance(band, BaseException):
                worker.join()
                raise RenderError("The PNG could not be drawn from the PDF.") from band
            buffer, rows = band
            encoder.add_scanlines(memoryview(buffer)[: rows * stride], rows)
            free.put(buffer)
        worker.join()
        return encoder.finish()
    finally:
        for page in pages:
            page.close()
        document.close()
        release_heap()


def release_heap() -> None:
    """Give the heap freed by a big job back to the system: glibc keeps freed blocks for reuse,
    so a worker would otherwise hold the high-water mark of its largest PNG between jobs."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class PngWriter:
    """A minimal streaming PNG encoder for 8-bit RGB scanlines.

    Scanlines (filter byte 0, then the row) go to zlib at level 3: on map exports (large flat
    areas, text) that is 2-3× faster than Pillow's adaptive filtering and the files come out
    no larger. The compressed stream is written straight into the file's one buffer (its
    IDAT length and CRC are filled in at the end), whose bytes `finish` hands over without a
    copy: a list of pieces joined at the end held the image two or three times over (about
    12 MB more at the peak of a 600-card poster at 2×)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows_written = 0
        self._zlib = zlib.compressobj(3)
        self._file = io.BytesIO()
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        self._file.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header))
        self._idat_at = self._file.tell()
        self._file.write(b"\0\0\0\0IDAT")
        self._crc = zlib.crc32(b"IDAT")

    def _write(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._file.write(data)

    def add_scanlines(self, data: Any, rows: int) -> None:
        # One call per band: zlib releases the GIL on large inputs.
        self._write(self._zlib.compress(data))
        self.rows_written += rows

    def finish(self) -> bytes:
        blank_row = b"\x00" + b"\xff" * (self.width * 3)
        for _ in range(self.height - self.rows_written):
            self._write(self._zlib.compress(blank_row))
        self._write(self._zlib.flush())
        length = self._file.tell() - self._idat_at - 8
        self._file.write(struct.pack(">I", self._crc) + _chunk(b"IEND", b""))
        self._file.seek(self._idat_at)
        self._file.write(struct.pack(">I", length))
        # BytesIO hands over its own buffer when nothing else refers to it (no copy).
        data = self._file.getvalue()
        self._file = io.BytesIO()
        return data


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
