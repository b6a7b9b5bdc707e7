"""The OpenID provider's discovery document (OpenID Connect Discovery 1.0).

mozilla-django-oidc wants every endpoint as a setting; operators only give the issuer URL, so
the endpoints come from `<issuer>/.well-known/openid-configuration`, fetched when a sign-in
first needs them and kept for an hour per process. The document must name the configured
issuer: tokens are then checked against exactly that value.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

KEEP_S = 3600
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_documents: dict[str, tuple[float, dict[str, Any]]] = {}


class ProviderUnreachable(Exception):
    """The provider's discovery document could not be fetched or does not fit."""


def _fetch(issuer: str) -> dict[str, Any]:
    try:
        response = requests.get(
            issuer + "/.well-known/openid-configuration",
            timeout=settings.OIDC_TIMEOUT,
            verify=settings.OIDC_VERIFY_SSL,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(f"discovery at {issuer} failed: {error}") from None
    if not isinstance(document, dict):
        raise ProviderUnreachable(f"discovery at {issuer} is not a JSON object")
    return document


def discovery() -> dict[str, Any]:
    issuer = settings.OIDC_ISSUER.rstrip("/")
    kept = _documents.get(issuer)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    document = _fetch(issuer)
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnreachable(
            f"discovery names issuer {document.get('issuer')!r}, not {issuer}"
        )
    missing = [key for key in ENDPOINTS.values() if not document.get(key)]
    if missing:
        raise ProviderUnreachable(f"discovery at {issuer} lacks {', '.join(missing)}")
    _documents[issuer] = (time.monotonic() + KEEP_S, document)
    return document


def forget() -> None:
    """Drop the kept documents (a test that restarts its provider on a new port)."""
    _documents.clear()


def setting(attr: str, *args: Any) -> Any:
    """What mozilla-django-oidc asks for: endpoints from discovery, the rest from settings."""
    if attr in ENDPOINTS:
        return discovery()[ENDPOINTS[attr]]
    return import_from_settings(attr, *args)
