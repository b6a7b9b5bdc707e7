"""Real servers for tests that stop, restart and kill them (tests/test_faults.py): uvicorn
processes of the app in services mode, a private Redis and a private PostgreSQL cluster.

Never the shared servers: each helper starts its own on the port it is given, which tests
take from `free_port()`, never a fixed number (several test runs share a machine). As root
(CI), PostgreSQL runs as the `postgres` user in a directory that user owns; as anyone else,
as that user. A missing binary skips the test locally and fails it under CI=true.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_binary(path: str | None, what: str) -> str:
    if path and os.path.exists(path):
        return path
    message = f"needs {what}"
    if CI:
        pytest.fail(f"{message}: missing under CI")
    pytest.skip(message)


def wait_for_port(port: int, *, seconds: float = 40, process: Any = None) -> None:
    """Until something accepts connections on 127.0.0.1:port (or the process died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server for port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice), for a test server of its own.

    The kernel hands out bind(0) ports at random from its ephemeral range, so two test runs
    side by side do not get the same one, as they did with fixed numbers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_test_database_url() -> str:
    """The pytest-django test database, as a DATABASE_URL for server processes."""
    from django.db import connection

    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Process:
    """A server process whose output goes to a log file (printed by `log_tail`)."""

    def __init__(self, name: str, log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def _spawn(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, **kwargs
        )
        return self.process

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or container dies."""
        self.stop(signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


class AppServer(Process):
    """`uvicorn journeymap.asgi:application` (HTTP and the live socket) on a port, with `env`
    on top of this process's environment (DATABASE_URL, REDIS_URL, …)."""

    def __init__(self, port: int, log_dir: Path, **env: str) -> None:
        super().__init__(f"uvicorn-{port}", log_dir)
        self.port = port
        self.env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", **env}
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> AppServer:
        command = [sys.executable, "-m", "uvicorn", "journeymap.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off"]
        command += ["--log-level", "warning"]
        process = self._spawn(command, cwd=ROOT, env=self.env)
        wait_for_port(self.port, process=process)
        return self

    def socket_url(self, map_id: Any, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/ws/maps/{map_id}/{'?' + query if query else ''}"


class RedisServer(Process):
    """A private redis-server without persistence: a restart forgets everything (presence,
    subscriptions, counters), the worst case for the app."""

    def __init__(self, port: int, log_dir: Path) -> None:
        super().__init__(f"redis-{port}", log_dir)
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.binary = require_binary(shutil.which("redis-server"), "redis-server")
        self.directory = log_dir

    def start(self) -> RedisServer:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        wait_for_port(self.port, process=self._spawn(command))
        return self


def postgres_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(require_binary(initdb, "PostgreSQL's initdb")).parent


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory, superuser `journeymap`, one
    database `journeymap`; started, stopped and restarted with pg_ctl."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = postgres_bin()
        self.directory = Path(tempfile.mkdtemp(prefix=f"jm-pg-{port}-"))
        self.data = self.directory / "data"
        self.log_path = self.directory / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            import pwd

            postgres = pwd.getpwnam("postgres")
            os.chown(self.directory, postgres.pw_uid, postgres.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://journeymap:journeymap@127.0.0.1:{port}/journeymap"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_user, str(self.bin / tool), *args]
        result = subprocess.run(
            command, cwd=self.directory, capture_output=True, text=True, timeout=90
        )
        if result.returncode != 0:
            raise AssertionError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    def init(self) -> PostgresServer:
        # Locale C: the machine's LANG may name a locale that is not installed.
        options = ["-U", "journeymap", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        self._run("initdb", "-D", str(self.data), *options)
        self.start()
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="journeymap", dbname="postgres"
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE journeymap")
        connection.close()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (a restart); `immediate` is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError):
                self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
