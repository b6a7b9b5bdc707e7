"""Page routes for sharing and history (included from journeymap/pages.py)."""

from django.urls import path

from maps import sharing_views

urlpatterns = [
    path("share/<str:token>/", sharing_views.share_page, name="share"),
    path("share/<str:token>/document.json", sharing_views.share_document, name="share-document"),
    path("maps/<uuid:map_id>/history/", sharing_views.history_page, name="map-history"),
    path("maps/<uuid:map_id>/compare/", sharing_views.compare_page, name="map-compare"),
    path(
        "maps/<uuid:map_id>/side-by-side/", sharing_views.side_by_side_page, name="map-side-by-side"
    ),
    path(
        "workspaces/<uuid:workspace_id>/activity/",
        sharing_views.activity_page,
        name="workspace-activity",
    ),
    path("notifications/", sharing_views.notifications_page, name="notifications"),
]
