"""Routes of history: timeline, versions, compare, restore, current vs future state.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from history import api, views

api_patterns: list[URLPattern] = [
    path("maps/<uuid:map_id>/history/", api.HistoryView.as_view(), name="api-map-history"),
    path("maps/<uuid:map_id>/versions/", api.VersionListView.as_view(), name="api-map-versions"),
    path("maps/<uuid:map_id>/compare/", api.CompareView.as_view(), name="api-map-compare"),
    path("maps/<uuid:map_id>/restore/", api.RestoreView.as_view(), name="api-map-restore"),
    path(
        "maps/<uuid:map_id>/current-state/",
        api.CurrentStateView.as_view(),
        name="api-map-current-state",
    ),
    path(
        "maps/<uuid:map_id>/side-by-side/",
        api.SideBySideView.as_view(),
        name="api-map-side-by-side",
    ),
]

urlpatterns: list[URLPattern] = [
    path("maps/<uuid:map_id>/history/", views.history_page, name="map-history"),
    path("maps/<uuid:map_id>/compare/", views.compare_page, name="map-compare"),
    path("maps/<uuid:map_id>/side-by-side/", views.side_by_side_page, name="map-side-by-side"),
]
