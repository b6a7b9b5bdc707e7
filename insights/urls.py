"""Routes of insights: the workspace's research evidence, its links to cards, its pages.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.conf import settings
from django.urls import URLPattern, path

from insights import api, views

api_patterns: list[URLPattern] = [
    path(
        "workspaces/<uuid:workspace_id>/insights/",
        api.WorkspaceInsightsView.as_view(),
        name="api-workspace-insights",
    ),
    path("insights/<uuid:insight_id>/", api.InsightDetailView.as_view(), name="api-insight"),
    path("maps/<uuid:map_id>/insights/", api.MapInsightsView.as_view(), name="api-map-insights"),
    path(
        "maps/<uuid:map_id>/items/<uuid:item_id>/insights/",
        api.CardInsightsView.as_view(),
        name="api-card-insights",
    ),
    path(
        "maps/<uuid:map_id>/items/<uuid:item_id>/insights/<uuid:insight_id>/",
        api.CardInsightView.as_view(),
        name="api-card-insight",
    ),
]

urlpatterns: list[URLPattern] = [
    path("insights/", views.current_insights, name="insights-current"),
    path("workspaces/<uuid:workspace_id>/insights/", views.insight_list, name="insight-list"),
    path("workspaces/<uuid:workspace_id>/insights/new/", views.insight_new, name="insight-new"),
    path("insights/<uuid:insight_id>/", views.insight_detail, name="insight-detail"),
    path("insights/<uuid:insight_id>/edit/", views.insight_edit, name="insight-edit"),
    path("insights/<uuid:insight_id>/delete/", views.insight_remove, name="insight-delete"),
    # Where the source file field's URLs point (MEDIA_URL): served only after an access check.
    path(
        f"{settings.MEDIA_URL.strip('/')}/insights/<str:name>",
        views.insight_file,
        name="insight-file",
    ),
]
