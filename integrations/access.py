"""Who may manage a webhook: admins of its workspace. Anyone not in the workspace gets 404
(its existence is not leaked), a plain member 403 (workspaces.access.workspace_for)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser, User

from integrations.models import Delivery, Webhook
from workspaces.access import not_found, parse_uuid, workspace_for


def webhook_for(user: User | AnonymousUser, webhook_id: uuid.UUID) -> Webhook:
    webhook = (
        Webhook.objects.select_related("workspace")
        .filter(pk=parse_uuid(webhook_id, "webhook"))
        .first()
    )
    if webhook is None:
        raise not_found("webhook")
    try:
        workspace_for(user, webhook.workspace_id, admin=True)
    except Exception as error:
        if getattr(error, "status_code", None) == 404:
            raise not_found("webhook") from None
        raise
    return webhook


def delivery_for(
    user: User | AnonymousUser, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> Delivery:
    webhook = webhook_for(user, webhook_id)
    delivery = webhook.deliveries.filter(pk=parse_uuid(delivery_id, "delivery")).first()
    if delivery is None:
        raise not_found("delivery")
    return delivery
