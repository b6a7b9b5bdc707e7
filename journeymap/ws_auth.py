"""WebSocket authentication: the session cookie (Channels' AuthMiddleware) or
`Authorization: Token <key>`, the same two ways the REST API accepts."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        raw = headers.get(b"authorization", b"").decode("latin-1")
        if raw.lower().startswith("token "):
            key = raw[6:].strip()
            user = await _user_for_token(key)
            scope = dict(scope)
            scope["token_auth"] = True
            if user is not None:
                scope["user"] = user
                scope["token_key"] = key  # checked again when access changes (live/rooms.py)
        return await super().__call__(scope, receive, send)


class SocketSessionMiddleware(BaseMiddleware):
    """Channels' SessionMiddleware for sockets, without its wrapper around `send`, which asks
    on every message sent whether the session needs saving (a thing of HTTP responses): a busy
    map sends thousands of messages a second, and a socket reads its session, never writes it.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if "cookies" not in scope:
            raise ValueError("SocketSessionMiddleware needs CookieMiddleware above it")
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        session = import_module(settings.SESSION_ENGINE).SessionStore(key)  # read when used
        return await super().__call__({**scope, "session": session}, receive, send)


def TokenAuthMiddlewareStack(inner: Any) -> Any:
    # Channels' AuthMiddlewareStack with the session middleware above; the token runs inside
    # the session stack so a valid token wins over the cookie.
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(TokenAuthMiddleware(inner))))
