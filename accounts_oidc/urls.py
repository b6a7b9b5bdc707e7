"""Routes of accounts_oidc: the sign-in with OpenID Connect pages (no API)."""

from django.urls import URLPattern, path

from accounts_oidc import views

api_patterns: list[URLPattern] = []

urlpatterns: list[URLPattern] = [
    path("oidc/authenticate/", views.AuthenticateView.as_view(), name="oidc-authenticate"),
    path("oidc/callback/", views.CallbackView.as_view(), name="oidc-callback"),
]
