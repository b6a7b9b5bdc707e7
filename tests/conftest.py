"""Shared fixtures: a workspace with an owner, members of every map role, and an outsider.

Markers: `services` tests need PostgreSQL and Redis (DATABASE_URL/REDIS_URL), `browser` tests
need Debian's Chromium. Locally they skip when those are missing; under CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def services_available() -> bool:
    db = os.environ.get("DATABASE_URL", "")
    return db.startswith(("postgres://", "postgresql://")) and bool(os.environ.get("REDIS_URL"))


def browser_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from journeymap.celery import app

    # Tests run tasks in-process unless a test starts a real worker (marked `services`).
    app.conf.task_always_eager = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        needs: list[tuple[str, bool]] = []
        if item.get_closest_marker("services"):
            needs.append(("PostgreSQL and Redis (DATABASE_URL, REDIS_URL)", services_available()))
        if item.get_closest_marker("browser"):
            needs.append((f"Chromium at {CHROMIUM}", browser_available()))
        for what, ok in needs:
            if ok:
                continue
            if CI:
                item.add_marker(pytest.mark.usefixtures("_fail_missing_requirement"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"needs {what}"))


@pytest.fixture
def _fail_missing_requirement(request: pytest.FixtureRequest) -> None:
    pytest.fail(f"{request.node.nodeid}: a required server or browser is missing under CI")


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    """Each test gets a fresh in-memory layer, except services tests, which use Redis."""
    from channels.layers import channel_layers

    if not request.node.get_closest_marker("services"):
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    """Throttle and sign-in counters live in the cache, documents in theirs: every test
    starts from nothing."""
    from django.core.cache import cache

    from maps.change_log import full_pages
    from maps.document_cache import documents

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    documents.clear()  # the map documents each process keeps built
    full_pages.clear()  # and full pages of change logs
    yield
    cache.clear()
    documents.clear()
    full_pages.clear()


@pytest.fixture
def make_user(django_user_model: Any) -> Any:
    def make(username: str, **extra: Any) -> Any:
        extra.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(username=username, password="pw", **extra)

    return make


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user("owner", first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def member(make_user: Any) -> Any:
    return make_user("member", first_name="Minh")


@pytest.fixture
def outsider(make_user: Any) -> Any:
    return make_user("outsider")


@pytest.fixture
def workspace(owner: Any, member: Any) -> Any:
    from workspaces.models import Membership
    from workspaces.services import workspace_create

    ws = workspace_create(name="Nhóm Marketing", creator=owner)
    Membership.objects.create(workspace=ws, user=member, role=Membership.Role.MEMBER)
    return ws


@pytest.fixture
def journey_map(workspace: Any, owner: Any) -> Any:
    """An empty map owned by `owner`; `member` edits it through the workspace."""
    from maps.documents import map_create

    return map_create(workspace=workspace, actor=owner, title="Hành trình thử nghiệm")


@pytest.fixture
def template_map(workspace: Any, owner: Any) -> Any:
    """A map built from the 5-stage buyer journey template (Vietnamese)."""
    from maps.documents import map_create
    from method.library import get_template

    spec = get_template("buyer_journey_5")
    assert spec is not None
    return map_create(
        workspace=workspace,
        actor=owner,
        title="Hành trình mẫu",
        document=spec.document("vi"),
        template=spec.key,
    )


@pytest.fixture
def role_users(
    make_user: Any, journey_map: Any, owner: Any, member: Any, outsider: Any
) -> dict[str, Any]:
    """One user per way of relating to `journey_map`, keyed by role."""
    from workspaces.models import MapAccess

    users = {"owner": owner, "editor": member, "outsider": outsider}
    for role in ("commenter", "viewer"):
        user = make_user(role)
        MapAccess.objects.create(map=journey_map, user=user, role=role)
        users[role] = user
    return users


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Any:
    def make(user: Any | None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def new_id() -> Any:
    return lambda: str(uuid.uuid4())


@pytest.fixture
def personas(workspace: Any, owner: Any) -> list[str]:
    """Two personas of `workspace`, by id."""
    from personas.models import Persona

    return [
        str(Persona.objects.create(workspace=workspace, name=name, created_by=owner).pk)
        for name in ("Chị Hoa", "Anh Nam")
    ]


@pytest.fixture
def actors(owner: Any, member: Any) -> dict[str, Any]:
    """The people a random history (tests/history/helpers.py) is written by."""
    return {"owner": owner, "editor": member}
