"""The two sign-in endpoints (mozilla-django-oidc's views: state, nonce and PKCE) and the page
shown when a sign-in is refused, which is also logged."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts_oidc import provider
from accounts_oidc.refusals import SignInRefused, message

logger = logging.getLogger(__name__)


def refusal(request: HttpRequest, refused: SignInRefused) -> HttpResponse:
    logger.warning(
        "OIDC sign-in refused (%s) from %s: %s",
        refused.reason,
        request.META.get("REMOTE_ADDR", "-"),
        refused.detail or "-",
    )
    context = {"reason": refused.reason, "message": message(refused)}
    return render(request, "accounts_oidc/refused.html", context, status=403)


def _enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Sign-in with OpenID Connect is not configured.")


class AuthenticateView(OIDCAuthenticationRequestView):
    """Redirects to the provider with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(provider.setting)

    def __init__(self, **kwargs: Any) -> None:
        # The parent reads the endpoint here; it is read in get(), where a provider that
        # cannot be reached gets a page instead of an error.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        _enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.discovery()["authorization_endpoint"]
        except provider.ProviderUnreachable as error:
            return refusal(request, SignInRefused("provider", str(error)))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Checks state, exchanges the code (with the PKCE verifier), verifies the ID token's
    signature, issuer, audience, expiry and nonce, then signs the person in."""

    get_settings = staticmethod(provider.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        _enabled()
        try:
            return super().get(request)
        except SignInRefused as refused:
            return refusal(request, refused)
        except SuspiciousOperation as error:  # a state this session never issued
            return refusal(request, SignInRefused("session", str(error)))
        except (requests.RequestException, provider.ProviderUnreachable) as error:
            return refusal(request, SignInRefused("provider", str(error)[:300]))

    def login_failure(self) -> HttpResponse:
        error = self.request.GET.get("error")
        if error:
            detail = f"{error}: {self.request.GET.get('error_description', '')}"[:300]
            return refusal(self.request, SignInRefused("provider", detail))
        return refusal(self.request, SignInRefused("session", "no sign-in pending"))
