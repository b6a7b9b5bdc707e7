"""Routes of method: the template library and the create flow, metrics, persona templates,
the health check, touchpoint coverage, saving a map as a workspace template.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from method import api, views

api_patterns: list[URLPattern] = [
    path("templates/", api.TemplateListView.as_view(), name="api-templates"),
    path("metrics/", api.MetricCatalogView.as_view(), name="api-metrics"),
    path("metrics/calculate/", api.MetricCalculateView.as_view(), name="api-metrics-calc"),
    path("persona-templates/", api.PersonaTemplateListView.as_view(), name="api-persona-templates"),
    path(
        "persona-templates/<slug:key>/",
        api.PersonaTemplateCreateView.as_view(),
        name="api-persona-template",
    ),
    path("maps/<uuid:map_id>/health/", api.MapHealthView.as_view(), name="api-map-health"),
    path("maps/<uuid:map_id>/coverage/", api.MapCoverageView.as_view(), name="api-map-coverage"),
    path(
        "maps/<uuid:map_id>/save-as-template/",
        api.SaveAsTemplateView.as_view(),
        name="api-map-save-as-template",
    ),
]

urlpatterns: list[URLPattern] = [
    path("maps/new/", views.map_new, name="map-new"),
]
