"""Sign-in with OpenID Connect switched on against the shaped-token provider
(token_issuer.py); tests/accounts_oidc/test_browser.py brings the real one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from accounts_oidc import provider
from tests.accounts_oidc.token_issuer import (
    CLIENT_ID,
    CLIENT_SECRET,
    TokenIssuer,
    token_issuer_running,
)
from tests.browser.conftest import browser  # noqa: F401 (the Playwright fixture, for test_browser)


@pytest.fixture
def issuer(settings: Any) -> Iterator[TokenIssuer]:
    with token_issuer_running() as running:
        settings.OIDC_ISSUER = running.url
        settings.OIDC_ENABLED = True
        settings.OIDC_PROVIDER_NAME = "Acme SSO"
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_ALLOWED_DOMAINS = ["example.com"]
        settings.AUTHENTICATION_BACKENDS = [
            "accounts_oidc.backends.OIDCBackend",
            "workspaces.auth.ThrottledModelBackend",
        ]
        provider.forget()
        yield running
    provider.forget()


def sign_in(client: Client, issuer: TokenIssuer) -> Any:
    """The browser's part of a sign-in: start it, let the provider answer with a code."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    return client.get("/oidc/callback/", issuer.remember(start["Location"]))
