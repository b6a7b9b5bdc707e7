"""Routes of workspaces: accounts, API tokens, workspaces and their members, the dashboard.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from workspaces import api, views
from workspaces.token_api import TokenView

api_patterns: list[URLPattern] = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("workspaces/", api.WorkspaceListView.as_view(), name="api-workspaces"),
    path(
        "workspaces/<uuid:workspace_id>/members/",
        api.WorkspaceMembersView.as_view(),
        name="api-workspace-members",
    ),
]

urlpatterns: list[URLPattern] = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("workspaces/new/", views.workspace_new, name="workspace-new"),
    path("workspaces/switch/", views.workspace_switch, name="workspace-switch"),
    path("workspaces/<uuid:workspace_id>/members/", views.members, name="workspace-members"),
    path(
        "workspaces/<uuid:workspace_id>/members/<int:membership_id>/",
        views.member_change,
        name="workspace-member",
    ),
]
