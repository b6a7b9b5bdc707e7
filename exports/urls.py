"""Routes of exports, included under /api/ (the export dialog is part of the editor page)."""

from django.urls import URLPattern, path

from exports import api

api_patterns: list[URLPattern] = [
    path("maps/<uuid:map_id>/exports/", api.MapExportsView.as_view(), name="api-exports"),
    path("exports/<uuid:export_id>/", api.ExportDetailView.as_view(), name="api-export"),
    path("exports/<uuid:export_id>/file/", api.ExportFileView.as_view(), name="api-file"),
]
