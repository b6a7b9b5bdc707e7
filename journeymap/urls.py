"""The project's routes: each app's `api_patterns` under /api/ and its pages at /
(one urls.py per app; docs/architecture.md).

Nothing serves MEDIA_ROOT as a directory, in DEBUG or not: persona photos and insight files
are routed by their apps, which check access on every request (journeymap/files.py), and
export files only through /api/exports/{id}/file/."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts_oidc import urls as accounts_oidc_urls
from collab import urls as collab_urls
from exports import urls as exports_urls
from history import urls as history_urls
from insights import urls as insights_urls
from integrations import urls as integrations_urls
from journeymap.health import healthz
from maps import urls as maps_urls
from method import urls as method_urls
from personas import urls as personas_urls
from portfolio import urls as portfolio_urls
from sheets import urls as sheets_urls
from workspaces import urls as workspaces_urls

APPS = [
    workspaces_urls,
    personas_urls,
    maps_urls,
    method_urls,
    exports_urls,
    collab_urls,
    history_urls,
    sheets_urls,
    portfolio_urls,
    integrations_urls,
    accounts_oidc_urls,
    insights_urls,
]

api_patterns: list[URLPattern | URLResolver] = [
    *(pattern for app in APPS for pattern in app.api_patterns),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

page_patterns: list[URLPattern | URLResolver] = [
    pattern for app in APPS for pattern in getattr(app, "urlpatterns", [])
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include(page_patterns)),
]

handler400 = "journeymap.errors.bad_request"
handler404 = "journeymap.errors.not_found"
handler500 = "journeymap.errors.server_error"
