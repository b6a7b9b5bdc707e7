"""Password-guessing protection shared by every sign-in path (pages, admin, API token).

Failures are counted per (username, client address) and per address in the cache (Redis in
services mode, so all processes share the count). Past the limit, authentication refuses
without checking the password until the window passes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

WINDOW_SECONDS = 15 * 60


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return str(request.META.get("REMOTE_ADDR", "-"))


def _keys(request: HttpRequest | None, username: str | None) -> tuple[str, str]:
    name = hashlib.sha256((username or "").lower().encode()).hexdigest()[:24]
    client = _client(request)
    return f"login-fail:{name}:{client}", f"login-fail-ip:{client}"


def login_blocked(request: HttpRequest | None, username: str | None) -> bool:
    pair_key, ip_key = _keys(request, username)
    return (
        cache.get(pair_key, 0) >= settings.LOGIN_FAILURE_LIMIT
        or cache.get(ip_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    )


def _bump(key: str) -> None:
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if login_blocked(request, username):
            raise PermissionDenied("Too many failed sign-in attempts; try again later.")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    for key in _keys(request, credentials.get("username")):
        _bump(key)


@receiver(user_logged_in)
def forget_failures(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    cache.delete(_keys(request, user.get_username())[0])
