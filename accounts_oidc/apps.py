from django.apps import AppConfig


class AccountsOidcConfig(AppConfig):
    name = "accounts_oidc"
    verbose_name = "Sign-in with OpenID Connect"
