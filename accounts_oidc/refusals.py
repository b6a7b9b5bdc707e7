"""Why a sign-in with OpenID Connect was refused: a reason code for the log and the tests,
and a sentence for the person (templates/accounts_oidc/refused.html)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


class SignInRefused(Exception):
    def __init__(self, reason: str, detail: str = "", **values: str) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.values = values


def message(refused: SignInRefused) -> str:
    """The sentence shown to the person, in the page's language."""
    values = {"provider": settings.OIDC_PROVIDER_NAME, "email": "", "domain": ""}
    values.update(refused.values)
    texts = {
        "issuer": _("The sign-in answer came from a provider other than %(provider)s."),
        "expired": _("The sign-in answer from %(provider)s has expired. Please sign in again."),
        "signature": _("The sign-in answer is not signed by %(provider)s."),
        "token": _("The sign-in answer from %(provider)s is not valid."),
        "nonce": _("The sign-in answer does not belong to this sign-in. Please sign in again."),
        "no_email": _("%(provider)s did not tell us your email address."),
        "unverified": _(
            "Your email address %(email)s is not verified with %(provider)s. Verify it there, "
            "then sign in again."
        ),
        "domain": _("Accounts with an email address at %(domain)s cannot sign in here."),
        "no_account": _(
            "There is no Journeymap account for %(email)s. Ask an administrator to create one."
        ),
        "ambiguous": _(
            "More than one Journeymap account uses %(email)s. Ask an administrator to fix it."
        ),
        "inactive": _("The Journeymap account for %(email)s is switched off."),
        "session": _(
            "This sign-in was started in another browser tab or took too long. Please try again."
        ),
        "provider": _("%(provider)s could not be reached or did not accept the sign-in."),
    }
    return texts.get(refused.reason, texts["token"]) % values
