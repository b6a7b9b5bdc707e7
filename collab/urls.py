"""Routes of collab: per-map members, share links and the share-link view, notifications,
the workspace activity feed. `api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from collab import api, views

api_patterns: list[URLPattern] = [
    path("maps/<uuid:map_id>/members/", api.MapMembersView.as_view(), name="api-map-members"),
    path(
        "maps/<uuid:map_id>/members/<int:user_id>/",
        api.MapMemberView.as_view(),
        name="api-map-member",
    ),
    path(
        "maps/<uuid:map_id>/share-links/",
        api.ShareLinkListView.as_view(),
        name="api-map-share-links",
    ),
    path(
        "maps/<uuid:map_id>/share-links/<uuid:link_id>/",
        api.ShareLinkDetailView.as_view(),
        name="api-map-share-link",
    ),
    path("share/<str:token>/", api.SharedMapView.as_view(), name="api-shared-map"),
    path("share/<str:token>/changes/", api.SharedChangeView.as_view(), name="api-shared-changes"),
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="api-notifications-read"),
    path(
        "workspaces/<uuid:workspace_id>/activity/",
        api.ActivityView.as_view(),
        name="api-workspace-activity",
    ),
]

urlpatterns: list[URLPattern] = [
    path("share/<str:token>/", views.share_page, name="share"),
    path("share/<str:token>/document.json", views.share_document, name="share-document"),
    path(
        "workspaces/<uuid:workspace_id>/activity/", views.activity_page, name="workspace-activity"
    ),
    path("notifications/", views.notifications_page, name="notifications"),
]
