"""Routes of portfolio: the journey landscape of a workspace, its page and its API.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from portfolio import api, views

api_patterns: list[URLPattern] = [
    path(
        "workspaces/<uuid:workspace_id>/landscape/",
        api.LandscapeView.as_view(),
        name="api-workspace-landscape",
    ),
]

urlpatterns: list[URLPattern] = [
    path("landscape/", views.current_landscape, name="landscape-current"),
    path("workspaces/<uuid:workspace_id>/landscape/", views.landscape, name="landscape"),
]
