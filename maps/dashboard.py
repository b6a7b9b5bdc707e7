"""The dashboard (`/`): the current workspace's maps, with search, filters and sorting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from maps.models import JourneyMap, LaneKind, MapType, Stage
from personas.models import Persona
from workspaces.current import current_membership
from workspaces.forms import WorkspaceForm
from workspaces.models import Workspace

SORTS = {
    "updated": ("-updated_at",),
    "created": ("-created_at",),
    "title": ("title",),
}


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=gettext_lazy("Search maps"))
    type = forms.ChoiceField(required=False, label=gettext_lazy("Type"))
    persona = forms.UUIDField(required=False, label=gettext_lazy("Persona"))
    owner = forms.IntegerField(required=False, label=gettext_lazy("Owner"))
    sort = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Sort"),
        choices=[
            ("updated", gettext_lazy("Last edited")),
            ("created", gettext_lazy("Newest")),
            ("title", gettext_lazy("Title")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("All types")),
            *MapType.choices,
        ]


def _filtered_maps(workspace: Workspace, user: User | AnonymousUser, form: FilterForm) -> Any:
    maps = JourneyMap.objects.visible_to(user).filter(workspace=workspace)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        maps = maps.filter(Q(title__icontains=data["q"]) | Q(objective__icontains=data["q"]))
    if data.get("type"):
        maps = maps.filter(type=data["type"])
    if data.get("persona"):
        maps = maps.filter(personas__id=data["persona"])
    if data.get("owner"):
        maps = maps.filter(created_by_id=data["owner"])
    order = SORTS.get(data.get("sort") or "updated", SORTS["updated"])
    return (
        maps.select_related("created_by")
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("position", "id")),
            "personas",
        )
        .order_by(*order)
        .distinct()
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return render(request, "workspaces/no_workspace.html", {"form": WorkspaceForm()})
    workspace = membership.workspace
    form = FilterForm(request.GET or None)
    maps = list(_filtered_maps(workspace, request.user, form)[:200])
    owners = get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
    filtering = bool(
        form.is_bound
        and form.is_valid()
        and any(form.cleaned_data.get(name) for name in ("q", "type", "persona", "owner"))
    )
    return render(
        request,
        "dashboard.html",
        {
            "maps": maps,
            "form": form,
            "filtering": filtering,
            "personas": Persona.objects.filter(workspace=workspace),
            "owners": owners,
            "type_labels": dict(MapType.choices),
            "import_config": {
                # The sheets app's routes, by name: maps does not import the apps built on it.
                "preview": reverse("api-sheet-import-preview", args=[workspace.pk]),
                "create": reverse("api-sheet-import", args=[workspace.pk]),
                "kinds": [[value, str(label)] for value, label in LaneKind.choices],
            },
        },
    )
