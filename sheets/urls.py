"""Routes of sheets, included under /api/ (the import dialog is part of the dashboard)."""

from django.urls import URLPattern, path

from sheets import api

api_patterns: list[URLPattern] = [
    path(
        "workspaces/<uuid:workspace_id>/imports/",
        api.ImportCreateView.as_view(),
        name="api-sheet-import",
    ),
    path(
        "workspaces/<uuid:workspace_id>/imports/preview/",
        api.ImportPreviewView.as_view(),
        name="api-sheet-import-preview",
    ),
]
