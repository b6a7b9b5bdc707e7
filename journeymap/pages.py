"""URL list of the server-rendered pages; each app owns its page views."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from maps import editor_views
from workspaces import views as workspace_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", workspace_views.dashboard, name="dashboard"),
    path("maps/<uuid:map_id>/", editor_views.map_editor, name="map-editor"),
    path("", include("maps.sharing_page_urls")),  # share links, history, activity (issue 7)
]
