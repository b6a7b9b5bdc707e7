"""Routes of maps: the map list, a map's document, its changes, portable import/export, and
the editor and settings pages. `api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from maps import api, dashboard, editor_views, views

api_patterns: list[URLPattern] = [
    path("maps/", api.MapListView.as_view(), name="api-maps"),
    path("maps/import/", api.ImportView.as_view(), name="api-map-import"),
    path("maps/<uuid:map_id>/", api.MapDetailView.as_view(), name="api-map"),
    path("maps/<uuid:map_id>/changes/", api.ChangeListView.as_view(), name="api-map-changes"),
    path("maps/<uuid:map_id>/document/", api.DocumentView.as_view(), name="api-map-document"),
    path("maps/<uuid:map_id>/hierarchy/", api.HierarchyView.as_view(), name="api-map-hierarchy"),
]

urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="dashboard"),
    path("maps/import/", views.map_import, name="map-import"),
    path("maps/<uuid:map_id>/settings/", views.map_settings, name="map-settings"),
    path("maps/<uuid:map_id>/delete/", views.map_delete_page, name="map-delete"),
    path("maps/<uuid:map_id>/", editor_views.map_editor, name="map-editor"),
]
