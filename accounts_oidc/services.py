"""Who may sign in with OpenID Connect, and the account they get.

Accounts are matched by e-mail address, so the address must be one the provider has verified
and, when OIDC_ALLOWED_DOMAINS is set, at one of those domains. A person with no account gets
one when OIDC_CREATE_USERS allows it, joining OIDC_WORKSPACE with OIDC_WORKSPACE_ROLE (or a
workspace of their own, as a local sign-up does).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts_oidc.refusals import SignInRefused
from workspaces.models import Workspace
from workspaces.services import membership_set, workspace_create

logger = logging.getLogger(__name__)

USERNAME_CHARS = re.compile(r"[^\w.+-]")


def _verified(value: Any) -> bool:
    # Some providers send the claim as the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


def email_check(*, claims: dict[str, Any]) -> str:
    """The claims' e-mail address, lower-cased, if it may sign in; SignInRefused otherwise."""
    email = str(claims.get("email") or "").strip().lower()
    if "@" not in email:
        raise SignInRefused("no_email", f"sub {claims.get('sub')!r} has no e-mail claim")
    if not _verified(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)):
        raise SignInRefused("unverified", email, email=email)
    domain = email.rsplit("@", 1)[1]
    allowed = settings.OIDC_ALLOWED_DOMAINS
    if allowed and domain not in allowed:
        raise SignInRefused("domain", email, domain=domain)
    return email


def oidc_user_find_or_create(*, email: str, claims: dict[str, Any]) -> Any:
    """The one active account with this address, or a new one when creation is allowed."""
    users = list(get_user_model().objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise SignInRefused("ambiguous", email, email=email)
    if users:
        if not users[0].is_active:
            raise SignInRefused("inactive", email, email=email)
        return users[0]
    if not settings.OIDC_CREATE_USER:
        raise SignInRefused("no_account", email, email=email)
    return oidc_user_create(email=email, claims=claims)


def _username_free(email: str) -> str:
    base = USERNAME_CHARS.sub("", email.split("@", 1)[0])[:40] or "user"
    taken = get_user_model().objects.filter(username__istartswith=base)
    names = {name.lower() for name in taken.values_list("username", flat=True)}
    candidate, number = base, 1
    while candidate.lower() in names:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def oidc_user_create(*, email: str, claims: dict[str, Any]) -> Any:
    """A new account without a password (it signs in through the provider only)."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=_username_free(email),
            email=email,
            password=None,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        _workspace_join(user)
    logger.info("OIDC sign-in created user %s (%s)", user.pk, email.rsplit("@", 1)[1])
    return user


def _workspace_join(user: Any) -> None:
    workspace = None
    if settings.OIDC_WORKSPACE:
        workspace = Workspace.objects.filter(pk=settings.OIDC_WORKSPACE).first()
        if workspace is None:
            logger.error("OIDC_WORKSPACE %s does not exist", settings.OIDC_WORKSPACE)
    if workspace is not None:
        membership_set(workspace=workspace, user=user, role=settings.OIDC_WORKSPACE_ROLE)
    else:
        workspace_create(
            name=_("%(name)s's workspace") % {"name": user.get_username()}, creator=user
        )
