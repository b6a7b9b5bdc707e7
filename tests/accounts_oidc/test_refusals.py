"""Every ID token or account the sign-in must refuse gets the refusal page (403), is logged,
and signs nobody in or up."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts_oidc.conftest import sign_in
from tests.accounts_oidc.token_issuer import TokenIssuer, new_key

pytestmark = pytest.mark.django_db


def refused(client: Client, issuer: TokenIssuer, caplog: Any, reason: str) -> Any:
    with caplog.at_level("WARNING", logger="accounts_oidc.views"):
        response = sign_in(client, issuer)
    assert response.status_code == 403
    assert f'data-reason="{reason}"' in response.content.decode()
    assert f"OIDC sign-in refused ({reason})" in caplog.text
    assert "_auth_user_id" not in client.session
    return response


def test_a_token_from_another_issuer_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issuer.claims = {"iss": "https://evil.example.net"}
    refused(client, issuer, caplog, "issuer")
    assert not get_user_model().objects.exists()


def test_an_expired_token_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issued = int(time.time()) - 3600
    issuer.claims = {"iat": issued, "exp": issued + 300}
    response = refused(client, issuer, caplog, "expired")
    assert "hết hạn" in response.content.decode()  # vi, the default language


def test_a_token_signed_with_another_key_is_refused(
    client: Client, issuer: TokenIssuer, caplog: Any
):
    issuer.sign_with = new_key()
    refused(client, issuer, caplog, "signature")


def test_a_token_naming_a_key_the_provider_does_not_publish_is_refused(
    client: Client, issuer: TokenIssuer, caplog: Any
):
    issuer.sign_with = new_key()
    issuer.header = {"kid": "attacker-key"}
    refused(client, issuer, caplog, "signature")


def test_a_token_for_another_client_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issuer.claims = {"aud": "some-other-app"}
    refused(client, issuer, caplog, "token")


def test_a_token_with_another_nonce_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issuer.claims = {"nonce": "replayed-from-another-sign-in"}
    refused(client, issuer, caplog, "nonce")


def test_user_info_about_another_subject_is_refused(
    client: Client, issuer: TokenIssuer, caplog: Any
):
    issuer.userinfo = {"sub": "someone-else"}
    refused(client, issuer, caplog, "token")


def test_an_unverified_email_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issuer.userinfo = {"email_verified": False}
    response = refused(client, issuer, caplog, "unverified")
    assert "lan@example.com" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_an_unverified_email_cannot_take_over_an_existing_account(
    client: Client, issuer: TokenIssuer, caplog: Any, make_user: Any
):
    make_user("lan", email="lan@example.com")
    issuer.userinfo = {"email_verified": "false"}
    refused(client, issuer, caplog, "unverified")


def test_an_email_at_a_disallowed_domain_is_refused(
    client: Client, issuer: TokenIssuer, caplog: Any
):
    issuer.email = "mallory@elsewhere.org"
    response = refused(client, issuer, caplog, "domain")
    assert "elsewhere.org" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_missing_email_is_refused(client: Client, issuer: TokenIssuer, caplog: Any):
    issuer.userinfo = {"email": None}
    refused(client, issuer, caplog, "no_email")


def test_no_account_is_created_when_creation_is_off(
    client: Client, issuer: TokenIssuer, caplog: Any, settings: Any
):
    settings.OIDC_CREATE_USER = False
    refused(client, issuer, caplog, "no_account")
    assert not get_user_model().objects.exists()


def test_a_switched_off_account_is_refused(
    client: Client, issuer: TokenIssuer, caplog: Any, make_user: Any
):
    make_user("lan", email="lan@example.com", is_active=False)
    refused(client, issuer, caplog, "inactive")


def test_two_accounts_with_the_address_are_refused(
    client: Client, issuer: TokenIssuer, caplog: Any, make_user: Any
):
    make_user("lan", email="lan@example.com")
    make_user("lan2", email="LAN@example.com")
    refused(client, issuer, caplog, "ambiguous")
