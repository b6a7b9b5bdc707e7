"""Signing in with OpenID Connect: the redirect carries state, nonce and a PKCE challenge; the
first sign-in creates the account in the configured workspace, later ones find it by e-mail;
signing out ends the local session."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts_oidc.conftest import sign_in
from tests.accounts_oidc.token_issuer import CLIENT_ID, TokenIssuer
from workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_the_redirect_to_the_provider_carries_state_nonce_and_a_pkce_challenge(
    client: Client, issuer: TokenIssuer
):
    response = client.get("/oidc/authenticate/?next=/maps/")
    location = urlparse(response["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{issuer.url}/authorize"
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://testserver/oidc/callback/"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] in client.session["oidc_states"]


def test_the_code_exchange_sends_the_pkce_verifier(client: Client, issuer: TokenIssuer):
    sign_in(client, issuer)
    assert len(issuer.token_requests) == 1
    assert len(issuer.token_requests[0]["code_verifier"]) == 64


def test_the_first_sign_in_creates_the_account_in_its_own_workspace(
    client: Client, issuer: TokenIssuer
):
    response = sign_in(client, issuer)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(email="lan@example.com")
    assert (user.username, user.first_name, user.last_name) == ("lan", "Lan", "Nguyễn")
    assert not user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.get(user=user).role == Membership.Role.ADMIN


def test_new_accounts_join_the_configured_workspace_with_the_configured_role(
    client: Client, issuer: TokenIssuer, settings: Any, workspace: Workspace
):
    settings.OIDC_WORKSPACE = str(workspace.pk)
    settings.OIDC_WORKSPACE_ROLE = "member"
    sign_in(client, issuer)
    user = get_user_model().objects.get(email="lan@example.com")
    assert list(user.memberships.values_list("workspace_id", "role")) == [(workspace.pk, "member")]


def test_a_later_sign_in_finds_the_account_by_email(
    client: Client, issuer: TokenIssuer, make_user: Any
):
    existing = make_user("lan.nguyen", email="Lan@Example.com")
    response = sign_in(client, issuer)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert get_user_model().objects.count() == 1


def test_a_taken_username_gets_a_number(client: Client, issuer: TokenIssuer, make_user: Any):
    make_user("lan", email="lan@other.example")
    sign_in(client, issuer)
    assert get_user_model().objects.get(email="lan@example.com").username == "lan2"


def test_the_sign_in_returns_to_the_page_asked_for(client: Client, issuer: TokenIssuer):
    start = client.get("/oidc/authenticate/?next=/workspaces/new/")
    response = client.get("/oidc/callback/", issuer.remember(start["Location"]))
    assert response["Location"] == "/workspaces/new/"


def test_a_next_address_on_another_site_is_ignored(client: Client, issuer: TokenIssuer):
    start = client.get("/oidc/authenticate/?next=https://evil.example.net/")
    response = client.get("/oidc/callback/", issuer.remember(start["Location"]))
    assert response["Location"] == "/"


def test_signing_out_ends_the_local_session(client: Client, issuer: TokenIssuer):
    sign_in(client, issuer)
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"].startswith("/login/")


def test_a_state_this_session_never_issued_is_refused(client: Client, issuer: TokenIssuer):
    start = client.get("/oidc/authenticate/")
    answer = issuer.remember(start["Location"])
    response = client.get("/oidc/callback/", {**answer, "state": "forged"})
    assert response.status_code == 403
    assert 'data-reason="session"' in response.content.decode()
    assert issuer.token_requests == []


def test_a_callback_without_a_pending_sign_in_is_refused(client: Client, issuer: TokenIssuer):
    response = client.get("/oidc/callback/", {"code": "x", "state": "y"})
    assert response.status_code == 403
    assert 'data-reason="session"' in response.content.decode()


def test_a_state_is_used_once(client: Client, issuer: TokenIssuer):
    start = client.get("/oidc/authenticate/")
    answer = issuer.remember(start["Location"])
    client.get("/oidc/callback/", answer)
    client.post("/logout/")
    client.get("/oidc/authenticate/")  # a new pending sign-in, with another state
    response = client.get("/oidc/callback/", answer)
    assert response.status_code == 403
    assert len(issuer.token_requests) == 1


def test_an_error_from_the_provider_is_shown(client: Client, issuer: TokenIssuer, caplog: Any):
    start = client.get("/oidc/authenticate/")
    state = issuer.remember(start["Location"])["state"]
    with caplog.at_level("WARNING", logger="accounts_oidc.views"):
        response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})
    assert response.status_code == 403
    assert "Acme SSO" in response.content.decode()
    assert "access_denied" in caplog.text


def test_a_provider_that_cannot_be_reached_gets_the_refusal_page(
    client: Client, settings: Any, issuer: TokenIssuer
):
    from accounts_oidc import provider

    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    provider.forget()
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 403
    assert 'data-reason="provider"' in response.content.decode()


def test_the_sign_in_page_offers_the_provider(client: Client, issuer: TokenIssuer):
    page = client.get("/login/?next=/maps/").content.decode()
    assert "Đăng nhập bằng Acme SSO" in page
    assert 'href="/oidc/authenticate/?next=/maps/"' in page
    assert 'name="password"' in page  # local sign-in stays


def test_without_a_provider_there_is_no_button_and_no_endpoint(client: Client):
    assert "/oidc/authenticate/" not in client.get("/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


def test_password_sign_in_still_works_with_the_provider_on(
    client: Client, issuer: TokenIssuer, make_user: Any
):
    make_user("owner")
    response = client.post("/login/", {"username": "owner", "password": "pw"})
    assert response.status_code == 302
    assert issuer.token_requests == []


def test_a_password_form_posted_with_a_code_starts_no_exchange(
    client: Client, issuer: TokenIssuer, make_user: Any
):
    make_user("owner")
    client.get("/oidc/authenticate/")
    response = client.post("/login/?code=x&state=y", {"username": "owner", "password": "bad"})
    assert response.status_code == 200
    assert issuer.token_requests == []
