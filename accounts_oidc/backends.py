"""mozilla-django-oidc's backend, made stricter: the ID token must come from the configured
issuer, for this client, unexpired and signed with the provider's key (PyJWT checks all of
it); the user-info answer must be about the token's subject; then accounts_oidc.services
decides who may sign in. Refusals raise SignInRefused, which the callback view turns into a
page (mozilla-django-oidc would only redirect)."""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts_oidc import provider, services
from accounts_oidc.refusals import SignInRefused

# Seconds of clock difference tolerated between the provider and this server.
LEEWAY_S = 60
CLAIM_ERRORS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.InvalidIssuerError, "issuer"),
    (jwt.InvalidSignatureError, "signature"),
]


class OIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(provider.setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds a backend on every request to load the session's user: nothing here
        # may fetch the discovery document (the parent's __init__ reads the endpoints).
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return str(provider.discovery()["token_endpoint"])

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(provider.discovery()["userinfo_endpoint"])

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(provider.discovery()["jwks_uri"])

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view, which passes the session's nonce, signs in this way; a
        # password form posted to a URL with ?code=&state= must not start a code exchange.
        if request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token: str) -> Any:
        try:
            return super().retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise SignInRefused("signature", "no key of the provider has the token's kid") from None
        except (jwt.InvalidTokenError, KeyError) as error:
            raise SignInRefused("token", f"unreadable header: {error}") from None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
        except jwt.InvalidTokenError as error:
            raise SignInRefused("token", f"unreadable header: {error}") from None
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("signature", f"signed with {algorithm!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider.discovery()["issuer"],
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            reason = next((r for kind, r in CLAIM_ERRORS if isinstance(error, kind)), "token")
            raise SignInRefused(reason, str(error)) from None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return dict(super().verify_token(token, **kwargs))
        except SuspiciousOperation as error:  # the nonce check of the parent
            raise SignInRefused("nonce", str(error)) from None

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise SignInRefused("token", "the user-info answer is about another subject")
        # The ID token's claims (Entra ID puts its xms_edov there) under the user-info ones.
        return {**payload, **info}

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        email = services.email_check(claims=claims)
        return services.oidc_user_find_or_create(email=email, claims=claims)
