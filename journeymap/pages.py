"""URL list of the server-rendered pages; each app owns its page views."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from maps import editor_views
from maps import views as map_views
from personas import views as persona_views
from workspaces import views as workspace_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("signup/", workspace_views.signup, name="signup"),
    path("", workspace_views.dashboard, name="dashboard"),
    path("workspaces/new/", workspace_views.workspace_new, name="workspace-new"),
    path("workspaces/switch/", workspace_views.workspace_switch, name="workspace-switch"),
    path(
        "workspaces/<uuid:workspace_id>/members/",
        workspace_views.members,
        name="workspace-members",
    ),
    path(
        "workspaces/<uuid:workspace_id>/members/<int:membership_id>/",
        workspace_views.member_change,
        name="workspace-member",
    ),
    path("maps/new/", map_views.map_new, name="map-new"),
    path("maps/import/", map_views.map_import, name="map-import"),
    path("maps/<uuid:map_id>/settings/", map_views.map_settings, name="map-settings"),
    path("maps/<uuid:map_id>/", editor_views.map_editor, name="map-editor"),
    path("personas/", persona_views.persona_list, name="persona-list"),
    path("personas/<uuid:persona_id>/", persona_views.persona_edit, name="persona-edit"),
    path("personas/<uuid:persona_id>/delete/", persona_views.persona_delete, name="persona-delete"),
    path("", include("maps.sharing_page_urls")),  # share links, history, activity (issue 7)
]
