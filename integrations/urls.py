"""Routes of integrations (webhooks). `api_patterns` are included under /api/,
`urlpatterns` at /."""

from django.urls import URLPattern, path

from integrations import api, views

api_patterns: list[URLPattern] = [
    path(
        "workspaces/<uuid:workspace_id>/webhooks/",
        api.WorkspaceWebhooksView.as_view(),
        name="api-workspace-webhooks",
    ),
    path("webhooks/<uuid:webhook_id>/", api.WebhookView.as_view(), name="api-webhook"),
    path(
        "webhooks/<uuid:webhook_id>/secret/",
        api.WebhookSecretView.as_view(),
        name="api-webhook-secret",
    ),
    path(
        "webhooks/<uuid:webhook_id>/deliveries/",
        api.WebhookDeliveriesView.as_view(),
        name="api-webhook-deliveries",
    ),
    path(
        "webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver/",
        api.RedeliverView.as_view(),
        name="api-webhook-redeliver",
    ),
]

urlpatterns: list[URLPattern] = [
    path("workspaces/<uuid:workspace_id>/webhooks/", views.webhooks, name="integrations-webhooks"),
    path(
        "workspaces/<uuid:workspace_id>/webhooks/<uuid:webhook_id>/",
        views.webhook_action,
        name="integrations-webhook",
    ),
    path(
        "workspaces/<uuid:workspace_id>/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/",
        views.redeliver,
        name="integrations-redeliver",
    ),
]
