from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from journeymap.health import healthz
from maps import api as maps_api
from maps import export_api, method_api
from personas import api as personas_api
from workspaces import api as workspaces_api
from workspaces.token_api import TokenView

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("workspaces/", workspaces_api.WorkspaceListView.as_view(), name="api-workspaces"),
    path(
        "workspaces/<uuid:workspace_id>/members/",
        workspaces_api.WorkspaceMembersView.as_view(),
        name="api-workspace-members",
    ),
    path("personas/", personas_api.PersonaListView.as_view(), name="api-personas"),
    path(
        "personas/<uuid:persona_id>/", personas_api.PersonaDetailView.as_view(), name="api-persona"
    ),
    path("templates/", maps_api.TemplateListView.as_view(), name="api-templates"),
    path("maps/", maps_api.MapListView.as_view(), name="api-maps"),
    path("metrics/", method_api.MetricCatalogView.as_view(), name="api-metrics"),
    path("metrics/calculate/", method_api.MetricCalculateView.as_view(), name="api-metrics-calc"),
    path(
        "persona-templates/",
        method_api.PersonaTemplateListView.as_view(),
        name="api-persona-templates",
    ),
    path(
        "persona-templates/<slug:key>/",
        method_api.PersonaTemplateCreateView.as_view(),
        name="api-persona-template",
    ),
    path("maps/<uuid:map_id>/health/", method_api.MapHealthView.as_view(), name="api-map-health"),
    path(
        "maps/<uuid:map_id>/coverage/",
        method_api.MapCoverageView.as_view(),
        name="api-map-coverage",
    ),
    path(
        "maps/<uuid:map_id>/save-as-template/",
        method_api.SaveAsTemplateView.as_view(),
        name="api-map-save-as-template",
    ),
    path("maps/import/", maps_api.ImportView.as_view(), name="api-map-import"),
    path("maps/<uuid:map_id>/", maps_api.MapDetailView.as_view(), name="api-map"),
    path("maps/<uuid:map_id>/changes/", maps_api.ChangeListView.as_view(), name="api-map-changes"),
    path("maps/<uuid:map_id>/members/", maps_api.MapMembersView.as_view(), name="api-map-members"),
    path("maps/<uuid:map_id>/document/", maps_api.DocumentView.as_view(), name="api-map-document"),
    path("maps/<uuid:map_id>/exports/", export_api.MapExportsView.as_view(), name="api-exports"),
    path("exports/<uuid:export_id>/", export_api.ExportDetailView.as_view(), name="api-export"),
    path("exports/<uuid:export_id>/file/", export_api.ExportFileView.as_view(), name="api-file"),
    path("", include("maps.sharing_urls")),  # sharing, notifications, history (issue 7)
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("journeymap.pages")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "journeymap.errors.bad_request"
handler404 = "journeymap.errors.not_found"
handler500 = "journeymap.errors.server_error"
