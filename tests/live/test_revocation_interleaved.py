"""Edits interleaved with role changes (Hypothesis): whatever the order in which an owner's
changes and a viewer's removal, lowering or restoring happen, no change committed after the
viewer lost access reaches any of the viewer's sockets, and every one of them is closed."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maps.documents import map_create
from maps.models import JourneyMap
from tests.live.test_consumers import joined
from workspaces.models import MapAccess
from workspaces.services import workspace_create
from workspaces.sharing import map_access_change, map_access_remove

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = st.lists(
    st.sampled_from(["edit", "edit", "edit", "remove", "restore", "lower", "raise"]),
    min_size=1,
    max_size=14,
)
_names = itertools.count()


@dataclass
class Viewer:
    """One of the viewer's sockets and what it received; `revoked_at` is the map's revision
    when the access it was opened with ended."""

    socket: Any
    frames: list[dict[str, Any]] = field(default_factory=list)
    revoked_at: int | None = None
    closed: int | None = None
    raised: bool = False  # its role was raised: it is asked to reconnect (4409)


def revoke(journey_map: Any, user: Any) -> int:
    """Remove the user's role; the map's revision at that moment (the map is locked)."""
    with transaction.atomic():
        map_access_remove(journey_map=journey_map, user=user)
        return JourneyMap.objects.get(pk=journey_map.pk).revision


async def listen(viewer: Viewer) -> None:
    while viewer.closed is None:
        try:
            output = await viewer.socket.receive_output(timeout=5)
        except TimeoutError:
            return
        if output["type"] == "websocket.close":
            viewer.closed = output["code"]
        else:
            viewer.frames.append(json.loads(output["text"]))


async def scenario(steps: list[str], seed: int) -> list[Viewer]:
    rng = random.Random(seed)
    n = next(_names)
    owner, viewer_user, journey_map = await database_sync_to_async(_setting_up)(n)
    writer, _ = await joined(journey_map.pk, owner)
    viewers: list[Viewer] = []
    listeners: list[asyncio.Task[None]] = []

    async def open_viewer() -> None:
        socket, _ = await joined(journey_map.pk, viewer_user)
        viewers.append(Viewer(socket))
        listeners.append(asyncio.create_task(listen(viewers[-1])))

    await open_viewer()
    has_access = True
    for step in steps:
        if step == "edit":
            # Sent, not awaited: edits keep arriving while access changes.
            op = {"type": "map.update", "fields": {"objective": f"bí mật {uuid.uuid4().hex}"}}
            await writer.send_json_to({"type": "change", "id": str(uuid.uuid4()), "ops": [op]})
        elif step == "remove" and has_access:
            revision = await database_sync_to_async(revoke)(journey_map, viewer_user)
            for viewer in viewers:
                if viewer.revoked_at is None:
                    viewer.revoked_at = revision
            has_access = False
        elif step == "restore" and not has_access:
            await database_sync_to_async(map_access_change)(
                journey_map=journey_map, user=viewer_user, role="viewer"
            )
            has_access = True
            await open_viewer()
        elif step in {"lower", "raise"} and has_access:
            role = "viewer" if step == "lower" else "commenter"
            await database_sync_to_async(map_access_change)(
                journey_map=journey_map, user=viewer_user, role=role
            )
            if step == "raise":  # as the browser does: a new socket, the old one told to go
                for viewer in viewers:
                    viewer.raised = True
                await open_viewer()
        await asyncio.sleep(rng.choice([0, 0, 0.001, 0.005]))
    await asyncio.sleep(0.3)  # the last edits are delivered
    for viewer in viewers:
        if viewer.closed is None:
            await viewer.socket.disconnect()
    for task in listeners:
        task.cancel()
    await writer.disconnect()
    return viewers


def _setting_up(n: int) -> tuple[Any, Any, Any]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    owner = users.create_user(username=f"owner{n}", password="pw")
    viewer = users.create_user(username=f"viewer{n}", password="pw")
    workspace = workspace_create(name=f"Nhóm {n}", creator=owner)
    journey_map = map_create(workspace=workspace, actor=owner, title="Hành trình")
    MapAccess.objects.create(map=journey_map, user=viewer, role="viewer")
    return owner, viewer, journey_map


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, seed=st.integers(0, 2**16))
def test_no_change_after_a_revocation_reaches_the_revoked_socket(
    steps: list[str], seed: int
) -> None:
    viewers = async_to_sync(scenario)(steps, seed)
    for viewer in viewers:
        if viewer.revoked_at is None:
            continue
        late = [
            frame["revision"]
            for frame in viewer.frames
            if frame["type"] == "change" and frame["revision"] > viewer.revoked_at
        ]
        assert late == [], f"changes after the revocation at {viewer.revoked_at}: {late}"
        assert viewer.closed in ({4403, 4409} if viewer.raised else {4403})
