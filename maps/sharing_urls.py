"""API routes for sharing, notifications and history (included under /api/)."""

from django.urls import path

from maps import history_api, sharing_api

urlpatterns = [
    path(
        "maps/<uuid:map_id>/members/<int:user_id>/",
        sharing_api.MapMemberView.as_view(),
        name="api-map-member",
    ),
    path(
        "maps/<uuid:map_id>/share-links/",
        sharing_api.ShareLinkListView.as_view(),
        name="api-map-share-links",
    ),
    path(
        "maps/<uuid:map_id>/share-links/<uuid:link_id>/",
        sharing_api.ShareLinkDetailView.as_view(),
        name="api-map-share-link",
    ),
    path("share/<str:token>/", sharing_api.SharedMapView.as_view(), name="api-shared-map"),
    path(
        "share/<str:token>/changes/",
        sharing_api.SharedChangeView.as_view(),
        name="api-shared-changes",
    ),
    path("notifications/", sharing_api.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        sharing_api.NotificationReadView.as_view(),
        name="api-notifications-read",
    ),
    path("maps/<uuid:map_id>/history/", history_api.HistoryView.as_view(), name="api-map-history"),
    path(
        "maps/<uuid:map_id>/versions/",
        history_api.VersionListView.as_view(),
        name="api-map-versions",
    ),
    path("maps/<uuid:map_id>/compare/", history_api.CompareView.as_view(), name="api-map-compare"),
    path("maps/<uuid:map_id>/restore/", history_api.RestoreView.as_view(), name="api-map-restore"),
    path(
        "maps/<uuid:map_id>/current-state/",
        history_api.CurrentStateView.as_view(),
        name="api-map-current-state",
    ),
    path(
        "maps/<uuid:map_id>/side-by-side/",
        history_api.SideBySideView.as_view(),
        name="api-map-side-by-side",
    ),
    path(
        "workspaces/<uuid:workspace_id>/activity/",
        history_api.ActivityView.as_view(),
        name="api-workspace-activity",
    ),
]
