"""Routes of portfolio: the journey landscape and the opportunity portfolio of a workspace,
their pages and their API.
`api_patterns` are included under /api/, `urlpatterns` at /."""

from django.urls import URLPattern, path

from portfolio import api, views

api_patterns: list[URLPattern] = [
    path(
        "workspaces/<uuid:workspace_id>/landscape/",
        api.LandscapeView.as_view(),
        name="api-workspace-landscape",
    ),
    path(
        "workspaces/<uuid:workspace_id>/portfolio/",
        api.PortfolioView.as_view(),
        name="api-workspace-portfolio",
    ),
    path(
        "workspaces/<uuid:workspace_id>/portfolio/opportunities/<uuid:item_id>/",
        api.OpportunityView.as_view(),
        name="api-portfolio-opportunity",
    ),
    path(
        "workspaces/<uuid:workspace_id>/portfolio/links/",
        api.SolutionLinkListView.as_view(),
        name="api-portfolio-links",
    ),
    path(
        "workspaces/<uuid:workspace_id>/portfolio/links/<uuid:link_id>/",
        api.SolutionLinkView.as_view(),
        name="api-portfolio-link",
    ),
]

urlpatterns: list[URLPattern] = [
    path("landscape/", views.current_landscape, name="landscape-current"),
    path("workspaces/<uuid:workspace_id>/landscape/", views.landscape, name="landscape"),
    path("portfolio/", views.current_portfolio, name="portfolio-current"),
    path("workspaces/<uuid:workspace_id>/portfolio/", views.portfolio, name="portfolio"),
]
