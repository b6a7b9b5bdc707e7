"""Webhook delivery latency: from a change's commit to its signed POST reaching a receiver.

Services mode, as deployed: the bench applies changes through `apply_ops` (the one change
path) at a steady rate, default 100 changes/s for 20 s over 4 maps (one process each, as
people editing through the REST change path), each a `comment.create`, so each
change sends one `comment.created` delivery. A Celery worker (`celery -A journeymap worker
--concurrency=2`, as `make worker`) sends them to a loopback receiver (http.server answering
200 at once) that checks every signature as docs/integrations.md's receiver does. A delivery's
latency is the receiver's clock at receipt minus the clock right after its change committed.

`map.changed` is debounced (at most one delivery per map per WEBHOOK_MAP_CHANGED_SECONDS,
naming the revision range); its figure is receipt minus the commit of the revision that opened
the batch, minus that window: the delay beyond the debounce itself.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/webhooks.py \\
        [--rate 100] [--seconds 20] [--maps 4] [--debounce 2] [--comment-every 1]

`--comment-every 20` is a team at work: 100 changes/s of editing (card text) of which one in
twenty is a comment, so the chat hears 5 comments/s and one `map.changed` per map per window.

It writes rows (a user, a workspace, a map, a webhook) into DATABASE_URL's database: point it
at a scratch one. The worker's queue (REDIS_URL's database) is purged first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
    sys.exit("services mode: set DATABASE_URL (PostgreSQL) and REDIS_URL")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
os.environ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "1"  # the receiver is on loopback

import django  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Receiver:
    """Records (receipt time, parsed body) of every correctly signed POST."""

    def __init__(self, secret_of: dict[str, str]) -> None:
        self.secret_of = secret_of
        self.got: list[tuple[float, dict[str, Any]]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        from integrations.signing import (
            SIGNATURE_HEADER,
            TIMESTAMP_HEADER,
            signature_valid,
        )

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.time()
                ok = signature_valid(
                    secret=receiver.secret_of["secret"],
                    timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                    body=body,
                    given=self.headers.get(SIGNATURE_HEADER, ""),
                    now=at,
                )
                with receiver.lock:
                    if ok:
                        receiver.got.append((at, json.loads(body)))
                    else:
                        receiver.bad_signatures += 1
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def start_worker(debounce: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WEBHOOK_MAP_CHANGED_SECONDS": str(debounce)}
    command = [sys.executable, "-m", "celery", "-A", "journeymap", "worker"]
    command += ["--concurrency=2", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def drive_one(
    map_id: str, user_id: int, stage_id: str, card_id: str, rate: float, count: int, every: int
) -> tuple[dict[str, float], dict[tuple[str, int], float]]:
    """In a process of its own: apply `count` changes to one map on a fixed schedule of `rate`
    per second, every `every`-th a comment, the others edits of a card's text (typing); the
    commit time of each comment id and of each (map, revision)."""
    django.setup()
    from django.contrib.auth import get_user_model

    from maps.services import apply_ops

    user = get_user_model().objects.get(pk=user_id)
    committed: dict[str, float] = {}
    revisions: dict[tuple[str, int], float] = {}
    start = time.monotonic()
    for n in range(count):
        pause = start + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        comment_id = str(uuid.uuid4())
        op: dict[str, Any] = {
            "type": "comment.create",
            "id": comment_id,
            "stage": stage_id,
            "text": f"#{n}",
        }
        if n % every:
            op = {"type": "item.update", "id": card_id, "fields": {"text": f"Bản nháp {n}"}}
        applied = apply_ops(map_id=uuid.UUID(map_id), actor=user, change_id=uuid.uuid4(), ops=[op])
        now = time.time()
        if op["type"] == "comment.create":
            committed[comment_id] = now
        revisions[(map_id, applied.revision)] = now
    return committed, revisions


def drive(
    maps: list[tuple[str, str, str]], user_id: int, rate: float, seconds: float, every: int
) -> dict[str, Any]:
    """One process per map (as several people editing several maps through the REST change
    path, served by several processes), together `rate` changes per second."""
    each = rate / len(maps)
    count = int(each * seconds)
    jobs = [(m, user_id, stage, card, each, count, every) for m, stage, card in maps]
    out: dict[str, Any] = {"committed": {}, "revisions": {}}
    with multiprocessing.get_context("spawn").Pool(len(maps)) as pool:
        for committed, revisions in pool.starmap(drive_one, jobs):
            out["committed"].update(committed)
            out["revisions"].update(revisions)
    times = [at for (_map, _revision), at in out["revisions"].items()]
    out["changes"] = len(times)
    # The rate reached, first commit to last (the processes' start-up left out).
    out["rate"] = (len(times) - 1) / max(max(times) - min(times), 1e-6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--debounce", type=int, default=2)
    parser.add_argument("--maps", type=int, default=4, help="maps, one driving process each")
    parser.add_argument(
        "--comment-every",
        type=int,
        default=1,
        help="every Nth change is a comment (a delivery), the others edit a card's text",
    )
    args = parser.parse_args()
    os.environ["WEBHOOK_MAP_CHANGED_SECONDS"] = str(args.debounce)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from integrations.models import Delivery, Event
    from integrations.services import webhook_create
    from journeymap.celery import app
    from maps.documents import map_create
    from maps.services import apply_ops
    from workspaces.services import workspace_create

    call_command("migrate", verbosity=0)
    app.control.purge()
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:8]}")
    workspace = workspace_create(name="Bench webhooks", creator=user)
    maps = []
    for n in range(args.maps):
        journey_map = map_create(workspace=workspace, actor=user, title=f"Webhook bench {n}")
        stage_id, lane_id, card_id = (str(uuid.uuid4()) for _ in range(3))
        setup = [
            {"type": "stage.create", "id": stage_id, "name": "S", "position": "a0"},
            {"type": "lane.create", "id": lane_id, "kind": "actions", "title": "L"}
            | {"position": "a0"},
            {
                "type": "item.create",
                "id": card_id,
                "lane": lane_id,
                "stage": stage_id,
                "position": "a0",
                "text": "x",
            },
        ]
        apply_ops(map_id=journey_map.pk, actor=user, change_id=uuid.uuid4(), ops=setup)
        maps.append((str(journey_map.pk), stage_id, card_id))
    secret: dict[str, str] = {}
    receiver = Receiver(secret)
    hook = webhook_create(
        workspace=workspace,
        actor=user,
        url=receiver.url,
        events=[Event.COMMENT_CREATED, Event.MAP_CHANGED],
    )
    secret["secret"] = hook.secret

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    worker = start_worker(args.debounce)
    try:
        time.sleep(4)  # the worker connects to the broker
        driven = drive(maps, user.pk, args.rate, args.seconds, args.comment_every)
        expected = len(driven["committed"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with receiver.lock:
                comments = sum(1 for _, b in receiver.got if b["event"] == Event.COMMENT_CREATED)
            if comments >= expected:
                break
            time.sleep(0.2)
        time.sleep(args.debounce + 2)  # the last map.changed batch
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.server.shutdown()
    report(args, driven, receiver, Delivery.objects.filter(webhook=hook).count())


def report(args: Any, driven: dict[str, Any], receiver: Receiver, deliveries: int) -> None:
    comment_ms = []
    changed_ms = []
    for at, body in receiver.got:
        data = body["data"]
        if body["event"] == "comment.created":
            comment_ms.append((at - driven["committed"][data["comment"]["id"]]) * 1000)
        elif body["event"] == "map.changed":
            first = driven["revisions"].get((data["map"]["id"], data["from_revision"]))
            if first is not None:  # the batch opened with that revision's commit
                changed_ms.append((at - first - args.debounce) * 1000)
    print(
        f"changes: {driven['changes']} at {driven['rate']:.1f}/s (asked {args.rate}/s), "
        f"{len(driven['committed'])} of them comments; "
        f"deliveries recorded: {deliveries}; received with a valid signature: "
        f"{len(receiver.got)}, bad signatures: {receiver.bad_signatures}"
    )
    if comment_ms:
        print(
            f"comment.created, commit to receiver: n={len(comment_ms)} "
            f"p50={percentile(comment_ms, 0.5):.1f} ms p99={percentile(comment_ms, 0.99):.1f} ms "
            f"max={max(comment_ms):.1f} ms"
        )
    if changed_ms:
        print(
            f"map.changed (window {args.debounce} s), first commit + window to receiver: "
            f"n={len(changed_ms)} p50={percentile(changed_ms, 0.5):.1f} ms "
            f"max={max(changed_ms):.1f} ms"
        )


if __name__ == "__main__":
    main()
