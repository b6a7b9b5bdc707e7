"""The sign-in page's "Sign in with <provider>" button, when OpenID Connect is configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def oidc_sign_in(request: HttpRequest) -> dict[str, Any]:
    return {"oidc_provider_name": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else ""}
