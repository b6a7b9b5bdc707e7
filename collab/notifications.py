"""In-app notifications for mentions and replies, and an email for mentions.

Run after the comment's change has committed (`comments_changed`, connected to
maps.hooks.change_applied by collab/apps.py), so a rolled-back change
notifies nobody. Only people who can see the map are notified: a mention of anyone else is
just text. And only people who still see it read them (`notifications_of`): access is asked
again whenever the list or the unread count is read, so someone taken off a map stops seeing
what was said on it at once, and sees it again if given access back.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy

from collab.models import Notification
from maps.models import Comment, JourneyMap

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SUBJECT = gettext_lazy("%(actor)s mentioned you in “%(map)s”")
BODY = gettext_lazy("%(actor)s wrote:\n\n%(text)s\n\nOpen the map: %(url)s\n")


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's notifications about maps they may see now (one subquery, no per-row check)."""
    visible = JourneyMap.objects.visible_to(user).values("pk")
    return Notification.objects.filter(recipient=user, map_id__in=visible)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _thread_people(comment: Comment) -> set[int]:
    """Authors in the thread the comment belongs to (its root and every reply)."""
    root_id = comment.parent_id or comment.pk
    authors = Comment.objects.filter(Q(pk=root_id) | Q(parent_id=root_id)).values_list(
        "author_id", flat=True
    )
    return {a for a in authors if a is not None}


def _create(*, recipient: User, kind: str, comment: Comment, actor_id: int) -> bool:
    try:
        with transaction.atomic():
            Notification.objects.create(
                recipient=recipient,
                kind=kind,
                map_id=comment.map_id,
                comment=comment,
                actor_id=actor_id,
            )
    except IntegrityError:
        return False  # already told about this comment (e.g. an edit that keeps the mention)
    return True


NOTIFYING_OPS = {"comment.create", "comment.update"}


def comments_changed(
    *, journey_map: JourneyMap, ops: list[dict[str, Any]], actor_id: int | None, **_: Any
) -> None:
    """maps.hooks.change_applied receiver, inside the change's transaction: notify mentions
    and replies once it has committed."""
    comment_ids = [op["id"] for op in ops if op["type"] in NOTIFYING_OPS]
    if not comment_ids or actor_id is None:
        return
    map_id = journey_map.pk
    transaction.on_commit(
        lambda: notify_comments(map_id=map_id, comment_ids=comment_ids, actor_id=actor_id)
    )


def notify_comments(*, map_id: uuid.UUID, comment_ids: list[Any], actor_id: int) -> None:
    """Runs after commit: a failure here is logged, never turned into a failed change."""
    try:
        _notify_comments(map_id=map_id, comment_ids=comment_ids, actor_id=actor_id)
    except Exception:
        logger.exception("notifying comments %s failed", comment_ids)


def _notify_comments(*, map_id: uuid.UUID, comment_ids: list[Any], actor_id: int) -> None:
    journey_map = JourneyMap.objects.filter(pk=map_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if journey_map is None or actor is None:
        return
    for comment in Comment.objects.filter(pk__in=comment_ids, map=journey_map):
        comment_notify(journey_map=journey_map, comment=comment, actor=actor)


def comment_notify(*, journey_map: JourneyMap, comment: Comment, actor: User) -> list[Notification]:
    """Notify the people a comment mentions and, for a reply, the others in its thread."""
    users = get_user_model().objects.filter(is_active=True)
    mentioned = [
        user
        for user in users.filter(username__in=comment.mentions).exclude(pk=actor.pk)
        if journey_map.role_of(user) is not None
    ]
    created: list[Notification] = []
    for user in mentioned:
        if _create(
            recipient=user, kind=Notification.Kind.MENTION, comment=comment, actor_id=actor.pk
        ):
            created.append(
                Notification.objects.get(
                    recipient=user, comment=comment, kind=Notification.Kind.MENTION
                )
            )
            mention_email(journey_map=journey_map, comment=comment, actor=actor, recipient=user)
    if comment.parent_id is not None:
        skip = {actor.pk} | {u.pk for u in mentioned}
        for user in users.filter(pk__in=_thread_people(comment) - skip):
            if journey_map.role_of(user) is None:
                continue
            if _create(
                recipient=user, kind=Notification.Kind.REPLY, comment=comment, actor_id=actor.pk
            ):
                created.append(
                    Notification.objects.get(
                        recipient=user, comment=comment, kind=Notification.Kind.REPLY
                    )
                )
    return created


def one_line(text: str) -> str:
    """A header value: every run of whitespace (CR, LF, U+2028…) as one space. A map title
    may hold line breaks, and Django refuses a header with CR or LF (the email was lost)."""
    return " ".join(text.split())


def mention_email(
    *, journey_map: JourneyMap, comment: Comment, actor: User, recipient: User
) -> None:
    """A plain-text email (never HTML: the comment is user text) in the map's language."""
    if not recipient.email:
        return
    language = journey_map.language if journey_map.language in dict(settings.LANGUAGES) else "en"
    base = settings.SITE_URL.rstrip("/")
    url = f"{base}/maps/{journey_map.pk}/"
    with translation.override(language):
        subject = str(SUBJECT) % {"actor": _name(actor), "map": journey_map.title}
        body = str(BODY) % {"actor": _name(actor), "text": comment.text, "url": url}
    try:
        send_mail(one_line(subject)[:200], body, None, [recipient.email])
    except Exception:
        # The notification is in the app already; a mail server hiccup must not lose it.
        logger.exception("mention email to user %s failed", recipient.pk)
