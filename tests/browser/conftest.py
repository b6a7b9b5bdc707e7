"""Browser tests run against a real ASGI server: one uvicorn process for the whole session
(HTTP and the live socket, exactly as `make run` serves them), on the test database.

Why not pytest-django's `live_server`: it is a WSGI server without WebSockets, so the editor
it served was the REST fallback, not the socket editor people use. The uvicorn process shares
the test's PostgreSQL database (a subprocess cannot see SQLite's in-memory test database) and
Redis (so a change the test makes with `apply_ops` reaches the browser through the channel
layer, as one made in another server process would). Tests that use `asgi_server` are marked
`services` as well as `browser`: locally they skip without PostgreSQL, Redis or Chromium; under
CI=true they fail. They use `django_db(transaction=True)`: the data a test creates is
committed, so the server sees it, and the tables are emptied after each test.

The server listens on 127.0.0.1:$BROWSER_TEST_PORT if that is set, and on a free port the
kernel picks otherwise (several test runs share a machine).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import CHROMIUM
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass(frozen=True)
class AsgiServer:
    url: str
    media_root: Path


def _database_url() -> str:
    """The test database (pytest-django has renamed NAME to it by now) as a DATABASE_URL."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("browser tests need the PostgreSQL test database (DATABASE_URL=postgres://…)")
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the ASGI server exited with {server.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the ASGI server did not listen on port {port} within 60 s")


@pytest.fixture(scope="session")
def asgi_server(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsgiServer]:
    """uvicorn serving journeymap.asgi:application on the test database, for the session.

    Stopped before the test database is dropped (it depends on `django_db_setup`). Settings
    a test changes do not reach it: it reads its configuration from the environment, as a
    deployment does."""
    port = int(os.environ.get("BROWSER_TEST_PORT") or free_port())
    media_root = tmp_path_factory.mktemp("asgi-media")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(media_root),
        # Every test's anonymous share-page calls come from 127.0.0.1 within one session.
        "API_RATE_ANON": "100000/min",
        "API_RATE_AUTH": "100000/min",
    }
    env.pop("EDITOR_TRANSPORT", None)  # the default, which is what people get
    command = [sys.executable, "-m", "uvicorn", "journeymap.asgi:application", "--lifespan", "off"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--ws-per-message-deflate", "false"]  # as `make run` and the Dockerfile
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_for_port(port, server)
        yield AsgiServer(url=f"http://127.0.0.1:{port}", media_root=media_root)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium through Playwright's sync API, one per test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def session_cookie(user: Any, url: str) -> dict[str, str]:
    """A Playwright cookie signing `user` in on `url` (the sign-in form has its own test)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": url}


def off_loop(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run server-side work (apply_ops, a revocation…) in its own thread, as a request would:
    Playwright's loop owns the test's thread, and a change's broadcast (async_to_sync) refuses
    to run beside it."""
    import threading

    from django.db import connection

    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function(*args, **kwargs))
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def server_password(user: Any) -> None:
    """Give `user` the fixtures' password ("pw") in a form the server process can check: the
    tests hash with MD5 for speed (tests/conftest.py), which the server's PASSWORD_HASHERS do
    not include."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode("pw", "browsertests", iterations=1000)
    user.save(update_fields=["password"])
