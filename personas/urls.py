"""Routes of personas. `api_patterns` are included under /api/, `urlpatterns` at /."""

from django.conf import settings
from django.urls import URLPattern, path

from personas import api, views

api_patterns: list[URLPattern] = [
    path("personas/", api.PersonaListView.as_view(), name="api-personas"),
    path("personas/<uuid:persona_id>/", api.PersonaDetailView.as_view(), name="api-persona"),
]

urlpatterns: list[URLPattern] = [
    path("personas/", views.persona_list, name="persona-list"),
    path("personas/<uuid:persona_id>/", views.persona_edit, name="persona-edit"),
    path("personas/<uuid:persona_id>/delete/", views.persona_delete, name="persona-delete"),
    # Where the photo field's URLs point (MEDIA_URL): served only after an access check.
    path(
        f"{settings.MEDIA_URL.strip('/')}/personas/<str:name>",
        views.persona_photo,
        name="persona-photo",
    ),
]
