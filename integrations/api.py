"""The webhooks REST API (docs/integrations.md): workspace admins only."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import services
from integrations.access import delivery_for, webhook_for
from integrations.serializers import (
    DeliverySerializer,
    WebhookCreatedSerializer,
    WebhookSerializer,
)
from journeymap.api import ApiError
from workspaces.access import signed_in, workspace_for

TAGS = ["webhooks"]


def _invalid(error: services.WebhookError) -> ApiError:
    return ApiError(code=error.code, message=error.message)


class WorkspaceWebhooksView(APIView):
    @extend_schema(tags=TAGS, responses=WebhookSerializer(many=True))
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, workspace_id, admin=True)
        return Response(WebhookSerializer(workspace.webhooks.all(), many=True).data)

    @extend_schema(
        tags=TAGS,
        request=WebhookSerializer,
        responses={201: WebhookCreatedSerializer},
        description="Create a webhook; the answer holds its signing secret, shown only now.",
    )
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, workspace_id, admin=True)
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            webhook = services.webhook_create(
                workspace=workspace,
                actor=signed_in(request.user),
                url=data["url"],
                events=data["events"],
                body_format=data["body_format"],
                name=data.get("name", ""),
            )
        except services.WebhookError as error:
            raise _invalid(error) from None
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookView(APIView):
    @extend_schema(tags=TAGS, responses=WebhookSerializer)
    def get(self, request: Request, webhook_id: uuid.UUID) -> Response:
        return Response(WebhookSerializer(webhook_for(request.user, webhook_id)).data)

    @extend_schema(tags=TAGS, request=WebhookSerializer, responses=WebhookSerializer)
    def patch(self, request: Request, webhook_id: uuid.UUID) -> Response:
        webhook = webhook_for(request.user, webhook_id)
        serializer = WebhookSerializer(webhook, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            webhook = services.webhook_update(
                webhook=webhook, fields=dict(serializer.validated_data)
            )
        except services.WebhookError as error:
            raise _invalid(error) from None
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(tags=TAGS, request=None, responses={204: None})
    def delete(self, request: Request, webhook_id: uuid.UUID) -> Response:
        services.webhook_delete(webhook=webhook_for(request.user, webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretView(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=WebhookCreatedSerializer,
        description="Replace the signing secret; the answer shows the new one, only now.",
    )
    def post(self, request: Request, webhook_id: uuid.UUID) -> Response:
        webhook = webhook_for(request.user, webhook_id)
        services.webhook_secret_rotate(webhook=webhook)
        return Response(WebhookCreatedSerializer(webhook).data)


class WebhookDeliveriesView(APIView):
    @extend_schema(tags=TAGS, responses=DeliverySerializer(many=True))
    def get(self, request: Request, webhook_id: uuid.UUID) -> Response:
        webhook = webhook_for(request.user, webhook_id)
        deliveries = services.deliveries_recent(webhook=webhook)
        return Response(DeliverySerializer(deliveries, many=True).data)


class RedeliverView(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={202: DeliverySerializer},
        description="Send a delivery's body again, as a new delivery with its own log.",
    )
    def post(self, request: Request, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> Response:
        delivery = delivery_for(request.user, webhook_id, delivery_id)
        again = services.delivery_redeliver(delivery=delivery)
        return Response(DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
